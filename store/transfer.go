package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// transferScript moves an open ticket to another team, pending there with a new card.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:ticket:<id>:transfers
// KEYS[3] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> partition N
// ARGV[3] -> the team it goes to, JSON
// ARGV[4] -> that team's channel id
// ARGV[5] -> the tickets.Transfer without From, JSON: {"to":...,"by":...,"at":...}
// ARGV[6] -> at, RFC3339Nano
// ARGV[7] -> EventTransferred without From, JSON
// ARGV[8] -> the groups that want it (emit)
//
// The transfer's From and the event's "from" field are the team the ticket leaves, as the
// HASH holds it. Returns 1 transferred | 0 no such ticket | -2 closed | -3 pending in
// that team already.
var transferScript = redis.NewScript(emitLua + `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
	return 0
elseif status == 'closed' then
	return -2
elseif status == 'pending' and redis.call('HGET', KEYS[1], 'team_channel') == ARGV[4] then
	return -3
end
local from = redis.call('HGET', KEYS[1], 'team')
redis.call('RPUSH', KEYS[2], '{"from":' .. from .. ',' .. string.sub(ARGV[5], 2))
local prev = redis.call('HGET', KEYS[1], 'card_event') or ''
local eid = emit(KEYS[3], ARGV[8], 't', 'ticket.transferred', 'k', ARGV[1], 'e', ARGV[7],
	'from', from, 'prev_card_event', prev)
redis.call('HSET', KEYS[1], 'team', ARGV[3], 'team_channel', ARGV[4], 'status', 'pending',
	'assignee', '', 'card_event', ARGV[2] .. '/' .. eid, 'updated_at', ARGV[6])
return 1
`)

// Transfer moves an open ticket to team to, pending. See tickets.Store.
func (r *Redis) Transfer(ctx context.Context, id tickets.ID, to tickets.Team, by tickets.Agent, at time.Time) (*tickets.Ticket, error) {
	if err := r.transfer(ctx, id, to, by, at); err != nil {
		return nil, wrapErr("transfer", id, err)
	}
	return r.Get(ctx, id)
}

func (r *Redis) transfer(ctx context.Context, id tickets.ID, to tickets.Team, by tickets.Agent, at time.Time) error {
	ref, err := parseID(id)
	if err != nil {
		return err
	}
	tr, err := marshal(struct {
		To tickets.Team  `json:"to"`
		By tickets.Agent `json:"by"`
		At time.Time     `json:"at"`
	}{to, by, at})
	if err != nil {
		return err
	}
	ev, groups, err := r.event(tickets.Event{Type: tickets.EventTransferred, TicketID: id, At: at, Actor: by, To: to})
	if err != nil {
		return err
	}
	keys := []string{r.keys.ticket(ref), r.keys.transfers(ref), r.keys.outboxSeq(ref.p)}
	code, err := transferScript.Run(ctx, r.c, keys, string(id), ref.p, mustJSON(to), to.ChannelID, tr, fmtTime(at), ev, groups).Int64()
	if err != nil {
		return err
	}
	return outcome(code)
}
