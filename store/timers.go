package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A timer is a member of P{N}:timers scored by its due time in unix ms; the member is
// "<event type>\n<ticket id>\n<event JSON>", the fields of the outbox entry it becomes.

// scheduleScript adds a timer for an existing ticket.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:timers
// ARGV[1] -> due, unix ms
// ARGV[2] -> the timer member
//
// Returns 1 scheduled (or already) | 0 no such ticket.
var scheduleScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
return 1
`)

// fireScript moves the timers due by now into the outbox, oldest first. Run by every
// process: Redis runs one script at a time, so each timer fires once. Timers are routed
// by their type (they are never messages) when they fire, so that they go to the groups
// of the moment.
//
// KEYS[1] -> P{N}:timers
// KEYS[2] -> P{N}:outbox-seq
// ARGV[1] -> now, unix ms
// ARGV[2] -> at most this many
// ARGV[3] -> the routes: "<route>=<groups>" lines (emit)
//
// Returns how many fired.
var fireScript = redis.NewScript(emitLua + `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due == 0 then
	return 0
end
local routes = {}
for route, groups in string.gmatch(ARGV[3], '([^=\n]*)=([^\n]*)') do
	routes[route] = groups
end
for _, m in ipairs(due) do
	local a = string.find(m, '\n', 1, true)
	local b = string.find(m, '\n', a + 1, true)
	local t = string.sub(m, 1, a - 1)
	emit(KEYS[2], routes[t] or '', 't', t, 'k', string.sub(m, a + 1, b - 1), 'e', string.sub(m, b + 1))
	redis.call('ZREM', KEYS[1], m)
end
return #due
`)

// Schedule appends ev to ticket id's outbox at time at. See tickets.Store.
func (r *Redis) Schedule(ctx context.Context, id tickets.ID, ev tickets.Event, at time.Time) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("schedule", id, err)
	}
	ev.TicketID = id
	e, err := marshal(ev)
	if err != nil {
		return err
	}
	member := string(ev.Type) + "\n" + string(id) + "\n" + e
	code, err := scheduleScript.Run(ctx, r.c, []string{r.keys.ticket(ref), r.keys.timers(ref.p)},
		at.UnixMilli(), member).Int64()
	if err != nil {
		return wrapErr("schedule", id, err)
	}
	return wrapErr("schedule", id, outcome(code))
}

// fireDue moves the timers due by now into the outbox, in every partition, and returns
// how many fired.
func (r *Redis) fireDue(ctx context.Context, now time.Time) (int64, error) {
	table, err := r.routeTable()
	if err != nil {
		return 0, err
	}
	var n int64
	for p := range Partitions {
		for {
			k, err := fireScript.Run(ctx, r.c, []string{r.keys.timers(p), r.keys.outboxSeq(p)},
				now.UnixMilli(), fireBatch, table).Int64()
			if err != nil {
				return n, err
			}
			n += k
			if k < fireBatch {
				break
			}
		}
	}
	return n, nil
}

const fireBatch = 100

// RunTimers fires due timers every interval until ctx ends. Every replica may run it.
func (r *Redis) RunTimers(ctx context.Context, every time.Duration, log *zap.Logger) {
	if log == nil {
		log = zap.NewNop()
	}
	for {
		// Each round starts every after the last one ended, so a slow round never
		// makes rounds pile up.
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if n, err := r.fireDue(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("fire timers", zap.Error(err))
		} else if n > 0 {
			log.Debug("timers fired", zap.Int64("count", n))
		}
	}
}
