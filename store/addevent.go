package store

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// addEventScript appends an event to a ticket's outbox if the ticket exists: to the
// streams of the groups that want it, and as their latest to the groups that keep only
// that of its kind (latest.go).
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> event type
// ARGV[3] -> the event, JSON
// ARGV[4] -> the groups that want it in their streams (emit)
// ARGV[5..] -> per group that keeps it as its latest: its name, key and order (keep_latest)
//
// Returns 1 appended | 0 no such ticket.
var addEventScript = redis.NewScript(emitLua + keepLatestLua + `
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
local id = emit(KEYS[2], ARGV[4], 't', ARGV[2], 'k', ARGV[1], 'e', ARGV[3])
for i = 5, #ARGV, 3 do
	keep_latest(KEYS[2], id, ARGV[2], ARGV[1], ARGV[3], ARGV[i], ARGV[i + 1], ARGV[i + 2])
end
return 1
`)

// AddEvent appends ev to the outbox of ticket id. See tickets.Store.
func (r *Redis) AddEvent(ctx context.Context, id tickets.ID, ev tickets.Event) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("add event", id, err)
	}
	ev.TicketID = id
	e, groups, latest, err := r.routedEvent(ev)
	if err != nil {
		return err
	}
	args := append([]any{string(id), string(ev.Type), e, groups}, latest...)
	code, err := addEventScript.Run(ctx, r.c, []string{r.keys.ticket(ref), r.keys.outboxSeq(ref.p)}, args...).Int64()
	if err != nil {
		return wrapErr("add event", id, err)
	}
	return wrapErr("add event", id, outcome(code))
}
