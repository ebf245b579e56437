package outbox

import (
	"slices"

	"github.com/frontdeskhq/frontdesk/store"
)

// takeLatest queues the events partition p's group keeps as its latest (Config.Latest)
// that are not in hand, oldest first, as many as MaxInFlight leaves room for. first says
// the partition was just taken, so that an earlier holder may have carried them out: they
// count as claimed (their failures so far are read, their handler is told it may be a
// retry). It returns how many it queued.
func (w *Worker) takeLatest(q *queues, p int, first bool) (int, error) {
	ctx, cancel := bookkeeping(q.hctx)
	defer cancel()
	kept, err := w.s.ReadLatest(ctx, p)
	if err != nil || len(kept) == 0 {
		return 0, err
	}
	slices.SortFunc(kept, func(a, b store.LatestEntry) int {
		switch {
		case lessID(a.Msg.ID, b.Msg.ID):
			return -1
		case lessID(b.Msg.ID, a.Msg.ID):
			return 1
		}
		return 0
	})
	room := w.cfg.MaxInFlight - q.size()
	b := batch{stream: w.s.Latest(p), claimed: first}
	for _, k := range kept {
		if len(b.msgs) >= room {
			break
		}
		if q.inHand(k.Msg.ID) {
			continue
		}
		b.msgs, b.fields = append(b.msgs, k.Msg), append(b.fields, k.Field)
	}
	if len(b.msgs) == 0 {
		return 0, nil
	}
	return len(b.msgs), q.addBatches(b)
}
