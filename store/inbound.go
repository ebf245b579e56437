package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// inboundScript applies what a source says happened in one conversation: it opens a
// ticket when none is open (and that is asked for), adds the messages in order, each at
// most once per direction and source message id, and closes the ticket when asked. All
// of it or none: a message the status rules turn away stops it before anything changed.
//
// KEYS[1] -> P{N}:conv:<source>:<conv>
// KEYS[2] -> P{N}:ticket:<id>
// KEYS[3] -> P{N}:ticket:<id>:messages
// KEYS[4] -> P{N}:ticket:<id>:held
// KEYS[5] -> P{N}:open
// KEYS[6] -> P{N}:outbox-seq
// KEYS[7..10] -> P{N}:ticket:<id>:transfers, :cards, :edits; P{N}:lastclosed:<source>:<conv>
// KEYS[11..10+n] -> P{N}:seen:<id>:<direction>:<source message id>, one per message (the
// ticket's key, unused, for a message without a source id)
// ARGV[1] -> ticket id: the conversation's open ticket as last seen, or a new one
// ARGV[2] -> "1": create ticket ARGV[1] when the conversation has no open ticket
// ARGV[3] -> partition N
// ARGV[4] -> created at, unix ms
// ARGV[5] -> EventOpened, JSON
// ARGV[6] -> dedupe TTL in ms
// ARGV[7] -> n, the number of messages
// ARGV[8] -> the opening message's index (1-based) when creating, else "0"
// ARGV[9] -> EventClosed, JSON, or "" for no close
// ARGV[10] -> closed at, RFC3339Nano
// ARGV[11] -> the close reason
// ARGV[12] -> retention in ms ("0": never expire)
// ARGV[13] -> f, the number of ticket HASH field and value arguments that follow the
// messages
// ARGV[14] -> a ticket id the conversation key may still name although that ticket is
// closed or gone (found so by an earlier run), which creating replaces; or ""
// ARGV[15], ARGV[16] -> the groups that want EventOpened and EventClosed (emit)
// ARGV[17..16+6n] -> per message: JSON, EventMessage JSON, its time (RFC3339Nano), "1" when
// it has a source id, the groups that want it (emit), its direction
// ARGV[17+6n..16+6n+f] -> the new ticket's HASH field, value pairs (used when creating)
// ARGV[17+6n+f] -> "1": answer with the whole ticket even when it was neither created nor
// closed
// ARGV[18+6n+f..27+6n+f] -> clock_step's arguments (stepArgs)
//
// Returns {-5, the open ticket's id or ""} when ARGV[1] is not the conversation's open
// ticket (and it was not to be created) | {0} the conversation names a ticket gone |
// {-2} closed | {1, created, added ("1"/"0" per message), closed, the ticket HASH (field,
// value pairs), its transfers, its cards HASH and its edits} when it was created or
// closed or the whole ticket was asked for, else {1, created, added, closed, {its
// number, status, source}}: most calls add a message, and reading the whole ticket
// and sending it back cost Redis more than the rest of the script.
var inboundScript = redis.NewScript(appendMessageLua + closeTicketLua + `
local k = {conv = KEYS[1], ticket = KEYS[2], messages = KEYS[3], held = KEYS[4], open = KEYS[5], seq = KEYS[6], cards = KEYS[8],
	lastclosed = KEYS[10], expire = {KEYS[2], KEYS[10], KEYS[7], KEYS[3], KEYS[8], KEYS[9]}}
local open = redis.call('GET', KEYS[1])
local created = 0
local n = tonumber(ARGV[7])
if ARGV[2] == '1' and (not open or open == ARGV[14]) then
	local f = tonumber(ARGV[13])
	local at = 17 + 6 * n
	redis.call('HSET', KEYS[2], unpack(ARGV, at, at + f - 1))
	redis.call('SET', KEYS[1], ARGV[1])
	redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
	local eid = emit(KEYS[6], ARGV[15], 't', 'ticket.opened', 'k', ARGV[1], 'e', ARGV[5])
	redis.call('HSET', KEYS[2], 'card_event', ARGV[3] .. '/' .. eid)
	created = 1
elseif open ~= ARGV[1] then
	return {-5, open or ''}
end
local status = redis.call('HGET', KEYS[2], 'status')
if not status then
	return {0}
elseif status == 'closed' then
	return {-2}
end
local place = 'inbox'
if status == 'pending' then
	place = 'card'
end
local added = {}
local last = 17 + 6 * n + tonumber(ARGV[13])
local clock = step_args(last + 1)
for i = 1, n do
	local base = 17 + 6 * (i - 1)
	local msg, ev, t = ARGV[base], ARGV[base + 1], ARGV[base + 2]
	local new = ARGV[base + 3] ~= '1' or redis.call('SET', KEYS[10 + i], '1', 'NX', 'PX', ARGV[6])
	if new then
		-- the opening message of a ticket just created has no event: the card shows it
		local where = place
		if ARGV[base + 5] == 'agent' or ARGV[base + 5] == 'internal' then
			where = 'inbox' -- a customer channel's request's answer or note: never held for a pick
		end
		append_message(k, ARGV[1], msg, ev, t, where, not (created == 1 and tostring(i) == ARGV[8]), ARGV[base + 4])
		clock_step(k, ARGV[1], ARGV[base + 5], t, clock)
		added[i] = '1'
	else
		added[i] = '0'
	end
end
local closed = 0
if ARGV[9] ~= '' then
	close_ticket(k, ARGV[1], ARGV[10], '', ARGV[11], '1', '', ARGV[12], ARGV[9], ARGV[16])
	closed = 1
end
if created == 0 and closed == 0 and ARGV[last] ~= '1' then
	return {1, created, table.concat(added), closed, redis.call('HMGET', KEYS[2], 'number', 'status', 'source')}
end
return {1, created, table.concat(added), closed, redis.call('HGETALL', KEYS[2]), redis.call('LRANGE', KEYS[7], 0, -1),
	redis.call('HGETALL', KEYS[8]), redis.call('LRANGE', KEYS[9], 0, -1)}
`)

