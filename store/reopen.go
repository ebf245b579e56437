package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// reopenScript opens a closed ticket again: the open ticket of its conversation, with the
// fields of its close cleared and its keys no longer expiring.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:conv:<source>:<conv>
// KEYS[3] -> P{N}:open
// KEYS[4] -> P{N}:lastclosed:<source>:<conv>
// KEYS[5] -> P{N}:outbox-seq
// KEYS[6..9] -> the ticket's transfers, messages, cards and edits
// ARGV[1] -> ticket id
// ARGV[2] -> at, RFC3339Nano
// ARGV[3] -> its closed_at as read before (RFC3339Nano): it must still be that
// ARGV[4] -> created at, unix ms (its score in the open set)
// ARGV[5] -> the groups that want EventReopened (emit)
// ARGV[6], ARGV[7] -> to active (it has an assignee): the change's JSON, EventReopened JSON
// ARGV[8], ARGV[9] -> to pending (it has none): the same
//
// Returns 1 reopened (or open again already) | 0 no such ticket | -7 another ticket of
// the conversation is open or closed since, or it closed again since read.
var reopenScript = redis.NewScript(emitLua + statusLua + `
local f = redis.call('HMGET', KEYS[1], 'status', 'assignee', 'closed_at')
if not f[1] then
	return 0
end
local open = redis.call('GET', KEYS[2])
if f[1] ~= 'closed' then
	if open == ARGV[1] then
		return 1
	end
	return -7
end
if open or redis.call('GET', KEYS[4]) ~= ARGV[1] or f[3] ~= ARGV[3] then
	return -7
end
local to, change, ev = 'pending', ARGV[8], ARGV[9]
if f[2] and f[2] ~= '' then
	to, change, ev = 'active', ARGV[6], ARGV[7]
end
redis.call('HSET', KEYS[1], 'closed_at', '', 'closed_by', '', 'close_reason', '', 'by_source', '', 'handed_back', '')
local k = {ticket = KEYS[1], seq = KEYS[5]}
set_status(k, ARGV[1], to, ARGV[2], change, '', '') -- its event is EventReopened, below
redis.call('SET', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
for _, key in ipairs({KEYS[1], KEYS[4], KEYS[6], KEYS[7], KEYS[8], KEYS[9]}) do
	redis.call('PERSIST', key)
end
emit(KEYS[5], ARGV[5], 't', 'ticket.reopened', 'k', ARGV[1], 'e', ev)
return 1
`)

// Reopen opens closed ticket id again. See tickets.Store.
func (r *Redis) Reopen(ctx context.Context, id tickets.ID, at time.Time) (*tickets.Ticket, error) {
	if err := r.reopen(ctx, id, at); err != nil {
		return nil, wrapErr("reopen", id, err)
	}
	t, err := r.Get(ctx, id)
	if err == nil && t.Inbox != "" {
		// The inbox index lives outside the ticket's slot (see Close). Best effort.
		_ = r.c.Persist(ctx, r.keys.inbox(t.Inbox)).Err()
	}
	return t, wrapErr("reopen", id, err)
}

func (r *Redis) reopen(ctx context.Context, id tickets.ID, at time.Time) error {
	ref, err := parseID(id)
	if err != nil {
		return err
	}
	f, err := r.c.HMGet(ctx, r.keys.ticket(ref), "source", "conv", "closed_at", "assignee", "created_at").Result()
	if err != nil {
		return err
	}
	source, _ := f[0].(string)
	convID, _ := f[1].(string)
	closedAt, _ := f[2].(string)
	if source == "" {
		return tickets.ErrNotFound
	}
	var assignee tickets.Agent
	if s, _ := f[3].(string); s != "" {
		if err := unmarshalField(s, &assignee); err != nil {
			return fmt.Errorf("corrupt assignee: %w", err)
		}
	}
	createdS, _ := f[4].(string)
	created, err := parseTime(createdS)
	if err != nil {
		return fmt.Errorf("corrupt created_at: %w", err)
	}
	closed, err := parseTime(closedAt)
	if err != nil {
		return fmt.Errorf("corrupt closed_at: %w", err)
	}
	args := []any{string(id), fmtTime(at), closedAt, created.UnixMilli(), ""}
	for _, to := range []tickets.Status{tickets.StatusActive, tickets.StatusPending} {
		c := tickets.StatusChange{From: tickets.StatusClosed, To: to, At: at, Cause: tickets.CauseReopen, ClosedAt: closed}
		change, err := marshal(c)
		if err != nil {
			return err
		}
		actor := assignee
		if to == tickets.StatusPending {
			actor = tickets.Agent{}
		}
		ev, groups, err := r.event(tickets.Event{Type: tickets.EventReopened, TicketID: id, At: at, Actor: actor, Status: &c})
		if err != nil {
			return err
		}
		args[4] = groups
		args = append(args, change, ev)
	}
	keys := []string{
		r.keys.ticket(ref), r.keys.conv(ref.p, source, convID), r.keys.open(ref.p), r.keys.lastClosed(ref.p, source, convID),
		r.keys.outboxSeq(ref.p), r.keys.transfers(ref), r.keys.messages(ref), r.keys.cards(ref), r.keys.edits(ref),
	}
	code, err := reopenScript.Run(ctx, r.c, keys, args...).Int64()
	if err != nil {
		return fmt.Errorf("reopen script: %w", err)
	}
	return outcome(code)
}
