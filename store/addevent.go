package store

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// addEventScript appends an event to a ticket's outbox if the ticket exists.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> event type
// ARGV[3] -> the event, JSON
// ARGV[4] -> the groups that want it (emit)
//
// Returns 1 appended | 0 no such ticket.
var addEventScript = redis.NewScript(emitLua + `
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
emit(KEYS[2], ARGV[4], 't', ARGV[2], 'k', ARGV[1], 'e', ARGV[3])
return 1
`)

// AddEvent appends ev to the outbox of ticket id. See tickets.Store.
func (r *Redis) AddEvent(ctx context.Context, id tickets.ID, ev tickets.Event) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("add event", id, err)
	}
	ev.TicketID = id
	e, err := marshal(ev)
	if err != nil {
		return err
	}
	groups, err := r.groupsOf(ev)
	if err != nil {
		return err
	}
	code, err := addEventScript.Run(ctx, r.c, []string{r.keys.ticket(ref), r.keys.outboxSeq(ref.p)},
		string(id), string(ev.Type), e, groups).Int64()
	if err != nil {
		return wrapErr("add event", id, err)
	}
	return wrapErr("add event", id, outcome(code))
}