// Inbound applies what a source says happened in one conversation in one script run. See
// tickets.Store.
//
// For a conversation this process has seen before (opened, found or added to) it takes
// one round trip: the id of its open ticket is remembered (ticketHints), and the script
// checks that it still is before it changes anything; when it is not, the script answers
// with the one that is and Inbound runs again with it. A new ticket's number is taken from
// the global counter before the script runs, so that the script's keys all live in one
// partition; two first requests racing for one conversation may burn a number.
func (r *Redis) Inbound(ctx context.Context, w tickets.InboundWrite) (tickets.InboundApplied, error) {
	if !tickets.ValidSource(w.Source) || w.ConversationID == "" {
		return tickets.InboundApplied{}, fmt.Errorf("%w: store: an inbound needs a source name and a conversation id", tickets.ErrInvalid)
	}
	for _, m := range w.Messages {
		if m.Direction != tickets.FromCustomer && m.Direction != tickets.FromSourceAgent &&
			!((m.Direction == tickets.FromAgent || m.Direction == tickets.Internal) && w.Source == tickets.SourceSlack) {
			return tickets.InboundApplied{}, fmt.Errorf("%w: store: a source's message has direction %q", tickets.ErrInvalid, m.Direction)
		}
	}
	p := PartitionOf(w.Source, w.ConversationID)
	conv := r.keys.conv(p, w.Source, w.ConversationID)
	id, known := r.open.get(conv)
	if !known {
		got, err := r.c.Get(ctx, conv).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return tickets.InboundApplied{}, fmt.Errorf("store: inbound %s %s: %w", w.Source, w.ConversationID, err)
		}
		id = tickets.ID(got)
	}
	stale := tickets.ID("") // a ticket the conversation key names that is not open
	for range 4 {           // a conversation's ticket changes at most once or twice in a moment
		number := int64(0)
		if id == "" {
			if w.Open == nil {
				return tickets.InboundApplied{}, tickets.ErrNotFound
			}
			n, err := r.c.Incr(ctx, r.keys.ticketSeq()).Result()
			if err != nil {
				return tickets.InboundApplied{}, fmt.Errorf("store: inbound: take a ticket number: %w", err)
			}
			id, number = ticketID(n, p), n
		}
		res, code, next, err := r.inbound(ctx, p, conv, id, number, stale, w)
		switch {
		case err != nil:
			r.open.forget(conv)
			return tickets.InboundApplied{}, wrapErr("inbound", id, err)
		case code == codeOK:
			if res.State.IsOpen() {
				r.open.put(conv, res.State.ID)
			} else {
				r.open.forget(conv)
			}
			if res.Closed && res.Ticket.Inbox != "" && r.cfg.Retention > 0 {
				// The inbox index lives outside the ticket's slot (see Close). Best effort.
				_ = r.c.PExpire(ctx, r.keys.inbox(res.Ticket.Inbox), r.cfg.Retention).Err()
			}
			return res, nil
		case code == codeClosed || code == codeNotFound:
			stale, next = id, "" // the key names a ticket closed or gone: none is open
		}
		r.open.forget(conv)
		id = next
	}
	return tickets.InboundApplied{}, fmt.Errorf("store: inbound %s %s: its open ticket kept changing", w.Source, w.ConversationID)
}

