package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A consumer group that needs only the latest of some of its events (tickets.Latest: a
// ticket's delivery marks) keeps those in a HASH per partition, P{N}:outbox:<group>:latest,
// one per key, instead of its stream: a later event of a key takes the place of an earlier
// one (unless it was written before it), in the same atomic step as the change that
// tells of it. The group's worker reads the whole HASH each time it looks (ReadLatest),
// and once it has carried an event out drops it, unless a later one took its place
// meanwhile (DropLatest). Its backlog is therefore one entry per key at most, however
// many events come and however long the group cannot act (Slack's rate limit on
// reactions), and it survives restarts and takeovers like the streams. ZSET
// P{N}:outbox:<group>:since keeps, per key, since when an event of it has been waiting,
// for the outbox's stats.
//
// Each kept event still gets its own id from the partition's sequence (emit), so that it
// has one tickets.Event.ID like every other.

// keepLatestLua defines keep_latest(seq, id, t, k, e, group, field, order): it keeps the
// event (its entry id, type, ticket id and JSON) as group's latest under field, unless the
// one kept there was written later (order: fixed width, see latestOrder). seq is the
// partition's P{N}:outbox-seq, whose tag the keys share.
const keepLatestLua = `
local function keep_latest(seq, id, t, k, e, group, field, order)
	local tag = string.sub(seq, 1, #seq - 10) -- less 'outbox-seq'
	local h = tag .. 'outbox:' .. group .. ':latest'
	local cur = redis.call('HGET', h, field)
	if cur and string.sub(cur, 1, #order) > order then
		return
	end
	redis.call('HSET', h, field, order .. ' ' .. id .. ' ' .. t .. ' ' .. k .. ' ' .. e)
	redis.call('ZADD', tag .. 'outbox:' .. group .. ':since', 'NX', string.match(id, '^(%d+)'), field)
end
`

// latestOrder is when an event was written as keep_latest compares it: nanoseconds since
// the epoch, 20 digits (0 for a time before it).
func latestOrder(at time.Time) string {
	var n int64
	if !at.IsZero() && at.Unix() > 0 {
		n = at.UnixNano()
	}
	return fmt.Sprintf("%020d", n)
}

// routedEvent is ev as an outbox entry's "e" field, the groups whose streams it goes to
// (as emit takes them), and the groups that keep it as their latest instead, each with
// its key and order, as keep_latest takes them (group, field, order, ...).
func (r *Redis) routedEvent(ev tickets.Event) (e, groups string, latest []any, err error) {
	all, err := r.groupsOf(ev)
	if err != nil {
		return "", "", nil, err
	}
	var streams []string
	for g := range strings.SplitSeq(all, ",") {
		if g == "" {
			continue
		}
		if keep := tickets.Latest(g); keep != nil {
			if key, at, ok := keep(ev); ok {
				latest = append(latest, g, key, latestOrder(at))
				continue
			}
		}
		streams = append(streams, g)
	}
	if e, err = marshal(ev); err != nil {
		return "", "", nil, err
	}
	return e, strings.Join(streams, ","), latest, nil
}

// Latest is the key of partition p's HASH of the group's latest-only events (see above);
// "" for the inbound queue, which has none.
func (s Streams) Latest(p int) string {
	if s.inbound {
		return ""
	}
	return s.keys.latest(s.group, p)
}

// LatestEntry is an event a group keeps as its latest of Field, as an entry to decode
// (Decode) like those of its stream.
type LatestEntry struct {
	Field string
	Msg   redis.XMessage
}

// ReadLatest returns the events partition p's group keeps as their latest, in no order.
// One that cannot be read back comes as entry 0-0 with no fields, so that decoding
// it fails (and DropLatest drops it by that id).
func (s Streams) ReadLatest(ctx context.Context, p int) ([]LatestEntry, error) {
	if s.inbound {
		return nil, nil
	}
	all, err := s.c.HGetAll(ctx, s.keys.latest(s.group, p)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: read the latest events of %s, partition %d: %w", s.group, p, err)
	}
	out := make([]LatestEntry, 0, len(all))
	for field, v := range all {
		// "<order> <entry id> <type> <ticket id> <event JSON>"
		parts := strings.SplitN(v, " ", 5)
		le := LatestEntry{Field: field, Msg: redis.XMessage{ID: "0-0"}}
		if len(parts) == 5 {
			le.Msg = redis.XMessage{ID: parts[1], Values: map[string]any{"t": parts[2], "k": parts[3], "e": parts[4]}}
		}
		out = append(out, le)
	}
	return out, nil
}

// dropLatestScript drops, of the latest events kept in a HASH, each named by its field
// and entry id, those still there: one a later event took the place of stays.
//
// KEYS[1] -> P{N}:outbox:<group>:latest
// KEYS[2] -> P{N}:outbox:<group>:since
// ARGV    -> field, entry id, field, entry id, ...
//
// Returns how many it dropped.
var dropLatestScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 2 do
	local cur = redis.call('HGET', KEYS[1], ARGV[i])
	if cur and (string.match(cur, '^%S+ (%S+) ') or '0-0') == ARGV[i + 1] then
		redis.call('HDEL', KEYS[1], ARGV[i])
		redis.call('ZREM', KEYS[2], ARGV[i])
		n = n + 1
	end
end
return n
`)

// DropLatest drops the latest events of partition p's group named by done (field, entry
// id pairs), each unless a later event took its place: the group carried them out.
func (s Streams) DropLatest(ctx context.Context, p int, done [][2]string) error {
	if len(done) == 0 || s.inbound {
		return nil
	}
	args := make([]any, 0, 2*len(done))
	for _, d := range done {
		args = append(args, d[0], d[1])
	}
	keys := []string{s.keys.latest(s.group, p), s.keys.latestSince(s.group, p)}
	if err := dropLatestScript.Run(ctx, s.c, keys, args...).Err(); err != nil {
		return fmt.Errorf("store: drop %d latest events of %s, partition %d: %w", len(done), s.group, p, err)
	}
	return nil
}

// LatestWaiting is how many events partition p's group keeps as its latest and the time
// (by the entry ids, in ms) since which the oldest of them has been waiting (0 when
// none), as commands queued on pipe; call the returned function after pipe ran.
func (s Streams) LatestWaiting(ctx context.Context, pipe redis.Pipeliner, p int) func() (n int64, sinceMS int64, err error) {
	if s.inbound {
		return func() (int64, int64, error) { return 0, 0, nil }
	}
	key := s.keys.latestSince(s.group, p)
	card := pipe.ZCard(ctx, key)
	first := pipe.ZRangeWithScores(ctx, key, 0, 0)
	return func() (int64, int64, error) {
		n, err := card.Result()
		if err != nil {
			return 0, 0, err
		}
		zs, err := first.Result()
		if err != nil || len(zs) == 0 {
			return n, 0, err
		}
		return n, int64(zs[0].Score), nil
	}
}

// Append appends ev, a follow-up appended on its own (of another partition than the entry
// it follows, or of an event kept as a group's latest), to the outbox of its ticket
// (Redis.AddEvent); a ticket that is gone takes none.
func (s Streams) Append(ctx context.Context, ev tickets.Event) error {
	if err := s.r.AddEvent(ctx, ev.TicketID, ev); err != nil && !errors.Is(err, tickets.ErrNotFound) {
		return err
	}
	return nil
}
