package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ackWithScript acknowledges entries of a stream for a group and appends the events their
// side effects led to (tickets.FollowUps), each if its ticket still exists and with the
// ticket as it is then (as_written), in one step.
//
// KEYS[1] -> the stream, P{N}:outbox:<group> (or another of partition N)
// KEYS[2] -> P{N}:outbox-seq
// KEYS[3..] -> per event to append: P{N}:ticket:<id> and P{N}:ticket:<id>:cards
// ARGV[1] -> the group
// ARGV[2] -> n, the number of entry ids
// ARGV[3..2+n] -> the entry ids
// then per event: its type, its ticket id, the event JSON, the groups that want it (emit)
//
// Returns how many entries were acknowledged.
var ackWithScript = redis.NewScript(emitLua + `
local n = tonumber(ARGV[2])
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 3, 2 + n))
local j = 3 + n
for i = 3, #KEYS, 2 do
	if ARGV[j + 3] ~= '' and redis.call('EXISTS', KEYS[i]) == 1 then
		emit(KEYS[2], ARGV[j + 3], unpack(as_written({'t', ARGV[j], 'k', ARGV[j + 1], 'e', ARGV[j + 2]}, KEYS[i], KEYS[i + 1])))
	end
	j = j + 4
end
return acked
`)

// AckWith acknowledges entries ids of stream, partition p's, for group, and appends the
// events follow (the follow-ups of their side effects) to the outbox, routed, in one
// atomic step: a crash leaves both or neither. An event of a ticket that is gone is
// dropped, as AddEvent would refuse it.
func (s Streams) AckWith(ctx context.Context, p int, stream, group string, ids []string, follow []tickets.Event) error {
	if len(ids) == 0 {
		return nil
	}
	keys := []string{stream, s.keys.outboxSeq(p)}
	args := make([]any, 0, 2+len(ids)+4*len(follow))
	args = append(args, group, len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	for _, ev := range follow {
		ref, err := parseID(ev.TicketID)
		if err != nil {
			return fmt.Errorf("store: follow-up %s: %w", ev.Type, err)
		}
		if ref.p != p {
			// Not of this partition, so not in this script's slot: on its own, first.
			if err := s.r.AddEvent(ctx, ev.TicketID, ev); err != nil && !errors.Is(err, tickets.ErrNotFound) {
				return err
			}
			continue
		}
		e, groups, err := s.r.event(ev)
		if err != nil {
			return err
		}
		keys = append(keys, s.keys.ticket(ref), s.keys.cards(ref))
		args = append(args, string(ev.Type), string(ev.TicketID), e, groups)
	}
	if err := ackWithScript.Run(ctx, s.c, keys, args...).Err(); err != nil {
		return fmt.Errorf("store: ack %d entries of %s with %d follow-ups: %w", len(ids), stream, len(follow), err)
	}
	return nil
}
