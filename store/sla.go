package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A ticket's SLA clocks live in its HASH (codec.go): responded_at (the first response),
// awaiting_since (a customer message waiting for an answer after it), sla ("1" while its
// clocks are watched), auto_wait ("1": it waits on the customer after each reply) and
// alert:<name> (the outbox event that carried out that alert).

// clockStepLua defines clock_step, the one way a script starts or stops a ticket's SLA
// clocks, and moves its status, as a message just added does: an agent's message is the
// first response (when none came yet), answers the customer message waiting, and, when
// the ticket's team waits on the customer after each reply (auto_wait), sets an active
// ticket waiting; a customer's message after the first response waits for an answer
// (unless one waits already), and makes a ticket waiting on the customer active. at is
// the message's time (RFC3339Nano). While the ticket's clocks are watched (sla), a clock
// change appends EventClock; a status change always appends EventStatus. c holds what
// stepArgs builds in Go (step_args reads it from ARGV): the events' JSON, their groups,
// and the status changes' JSON. Source agents' messages, notes and notices change
// nothing.
const clockStepLua = keepLatestLua + statusLua + `
local function step_args(i)
	return {ev = ARGV[i], groups = ARGV[i + 1], lgroup = ARGV[i + 2], lkey = ARGV[i + 3], lorder = ARGV[i + 4],
		resume = ARGV[i + 5], resume_ev = ARGV[i + 6], wait = ARGV[i + 7], wait_ev = ARGV[i + 8], status_groups = ARGV[i + 9]}
end
local function clock_step(k, id, dir, at, c)
	if dir ~= 'agent' and dir ~= 'customer' then
		return
	end
	local f = redis.call('HMGET', k.ticket, 'responded_at', 'awaiting_since', 'sla', 'status', 'auto_wait')
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
		if f[4] == 'active' and f[5] == '1' then
			set_status(k, id, 'waiting', at, c.wait, c.wait_ev, c.status_groups)
		end
	else
		if responded ~= '' and awaiting == '' then
			redis.call('HSET', k.ticket, 'awaiting_since', at)
			changed = true
		end
		if f[4] == 'waiting' then
			set_status(k, id, 'active', at, c.resume, c.resume_ev, c.status_groups)
		end
	end
	if changed and f[3] == '1' then
		local eid = emit(k.seq, c.groups, 't', 'sla.clock', 'k', id, 'e', c.ev)
		if c.lgroup ~= '' then
			keep_latest(k.seq, eid, 'sla.clock', id, c.ev, c.lgroup, c.lkey, c.lorder)
		end
	end
end
`

// stepArgs are clock_step's arguments for adding msgs (the first's time and author) to
// ticket id, as step_args reads them: EventClock (its JSON, the groups whose streams it
// goes to, and the group that keeps it as its latest with its key and order), the
// customer's resuming change and its EventStatus, the agent's reply's change to waiting
// and its EventStatus, and the groups that want EventStatus.
func (r *Redis) stepArgs(id tickets.ID, msgs []tickets.Message) ([]any, error) {
	var m tickets.Message
	if len(msgs) > 0 {
		m = msgs[0]
	}
	clock, groups, latest, err := r.routedEvent(tickets.Event{Type: tickets.EventClock, TicketID: id, At: m.At})
	if err != nil {
		return nil, err
	}
	if len(latest) > 3 {
		return nil, fmt.Errorf("store: %d groups keep sla.clock as their latest; clock_step takes one", len(latest)/3)
	}
	latest = append(latest, "", "", "")[:3]
	args := append([]any{clock, groups}, latest...)
	var statusTo string
	for _, c := range []tickets.StatusChange{
		{From: tickets.StatusWaiting, To: tickets.StatusActive, At: m.At, Cause: tickets.CauseCustomer},
		{From: tickets.StatusActive, To: tickets.StatusWaiting, At: m.At, By: m.Author, Cause: tickets.CauseReply},
	} {
		change, err := marshal(c)
		if err != nil {
			return nil, err
		}
		ev, to, err := r.event(tickets.Event{Type: tickets.EventStatus, TicketID: id, At: m.At, Actor: c.By, Status: &c})
		if err != nil {
			return nil, err
		}
		args, statusTo = append(args, change, ev), to
	}
	return append(args, statusTo), nil
}

// setWatchScript sets a ticket's sla and auto_wait fields.
//
// KEYS[1] -> P{N}:ticket:<id>
// ARGV[1], ARGV[2] -> "1" or "": its clocks are watched; it waits on the customer after
// each reply
//
// Returns 1 | 0 no such ticket.
var setWatchScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
redis.call('HSET', KEYS[1], 'sla', ARGV[1], 'auto_wait', ARGV[2])
return 1
`)

// SetWatch records how ticket id is watched. See tickets.Store.
func (r *Redis) SetWatch(ctx context.Context, id tickets.ID, w tickets.Watch) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("set watch", id, err)
	}
	code, err := setWatchScript.Run(ctx, r.c, []string{r.keys.ticket(ref)}, flag(w.Clocks), flag(w.AutoWait)).Int64()
	if err != nil {
		return wrapErr("set watch", id, err)
	}
	return wrapErr("set watch", id, outcome(code))
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

// setCardDueScript sets a ticket's card_due field.
//
// KEYS[1] -> P{N}:ticket:<id>
// ARGV[1] -> the signature
//
// Returns 1 | 0 no such ticket.
var setCardDueScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
redis.call('HSET', KEYS[1], 'card_due', ARGV[1])
return 1
`)

// SetCardDue records what ticket id's card shows of its clocks. See tickets.Store.
func (r *Redis) SetCardDue(ctx context.Context, id tickets.ID, sig string) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("set card due", id, err)
	}
	code, err := setCardDueScript.Run(ctx, r.c, []string{r.keys.ticket(ref)}, sig).Int64()
	if err != nil {
		return wrapErr("set card due", id, err)
	}
	return wrapErr("set card due", id, outcome(code))
}
