package outbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Stat is where a consumer group stands with the stream it works, over every partition.
type Stat struct {
	// Depth is how many entries the group has not acknowledged: those read and still in
	// hand (pending) and those not read yet, and the events it keeps as its latest
	// (Config.Latest) not yet carried out.
	Depth int64
	// Oldest is the age of the oldest of them, by the time in its stream id (for a key
	// whose latest event waits, that of the first event of the key still waiting); 0 when
	// Depth is 0.
	Oldest time.Duration
	// OldestUnread is the age of the oldest entry the group has not read yet: it grows
	// only while the group's workers do not keep up (or are not running), never because
	// entries in hand are being retried. 0 when all are read.
	OldestUnread time.Duration
}

// lagScanMax bounds how many entries are counted one by one on a partition where Redis
// cannot tell a group's lag (only after XDEL, which the store never does).
const lagScanMax = 1000

// Stats returns where each of groups stands with the streams it works in r (its outbox,
// with what is left of the legacy one, or the queue of inbound events for a Worker with
// Config.Inbound), over every partition, with ages by Redis's clock. A group not created
// on a partition yet has nothing there; one not created anywhere gets a zero Stat. It
// takes two round trips, whatever the number of groups.
func Stats(ctx context.Context, r *store.Redis, groups ...string) (map[string]Stat, error) {
	stats := make(map[string]Stat, len(groups))
	for _, g := range groups {
		stats[g] = Stat{}
	}
	if len(groups) == 0 {
		return stats, nil
	}
	// First every group of every stream; then, for each group asked about, its oldest
	// pending entry and the first entry it has not read.
	in := r.InboundStreams()
	streams := make([]string, 0, (2+len(groups))*store.Partitions)
	for p := range store.Partitions {
		streams = append(streams, in.Stream(p), r.OutboxStreams("").Legacy(p))
		for _, g := range groups {
			streams = append(streams, r.OutboxStreams(g).Stream(p))
		}
	}
	c := in.Client()
	pipe := c.Pipeline()
	clock := pipe.Time(ctx)
	infos := make([]*redis.XInfoGroupsCmd, len(streams))
	for i, s := range streams {
		infos[i] = pipe.XInfoGroups(ctx, s)
	}
	// The events a group keeps as its latest (Config.Latest) count in its depth and its
	// oldest entry's age, since the first of a key came; not as unread: the group looks
	// at them all each time it reads, and those still there wait on the group's pace.
	type waiting struct {
		group string
		read  func() (n, sinceMS int64, err error)
	}
	var kept []waiting
	for p := range store.Partitions {
		for _, g := range groups {
			if tickets.Latest(g) != nil {
				kept = append(kept, waiting{g, r.OutboxStreams(g).LatestWaiting(ctx, pipe, p)})
			}
		}
	}
	_, _ = pipe.Exec(ctx) // each command's error is looked at below
	now, err := clock.Result()
	if err != nil {
		return nil, fmt.Errorf("outbox: stats: %w", err)
	}
	for _, k := range kept {
		n, since, err := k.read()
		if err != nil {
			return nil, fmt.Errorf("outbox: stats: the latest events of group %s: %w", k.group, err)
		}
		if n > 0 {
			st := stats[k.group]
			st.Depth += n
			st.Oldest = max(st.Oldest, now.Sub(time.UnixMilli(since)))
			stats[k.group] = st
		}
	}
	type probe struct {
		group   string
		lag     int64                   // -1: Redis cannot tell
		pending *redis.XPendingCmd      // when the group has entries pending
		next    *redis.XMessageSliceCmd // the entries after the last one read
	}
	var probes []probe
	pipe = c.Pipeline()
	for i, cmd := range infos {
		gs, err := cmd.Result()
		if err != nil && strings.Contains(err.Error(), "no such key") {
			continue // no stream: nobody works this partition yet
		}
		if err != nil {
			return nil, fmt.Errorf("outbox: stats: %s: %w", streams[i], err)
		}
		for _, g := range gs {
			st, ok := stats[g.Name]
			if !ok {
				continue
			}
			pr := probe{group: g.Name, lag: g.Lag}
			st.Depth += g.Pending + max(g.Lag, 0)
			stats[g.Name] = st
			if g.Pending > 0 {
				pr.pending = pipe.XPending(ctx, streams[i], g.Name)
			}
			switch {
			case g.Lag < 0:
				pr.next = pipe.XRangeN(ctx, streams[i], "("+g.LastDeliveredID, "+", lagScanMax)
			case g.Lag > 0:
				pr.next = pipe.XRangeN(ctx, streams[i], "("+g.LastDeliveredID, "+", 1)
			}
			if pr.pending != nil || pr.next != nil {
				probes = append(probes, pr)
			}
		}
	}
	if len(probes) == 0 {
		return stats, nil
	}
	_, _ = pipe.Exec(ctx)
	for _, pr := range probes {
		st := stats[pr.group]
		var oldest string
		if pr.pending != nil {
			sum, err := pr.pending.Result()
			if err != nil {
				return nil, fmt.Errorf("outbox: stats: group %s: %w", pr.group, err)
			}
			if sum.Count > 0 {
				oldest = sum.Lower
			}
		}
		if pr.next != nil {
			msgs, err := pr.next.Result()
			if err != nil {
				return nil, fmt.Errorf("outbox: stats: group %s: %w", pr.group, err)
			}
			if pr.lag < 0 {
				st.Depth += int64(len(msgs))
			}
			if len(msgs) > 0 {
				if ms, _, err := splitID(msgs[0].ID); err == nil {
					st.OldestUnread = max(st.OldestUnread, now.Sub(time.UnixMilli(int64(ms))))
				}
				if oldest == "" {
					oldest = msgs[0].ID
				}
			}
		}
		if ms, _, err := splitID(oldest); err == nil {
			st.Oldest = max(st.Oldest, now.Sub(time.UnixMilli(int64(ms))))
		}
		stats[pr.group] = st
	}
	return stats, nil
}
