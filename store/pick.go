package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// pickScript makes a pending ticket active, then replays the messages held while it was
// pending.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:ticket:<id>:transfers
// KEYS[3] -> P{N}:ticket:<id>:held
// KEYS[4] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> the assignee, JSON
// ARGV[3] -> picked at, RFC3339Nano
// ARGV[4] -> EventPicked, JSON
// ARGV[5] -> EventMessage without its message, JSON: the "e" of each replayed message
// ARGV[6], ARGV[7], ARGV[8] -> the groups that want EventPicked, a customer's message and
// a source agent's message (emit)
//
// Returns {1, ""} picked | {0, ""} no such ticket | {-2, ""} closed |
// {-1, assignee JSON} already active.
var pickScript = redis.NewScript(emitLua + `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
	return {0, ''}
elseif status == 'closed' then
	return {-2, ''}
elseif status ~= 'pending' then -- active, waiting on the customer or on hold
	return {-1, redis.call('HGET', KEYS[1], 'assignee') or ''}
end
redis.call('HSET', KEYS[1], 'status', 'active', 'assignee', ARGV[2], 'picked_at', ARGV[3], 'updated_at', ARGV[3])
local after = '0'
if redis.call('LLEN', KEYS[2]) > 0 then
	after = '1'
end
emit(KEYS[4], ARGV[6], 't', 'ticket.picked', 'k', ARGV[1], 'e', ARGV[4], 'after_transfer', after)
for _, m in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
	local to = ARGV[7]
	if ARGV[8] ~= to and cjson.decode(m).direction == 'source_agent' then
		to = ARGV[8]
	end
	emit(KEYS[4], to, 't', 'message', 'k', ARGV[1], 'e', ARGV[5], 'm', m, 'place', 'inbox', 'replay', '1')
end
redis.call('DEL', KEYS[3])
return {1, ''}
`)

// Pick makes a pending ticket active with agent as assignee. See tickets.Store.
func (r *Redis) Pick(ctx context.Context, id tickets.ID, agent tickets.Agent, at time.Time) (*tickets.Ticket, error) {
	if err := r.pick(ctx, id, agent, at); err != nil {
		return nil, wrapErr("pick", id, err)
	}
	return r.Get(ctx, id)
}

func (r *Redis) pick(ctx context.Context, id tickets.ID, agent tickets.Agent, at time.Time) error {
	ref, err := parseID(id)
	if err != nil {
		return err
	}
	picked, pickedTo, err := r.event(tickets.Event{Type: tickets.EventPicked, TicketID: id, At: at, Actor: agent})
	if err != nil {
		return err
	}
	replay, err := marshal(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: at})
	if err != nil {
		return err
	}
	// The held messages are the customer's or the source's agents'.
	replayTo, err := r.groupsOf(tickets.Event{Type: tickets.EventMessage, Message: &tickets.Message{Direction: tickets.FromCustomer}})
	if err != nil {
		return err
	}
	replaySourceTo, _ := r.groupsOf(tickets.Event{Type: tickets.EventMessage, Message: &tickets.Message{Direction: tickets.FromSourceAgent}})
	keys := []string{r.keys.ticket(ref), r.keys.transfers(ref), r.keys.held(ref), r.keys.outboxSeq(ref.p)}
	res, err := pickScript.Run(ctx, r.c, keys, string(id), agentJSON(agent), fmtTime(at), picked, replay, pickedTo, replayTo, replaySourceTo).Slice()
	if err != nil {
		return err
	}
	if code := res[0].(int64); code != codeAlreadyPicked {
		return outcome(code)
	}
	var by tickets.Agent
	if err := unmarshalField(res[1].(string), &by); err != nil {
		return fmt.Errorf("corrupt assignee: %w", err)
	}
	return &tickets.AlreadyPickedError{By: by}
}
