package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A picked ticket's status changes (tickets.StatusChange) are kept in its HASH: status,
// status_at (when the latest change was made, RFC3339Nano) and status_log (each change's
// JSON, one per line, oldest first).

// statusLua defines set_status, the one way a script changes a ticket's status between
// picked ones (or from closed, a reopen): to to at at, recording change (its JSON, with
// From set) and appending ev (EventStatus; none when "") for groups.
const statusLua = `
local function set_status(k, id, to, at, change, ev, groups)
	local log = redis.call('HGET', k.ticket, 'status_log') or ''
	if log ~= '' then
		log = log .. '\n'
	end
	redis.call('HSET', k.ticket, 'status', to, 'status_at', at, 'status_log', log .. change, 'updated_at', at)
	if ev ~= '' then
		emit(k.seq, groups, 't', 'ticket.status', 'k', id, 'e', ev)
	end
end
`

// statusScript changes a picked ticket's status.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> the status it goes to
// ARGV[3] -> at, RFC3339Nano
// ARGV[4] -> only while its latest change was made then (RFC3339Nano), or ""
// ARGV[5] -> the groups that want EventStatus (emit)
// ARGV[6..11] -> for a ticket active, waiting and on hold: the change's JSON and its
// EventStatus JSON, each with that From
//
// Returns 1 changed | 0 no such ticket | -2 closed | -4 pending | -6 in that status
// already | -7 its latest change is not ARGV[4]'s.
var statusScript = redis.NewScript(emitLua + statusLua + `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
	return 0
elseif status == 'closed' then
	return -2
elseif status == 'pending' then
	return -4
elseif ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'status_at') ~= ARGV[4] then
	return -7
elseif status == ARGV[2] then
	return -6
end
local i = ({active = 6, waiting = 8, on_hold = 10})[status]
if not i then
	return -4
end
set_status({ticket = KEYS[1], seq = KEYS[2]}, ARGV[1], ARGV[2], ARGV[3], ARGV[i], ARGV[i + 1], ARGV[5])
return 1
`)

// SetStatus applies c to a picked ticket. See tickets.Store.
func (r *Redis) SetStatus(ctx context.Context, id tickets.ID, c tickets.StatusChange, ifSince time.Time) (*tickets.Ticket, error) {
	if err := r.setStatus(ctx, id, c, ifSince); err != nil {
		return nil, wrapErr("set status", id, err)
	}
	return r.Get(ctx, id)
}

func (r *Redis) setStatus(ctx context.Context, id tickets.ID, c tickets.StatusChange, ifSince time.Time) error {
	ref, err := parseID(id)
	if err != nil {
		return err
	}
	args := []any{string(id), string(c.To), fmtTime(c.At), fmtTime(ifSince), ""}
	for _, from := range []tickets.Status{tickets.StatusActive, tickets.StatusWaiting, tickets.StatusOnHold} {
		c.From = from
		change, err := marshal(c)
		if err != nil {
			return err
		}
		ev, groups, err := r.event(tickets.Event{Type: tickets.EventStatus, TicketID: id, At: c.At, Actor: c.By, Status: &c})
		if err != nil {
			return err
		}
		args[4] = groups
		args = append(args, change, ev)
	}
	code, err := statusScript.Run(ctx, r.c, []string{r.keys.ticket(ref), r.keys.outboxSeq(ref.p)}, args...).Int64()
	if err != nil {
		return err
	}
	return outcome(code)
}
