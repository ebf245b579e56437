package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// openScript creates a ticket unless its conversation has an open ticket already.
//
// KEYS[1] -> P{N}:conv:<source>:<conv>
// KEYS[2] -> P{N}:ticket:<id>
// KEYS[3] -> P{N}:ticket:<id>:messages
// KEYS[4] -> P{N}:ticket:<id>:held
// KEYS[5] -> P{N}:open
// KEYS[6] -> P{N}:outbox
// KEYS[7] -> P{N}:seen:<id>:customer:<first message's source id> (unused without one)
// ARGV[1] -> ticket id
// ARGV[2] -> partition N
// ARGV[3] -> created at, unix ms
// ARGV[4] -> EventOpened, JSON
// ARGV[5] -> the first message, JSON, or "" for none
// ARGV[6] -> dedupe TTL in ms when the first message has a source id, else ""
// ARGV[7..] -> the ticket HASH's field, value pairs
//
// Returns {1, id} when it created the ticket, {0, open ticket id} when there was one.
var openScript = redis.NewScript(`
local open = redis.call('GET', KEYS[1])
if open then
	return {0, open}
end
redis.call('HSET', KEYS[2], unpack(ARGV, 7))
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
if ARGV[5] ~= '' then
	redis.call('RPUSH', KEYS[3], ARGV[5])
	redis.call('RPUSH', KEYS[4], ARGV[5])
	if ARGV[6] ~= '' then
		redis.call('SET', KEYS[7], '1', 'PX', ARGV[6])
	end
end
local eid = redis.call('XADD', KEYS[6], '*', 't', 'ticket.opened', 'k', ARGV[1], 'e', ARGV[4])
redis.call('HSET', KEYS[2], 'card_event', ARGV[2] .. '/' .. eid)
return {1, ARGV[1]}
`)

// Open creates a pending ticket from t (which it leaves unchanged; ID and Number are
// assigned here) unless its conversation has an open ticket, which is returned with
// created=false. See tickets.Store. A first message's SourceMessageID is marked seen, so
// the same message coming again through AddMessage is not added twice.
//
// A ticket number is taken from the global counter before the script runs, so that the
// script's keys all live in one partition. The usual repeat request finds the open ticket
// first and takes no number; two first requests racing for one conversation may burn a
// number (the loser's), leaving a gap in the numbering.
func (r *Redis) Open(ctx context.Context, t *tickets.Ticket, first *tickets.Message) (_ *tickets.Ticket, created bool, err error) {
	if t == nil || !tickets.ValidSource(t.Source) || t.ConversationID == "" {
		return nil, false, fmt.Errorf("%w: store: a ticket needs a source name and a conversation id", tickets.ErrInvalid)
	}
	if got, err := r.FindOpen(ctx, t.Source, t.ConversationID); !errors.Is(err, tickets.ErrNotFound) {
		return got, false, err
	}
	p := partitionOf(t.Source, t.ConversationID)
	n, err := r.c.Incr(ctx, r.keys.ticketSeq()).Result()
	if err != nil {
		return nil, false, fmt.Errorf("store: open: take a ticket number: %w", err)
	}
	nt := *t
	nt.ID, nt.Number, nt.Status = ticketID(n, p), n, tickets.StatusPending
	nt.Card, nt.Transfers = tickets.Card{}, nil
	ref := ref{id: nt.ID, p: p}

	ev, err := marshal(tickets.Event{Type: tickets.EventOpened, TicketID: nt.ID, At: nt.CreatedAt, To: nt.Team})
	if err != nil {
		return nil, false, err
	}
	firstJSON, seenKey, ttl := "", r.keys.seen(ref, tickets.FromCustomer, ""), ""
	if first != nil {
		if firstJSON, err = marshal(first); err != nil {
			return nil, false, err
		}
		if first.SourceMessageID != "" {
			seenKey = r.keys.seen(ref, first.Direction, first.SourceMessageID)
			ttl = strconv.FormatInt(r.cfg.DedupTTL.Milliseconds(), 10)
		}
	}
	keys := []string{
		r.keys.conv(p, nt.Source, nt.ConversationID), r.keys.ticket(ref), r.keys.messages(ref),
		r.keys.held(ref), r.keys.open(p), r.keys.outbox(p), seenKey,
	}
	args := append([]any{string(nt.ID), p, nt.CreatedAt.UnixMilli(), ev, firstJSON, ttl}, ticketFields(&nt)...)
	res, err := openScript.Run(ctx, r.c, keys, args...).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("store: open %s: %w", nt.ID, err)
	}
	// res[1] is another request's ticket when it opened one since FindOpen looked.
	got, err := r.Get(ctx, tickets.ID(res[1].(string)))
	if err == nil && got.IsOpen() {
		r.open.put(keys[0], got.ID) // for AddSourceMessage
	}
	return got, res[0].(int64) == 1, err
}
