package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// appendMessageLua defines append_message, the one way a script adds a message taken: to
// the transcript, to the held list when its place is the card, as the ticket's latest
// change, and (when event) to the outbox with its place ("" for none), for the groups
// in groups (emit), with the ticket as it is then (as_written; h, when given, has its
// fields read already), so that relaying the message needs no second read. k names the ticket's keys
// (ticket, messages, held, cards, seq: the partition's P{N}:outbox-seq).
// addMessageScript and inboundScript both use it.
const appendMessageLua = emitLua + clockStepLua + `
local function append_message(k, id, msg, ev, at, place, event, groups, h)
	redis.call('RPUSH', k.messages, msg)
	if place == 'card' then
		redis.call('RPUSH', k.held, msg)
	end
	redis.call('HSET', k.ticket, 'updated_at', at)
	if not event or groups == '' then
		return
	end
	local fields = {'t', 'message', 'k', id, 'e', ev}
	if place ~= '' then
		fields[#fields + 1], fields[#fields + 2] = 'place', place
	end
	emit(k.seq, groups, unpack(as_written(fields, k.ticket, k.cards, h)))
end
`

// addMessageScript adds a message to a ticket's transcript and tells the outbox, at most
// once per direction and source message id, and answers with the ticket's source
// (AddInboxMessage).
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:ticket:<id>:messages
// KEYS[3] -> P{N}:ticket:<id>:held
// KEYS[4] -> P{N}:seen:<id>:<direction>:<source message id> (unused without one)
// KEYS[5] -> P{N}:outbox-seq
// KEYS[6] -> P{N}:ticket:<id>:cards
// ARGV[1] -> ticket id
// ARGV[2] -> direction: customer, source_agent, agent, internal or notice
// ARGV[3] -> the message, JSON
// ARGV[4] -> EventMessage, JSON
// ARGV[5] -> the message's time, RFC3339Nano (the ticket's new updated_at)
// ARGV[6] -> dedupe TTL in ms when the message has a source id, else ""
// ARGV[7] -> the groups that want EventMessage (emit)
// ARGV[8..17] -> clock_step's arguments (stepArgs)
//
// The status rules come first, so a message turned away is not marked seen. A customer
// (or source agent) message on a pending ticket is held for replay and placed under the
// card; on an active one it is placed in the inbox. Agent messages and notices need an active ticket;
// internal notes are taken in any status.
// Returns {1, source} added | {2, source} seen before, nothing changed | {0} no such
// ticket | {-2} closed | {-4} not active. (Not the whole ticket: nobody reads it, and it
// cost Redis and the Go side more than the rest of the answer.)
//
// A source's messages go through inboundScript, which applies the same rules.
var addMessageScript = redis.NewScript(appendMessageLua + `
local h = written_of(KEYS[1]) -- nothing below changes them: read once
local status = field_of(h, 'status')
if not status then
	return {0}
end
local place = ''
if ARGV[2] == 'customer' or ARGV[2] == 'source_agent' then
	if status == 'closed' then
		return {-2}
	elseif status == 'pending' then
		place = 'card'
	else
		place = 'inbox'
	end
elseif ARGV[2] ~= 'internal' then
	if status == 'closed' then
		return {-2}
	elseif status == 'pending' then
		return {-4}
	end
end
local code = 1
if ARGV[6] ~= '' and not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[6]) then
	code = 2
end
if code == 1 then
	local k = {ticket = KEYS[1], messages = KEYS[2], held = KEYS[3], cards = KEYS[6], seq = KEYS[5]}
	append_message(k, ARGV[1], ARGV[3], ARGV[4], ARGV[5], place, true, ARGV[7], h)
	clock_step(k, ARGV[1], ARGV[2], ARGV[5], step_args(8))
end
return {code, field_of(h, 'source') or ''}
`)

// runAddMessage runs addMessageScript for m to ticket id (at ref).
func (r *Redis) runAddMessage(ctx context.Context, ref ref, id tickets.ID, m tickets.Message) ([]any, error) {
	msg, err := marshal(m)
	if err != nil {
		return nil, err
	}
	ev, groups, err := r.event(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: m.At, Actor: m.Author, Message: &m})
	if err != nil {
		return nil, err
	}
	ttl := ""
	if m.SourceMessageID != "" {
		ttl = strconv.FormatInt(r.cfg.DedupTTL.Milliseconds(), 10)
	}
	keys := []string{
		r.keys.ticket(ref), r.keys.messages(ref), r.keys.held(ref),
		r.keys.seen(ref, m.Direction, m.SourceMessageID), r.keys.outboxSeq(ref.p), r.keys.cards(ref),
	}
	step, err := r.stepArgs(id, []tickets.Message{m})
	if err != nil {
		return nil, err
	}
	args := append([]any{string(id), string(m.Direction), msg, ev, fmtTime(m.At), ttl, groups}, step...)
	res, err := r.pipe.run(ctx, m.SourceMessageID != "", addMessageScript, keys, args...).Slice()
	if err == nil && len(res) == 0 {
		err = fmt.Errorf("addMessageScript answered nothing")
	}
	return res, err
}
