package store

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A ticket's SLA clocks live in its HASH (codec.go): responded_at (the first response),
// awaiting_since (a customer message waiting for an answer after it), sla ("1" while its
// clocks are watched) and alert:<name> (the outbox event that carried out that alert).

// clockStepLua defines clock_step, the one way a script starts or stops a ticket's SLA
// clocks as a message just added does: an agent's message is the first response (when
// none came yet) and answers the customer message waiting; a customer's message after
// the first response waits for an answer (unless one waits already). at is the message's
// time (RFC3339Nano). While the ticket's clocks are watched, a change appends EventClock
// (clock.ev, for clock.groups). Source agents' messages, notes and notices change nothing.
const clockStepLua = `
local function clock_step(k, id, dir, at, clock)
	if dir ~= 'agent' and dir ~= 'customer' then
		return
	end
	local f = redis.call('HMGET', k.ticket, 'responded_at', 'awaiting_since', 'sla')
	local responded, awaiting, changed = f[1] or '', f[2] or '', false
	if dir == 'agent' then
		if responded == '' then
			redis.call('HSET', k.ticket, 'responded_at', at)
			changed = true
		end
		if awaiting ~= '' then
			redis.call('HSET', k.ticket, 'awaiting_since', '')
			changed = true
		end
	elseif responded ~= '' and awaiting == '' then
		redis.call('HSET', k.ticket, 'awaiting_since', at)
		changed = true
	end
	if changed and f[3] == '1' and clock.groups ~= '' then
		emit(k.seq, clock.groups, 't', 'sla.clock', 'k', id, 'e', clock.ev)
	end
end
`

// clockEvent is the EventClock that adding msgs to ticket id may append (at the first
// one's time), and the groups that want it.
func (r *Redis) clockEvent(id tickets.ID, msgs []tickets.Message) (ev, groups string, err error) {
	clock := tickets.Event{Type: tickets.EventClock, TicketID: id}
	if len(msgs) > 0 {
		clock.At = msgs[0].At
	}
	return r.event(clock)
}

// setSLAScript sets a ticket's sla field.
//
// KEYS[1] -> P{N}:ticket:<id>
// ARGV[1] -> "1" or ""
//
// Returns 1 | 0 no such ticket.
var setSLAScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
redis.call('HSET', KEYS[1], 'sla', ARGV[1])
return 1
`)

// SetSLA records whether ticket id's clocks are watched. See tickets.Store.
func (r *Redis) SetSLA(ctx context.Context, id tickets.ID, on bool) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("set sla", id, err)
	}
	code, err := setSLAScript.Run(ctx, r.c, []string{r.keys.ticket(ref)}, flag(on)).Int64()
	if err != nil {
		return wrapErr("set sla", id, err)
	}
	return wrapErr("set sla", id, outcome(code))
}

// claimAlertScript claims an alert for an event.
//
// KEYS[1] -> P{N}:ticket:<id>
// ARGV[1] -> alert:<name>
// ARGV[2] -> the event id
//
// Returns 1 claimed (now or before, by this event) | -1 claimed by another | 0 no such
// ticket.
var claimAlertScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 or redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
	return 1
end
return -1
`)

// ClaimAlert records that eventID carries out alert name of ticket id. See tickets.Store.
func (r *Redis) ClaimAlert(ctx context.Context, id tickets.ID, name, eventID string) (bool, error) {
	ref, err := parseID(id)
	if err != nil {
		return false, wrapErr("claim alert", id, err)
	}
	code, err := claimAlertScript.Run(ctx, r.c, []string{r.keys.ticket(ref)}, "alert:"+name, eventID).Int64()
	if err != nil {
		return false, wrapErr("claim alert", id, err)
	}
	if code == -1 {
		return false, nil
	}
	return code == 1, wrapErr("claim alert", id, outcome(code))
}
