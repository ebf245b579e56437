package outbox

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Versions before the outbox was routed appended every event to one stream per partition,
// P{N}:outbox, which every group read. After an upgrade a Worker finishes what its group
// has left there: whenever it takes over entries (when it starts working a partition,
// then every LeaseTTL) it first takes over its group's entries pending in that stream and
// reads the ones it has not read, before those of its own stream, which are newer. Its
// handler ignores the events it does not act on, as it always has.
//
// A replica of the earlier version still running during a rolling upgrade keeps
// appending there and reading there under the same leases; whichever process holds a
// partition's lease works it, so nothing is read twice. But a newer holder reads the
// legacy stream only every LeaseTTL: an entry an earlier replica appends there is carried
// out up to LeaseTTL later, after what newer replicas routed meanwhile, so during the
// upgrade a chat's events may go out of order across the two kinds of replica. The order
// is kept within each stream, not across the two.
//
// Once every group that reads the legacy stream has read and acknowledged all of it, the
// stream is deleted, and a partition without it costs one EXISTS per LeaseTTL.

// dropLegacyScript deletes a legacy stream that every group on it is done with: nothing
// pending, nothing after what it last read. (Its last id may be above its last entry:
// emit raises it, XSETID, while it is there.)
//
// KEYS[1] -> P{N}:outbox
//
// Returns 1 deleted | 0 kept (or no such stream).
var dropLegacyScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
local function field(pairs, name)
	for i = 1, #pairs, 2 do
		if pairs[i] == name then
			return pairs[i + 1]
		end
	end
end
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
	if field(g, 'pending') ~= 0 or
		#redis.call('XRANGE', KEYS[1], '(' .. field(g, 'last-delivered-id'), '+', 'COUNT', 1) > 0 then
		return 0
	end
end
redis.call('DEL', KEYS[1])
return 1
`)

// finishLegacy queues what the group has left in partition p's legacy stream: the
// entries pending there idle at least minIdle (see claimAll), then those not read yet, as
// room allows; when the stream is done with, it is deleted. wctx bounds the waits for
// room, ctx the Redis calls.
func (w *Worker) finishLegacy(wctx, ctx context.Context, p int, minIdle time.Duration, q *queues) error {
	legacy := w.s.Legacy(p)
	if legacy == "" {
		return nil
	}
	if n, err := w.c.Exists(ctx, legacy).Result(); err != nil || n == 0 {
		return err
	}
	// The group starts where a new group always has (Config.StartID); on a legacy stream
	// it usually exists already, where the earlier version left it.
	err := w.c.XGroupCreate(ctx, legacy, w.group, w.cfg.StartID).Err()
	switch {
	case err == nil, strings.HasPrefix(err.Error(), "BUSYGROUP"):
	case strings.Contains(err.Error(), "requires the key to exist"):
		return nil // deleted in between
	default:
		return err
	}
	err = q.claim(func() error {
		claimed, err := w.claimAll(ctx, legacy, minIdle)
		if err != nil {
			return err
		}
		return q.add(legacy, claimed, true)
	})
	if err != nil {
		return err
	}
	for wctx.Err() == nil {
		if q.size() >= w.cfg.MaxInFlight {
			q.waitRoom(wctx)
			continue
		}
		msgs, err := w.read(ctx, legacy, -1)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			break
		}
		if err := q.add(legacy, msgs, false); err != nil {
			return err
		}
	}
	if q.size() == 0 {
		return dropLegacyScript.Run(ctx, w.c, []string{legacy}).Err()
	}
	return nil
}
