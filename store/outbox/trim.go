package outbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/store"
)

// runTrim trims the streams of the partitions we hold every TrimEvery until ctx ends.
func (w *Worker) runTrim(ctx context.Context) {
	for sleep(ctx, w.cfg.TrimEvery) {
		for p := range store.Partitions {
			if !w.held[p].Load() {
				continue
			}
			tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			n, err := w.trim(tctx, p)
			cancel()
			if err != nil && ctx.Err() == nil {
				w.log.Warn("trim outbox", zapPartition(p), zap.Error(err))
			} else if n > 0 {
				w.log.Debug("trimmed outbox", zapPartition(p), zap.Int64("entries", n))
			}
		}
	}
}

// trim deletes the entries of partition p's streams that their consumer groups are done
// with, and returns how many: those of the group's own stream, and those of the legacy
// stream while it is there (legacy.go).
func (w *Worker) trim(ctx context.Context, p int) (int64, error) {
	n, err := w.trimStream(ctx, w.stream(p))
	if err != nil || w.s.Legacy(p) == "" {
		return n, err
	}
	m, err := w.trimStream(ctx, w.s.Legacy(p))
	if err != nil && strings.Contains(err.Error(), "no such key") {
		err = nil
	}
	return n + m, err
}

// trimStream deletes the entries of stream that every consumer group on it is done
// with, and returns how many. An entry is still needed by a group when the group has
// not read it yet or has read it without acknowledging it, so the stream keeps
// everything from the smallest, over all groups, of the oldest pending entry and the
// entry after the last one delivered. A group's own stream has that group alone; the
// legacy stream has every group.
//
// Each group's last-delivered id is read before its pending entries: entries read in
// between are newer than that id, so they are kept either way.
func (w *Worker) trimStream(ctx context.Context, stream string) (int64, error) {
	groups, err := w.c.XInfoGroups(ctx, stream).Result()
	if err != nil || len(groups) == 0 {
		return 0, err
	}
	var minID string
	for _, g := range groups {
		keep, err := nextID(g.LastDeliveredID)
		if err != nil {
			return 0, fmt.Errorf("group %s: %w", g.Name, err)
		}
		pending, err := w.c.XPending(ctx, stream, g.Name).Result()
		if err != nil {
			return 0, fmt.Errorf("group %s: %w", g.Name, err)
		}
		if pending.Count > 0 && lessID(pending.Lower, keep) {
			keep = pending.Lower
		}
		if minID == "" || lessID(keep, minID) {
			minID = keep
		}
	}
	return w.c.XTrimMinID(ctx, stream, minID).Result()
}

// nextID is the stream id right after id ("<ms>-<seq>").
func nextID(id string) (string, error) {
	ms, seq, err := splitID(id)
	if err != nil {
		return "", err
	}
	if seq == ^uint64(0) {
		return strconv.FormatUint(ms+1, 10) + "-0", nil
	}
	return strconv.FormatUint(ms, 10) + "-" + strconv.FormatUint(seq+1, 10), nil
}

// lessID reports whether stream id a comes before b; malformed ids compare as 0-0.
func lessID(a, b string) bool {
	ams, aseq, _ := splitID(a)
	bms, bseq, _ := splitID(b)
	return ams < bms || ams == bms && aseq < bseq
}

func splitID(id string) (ms, seq uint64, err error) {
	a, b, ok := strings.Cut(id, "-")
	if ms, err = strconv.ParseUint(a, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("malformed stream id %q", id)
	}
	if !ok {
		return ms, 0, nil // "<ms>" alone is "<ms>-0", as Redis reads it (miniredis reports a new group at "0")
	}
	if seq, err = strconv.ParseUint(b, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("malformed stream id %q", id)
	}
	return ms, seq, nil
}