// inbound runs inboundScript for ticket id, creating it (as number number) when number
// is not 0. It returns the script's code; for codeNotOpen, next is the conversation's
// open ticket ("" for none).
func (r *Redis) inbound(ctx context.Context, p int, conv string, id tickets.ID, number int64, stale tickets.ID, w tickets.InboundWrite) (_ tickets.InboundApplied, code int64, next tickets.ID, err error) {
	ref, err := parseID(id)
	if err != nil || ref.p != p {
		return tickets.InboundApplied{}, 0, "", fmt.Errorf("conversation key %s holds ticket id %q", conv, id)
	}
	create := number != 0
	keys := []string{
		conv, r.keys.ticket(ref), r.keys.messages(ref), r.keys.held(ref), r.keys.open(p), r.keys.outboxSeq(p),
		r.keys.transfers(ref), r.keys.cards(ref), r.keys.edits(ref), r.keys.lastClosed(p, w.Source, w.ConversationID),
	}
	opening := 0
	var opened, closed string
	openedTo, err := r.groupsOf(tickets.Event{Type: tickets.EventOpened})
	if err != nil {
		return tickets.InboundApplied{}, 0, "", err
	}
	closedTo, _ := r.groupsOf(tickets.Event{Type: tickets.EventClosed})
	var fields []any
	if create {
		nt := *w.Open
		nt.ID, nt.Number, nt.Status = id, number, tickets.StatusPending
		nt.Card, nt.Transfers = tickets.Card{}, nil
		if opened, err = marshal(tickets.Event{Type: tickets.EventOpened, TicketID: id, At: nt.CreatedAt, To: nt.Team}); err != nil {
			return tickets.InboundApplied{}, 0, "", err
		}
		fields = ticketFields(&nt)
		for i, m := range w.Messages {
			if m.Direction == tickets.FromCustomer {
				opening = i + 1
				break
			}
		}
	}
	closedAt, reason := "", ""
	if c := w.Close; c != nil {
		ev := tickets.Event{Type: tickets.EventClosed, TicketID: id, At: c.At, Reason: c.Reason, BySource: true}
		if closed, err = marshal(ev); err != nil {
			return tickets.InboundApplied{}, 0, "", err
		}
		closedAt, reason = fmtTime(c.At), c.Reason
	}
	createdAt := int64(0)
	if w.Open != nil {
		createdAt = w.Open.CreatedAt.UnixMilli()
	}
	args := []any{string(id), flag(create), p, createdAt, opened, r.cfg.DedupTTL.Milliseconds(), len(w.Messages), opening,
		closed, closedAt, reason, r.cfg.Retention.Milliseconds(), len(fields), string(stale), openedTo, closedTo}
	for _, m := range w.Messages {
		msg, err := marshal(m)
		if err != nil {
			return tickets.InboundApplied{}, 0, "", err
		}
		ev, groups, err := r.event(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: m.At, Actor: m.Author, Message: &m})
		if err != nil {
			return tickets.InboundApplied{}, 0, "", err
		}
		seen := r.keys.ticket(ref)
		if m.SourceMessageID != "" {
			seen = r.keys.seen(ref, m.Direction, m.SourceMessageID)
		}
		keys = append(keys, seen)
		args = append(args, msg, ev, fmtTime(m.At), flag(m.SourceMessageID != ""), groups, string(m.Direction))
	}
	args = append(args, fields...)
	args = append(args, flag(w.WholeTicket))
	step, err := r.stepArgs(id, w.Messages)
	if err != nil {
		return tickets.InboundApplied{}, 0, "", err
	}
	args = append(args, step...)
	res, err := r.pipe.run(ctx, rerunnable(create, w), inboundScript, keys, args...).Slice()
	if err != nil {
		return tickets.InboundApplied{}, 0, "", err
	}
	code, _ = res[0].(int64)
	switch code {
	case codeNotOpen:
		s, _ := res[1].(string)
		return tickets.InboundApplied{}, code, tickets.ID(s), nil
	case codeClosed, codeNotFound:
		return tickets.InboundApplied{}, code, "", nil
	case codeOK:
	default:
		return tickets.InboundApplied{}, 0, "", outcome(code)
	}
	out := tickets.InboundApplied{Opened: res[1] == int64(1), Closed: res[3] == int64(1)}
	switch len(res) {
	case 8:
		t, err := decodeTicket(pairs(res[4]), strs(res[5]), pairs(res[6]), strs(res[7]))
		if err != nil {
			return tickets.InboundApplied{}, 0, "", fmt.Errorf("corrupt ticket: %w", err)
		}
		out.Ticket, out.State = t, tickets.StateOf(t)
	case 5:
		if out.State, err = ticketState(id, res[4]); err != nil {
			return tickets.InboundApplied{}, 0, "", err
		}
	default:
		return tickets.InboundApplied{}, 0, "", fmt.Errorf("inboundScript answered %d values", len(res))
	}
	added, _ := res[2].(string)
	for i := range w.Messages {
		out.Added = append(out.Added, i < len(added) && added[i] == '1')
	}
	return out, code, "", nil
}

// ticketState reads ticket id's {number, status, source} as a script answers them (HMGET).
func ticketState(id tickets.ID, v any) (tickets.TicketState, error) {
	f := strs(v)
	if len(f) != 3 || f[1] == "" {
		return tickets.TicketState{}, fmt.Errorf("corrupt ticket %s: state %q", id, f)
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return tickets.TicketState{}, fmt.Errorf("corrupt ticket %s: number %q", id, f[0])
	}
	return tickets.TicketState{ID: id, Number: n, Status: tickets.Status(f[1]), Source: f[2]}, nil
}

// rerunnable reports whether w's inboundScript, run a second time, changes nothing
// (pipeliner): it creates no ticket, closes none, and each of its messages has a source
// id, by whose seen key a repeat is found.
func rerunnable(create bool, w tickets.InboundWrite) bool {
	if create || w.Close != nil {
		return false
	}
	for _, m := range w.Messages {
		if m.SourceMessageID == "" {
			return false
		}
	}
	return true
}
