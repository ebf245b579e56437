package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ackWithScript acknowledges entries of a stream for a group, each on its own, and for
// each one it did acknowledge (one still pending: not acknowledged before, by this
// consumer or one that took it over) appends the events its side effect led to
// (tickets.FollowUps), each if its ticket still exists, in one step: to the streams of
// the groups that want it, and as their latest to the groups that keep only that of its
// kind (latest.go). An entry acknowledged already gets no follow-ups a second time. A
// follow-up carries no ticket (as_written would cost a read and an entry many times the
// event's size): what its handler needs, the event names (a delivery, its inbox channel).
//
// KEYS[1] -> the stream, P{N}:outbox:<group> (or another of partition N)
// KEYS[2] -> P{N}:outbox-seq
// KEYS[3..] -> per event to append: P{N}:ticket:<id>
// ARGV[1] -> the group
// then per entry: its id, k its number of events, and per event its type, its ticket id,
// the event JSON, the groups that want it in their streams (emit), l the number of groups
// that keep it as their latest, and per such group its name, key and order (keep_latest)
//
// Returns how many entries were acknowledged.
var ackWithScript = redis.NewScript(emitLua + keepLatestLua + `
local acked, j, key = 0, 2, 3
while j <= #ARGV do
	local done = redis.call('XACK', KEYS[1], ARGV[1], ARGV[j])
	acked = acked + done
	local k = tonumber(ARGV[j + 1])
	j = j + 2
	for _ = 1, k do
		local l = tonumber(ARGV[j + 4])
		if done == 1 and (ARGV[j + 3] ~= '' or l > 0) and redis.call('EXISTS', KEYS[key]) == 1 then
			local id = emit(KEYS[2], ARGV[j + 3], 't', ARGV[j], 'k', ARGV[j + 1], 'e', ARGV[j + 2])
			for i = j + 5, j + 2 + 3 * l, 3 do
				keep_latest(KEYS[2], id, ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[i], ARGV[i + 1], ARGV[i + 2])
			end
		end
		j, key = j + 5 + 3 * l, key + 1
	end
end
return acked
`)

// AckWith acknowledges entries ids of stream, partition p's, for group, and appends the
// events follow names for each (the follow-ups of its side effect, by entry id) to the
// outbox, routed (latest.go for the groups that keep only the latest), in one atomic step: a crash leaves both or neither, and an entry that
// was acknowledged already (by a consumer that lost the lease, or an earlier try) gets no
// follow-ups again. An event of a ticket that is gone is dropped, as AddEvent would
// refuse it.
func (s Streams) AckWith(ctx context.Context, p int, stream, group string, ids []string, follow map[string][]tickets.Event) error {
	if len(ids) == 0 {
		return nil
	}
	keys := []string{stream, s.keys.outboxSeq(p)}
	args := []any{group}
	for _, id := range ids {
		var evs []any
		n := 0
		for _, ev := range follow[id] {
			ref, err := parseID(ev.TicketID)
			if err != nil {
				return fmt.Errorf("store: follow-up %s: %w", ev.Type, err)
			}
			if ref.p != p {
				// Not of this partition, so not in this script's slot: on its own, first.
				if err := s.Append(ctx, ev); err != nil {
					return err
				}
				continue
			}
			e, groups, latest, err := s.r.routedEvent(ev)
			if err != nil {
				return err
			}
			keys = append(keys, s.keys.ticket(ref))
			evs = append(evs, string(ev.Type), string(ev.TicketID), e, groups, len(latest)/3)
			evs = append(evs, latest...)
			n++
		}
		args = append(args, id, n)
		args = append(args, evs...)
	}
	if err := ackWithScript.Run(ctx, s.c, keys, args...).Err(); err != nil {
		return fmt.Errorf("store: ack %d entries of %s with follow-ups: %w", len(ids), stream, err)
	}
	return nil
}
