package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// queues hold the entries of one partition that a worker has read and not yet finished:
// one queue per ticket (per conversation, for queued source events), each drained in
// stream order by a goroutine of its own while it has an entry to try (none while it
// waits to try one again: park), so that a ticket whose side effect keeps failing (a
// customer endpoint that is down) holds back its own later entries and nothing else.
type queues struct {
	w         *Worker
	p         int
	ctx, hctx context.Context // see Worker.work
	stop      func()          // stops the partition (after a bookkeeping failure)

	mu      sync.Mutex
	byTkt   map[tickets.ID][]entry
	running map[tickets.ID]bool
	held    map[string]bool // ids of the entries queued, being handled or awaiting their ack
	// claimed, while a claim is in flight (claiming), holds the ids acknowledged since
	// it began: what it brings back of those is done already, not to be queued again.
	claiming bool
	claimed  map[string]bool
	toAck    map[string][]string        // ids of the entries handled and not yet acknowledged, by stream
	fields   map[string]string          // of those, the key of each kept as its group's latest, by entry id
	follow   map[string][]tickets.Event // the follow-ups of their handler calls, by entry id
	nToAck   int                        // how many toAck holds
	room     chan struct{}              // receives when an entry is done
	err      error                      // the first bookkeeping failure
	wg       sync.WaitGroup

	ackNow   chan struct{} // receives when an entry is handled (the first of a batch, or the Batch-th)
	ackStop  chan struct{} // closed to stop runAcks
	ackedAll chan struct{} // closed when runAcks returned
}

func newQueues(w *Worker, p int, ctx, hctx context.Context, stop func()) *queues {
	return &queues{w: w, p: p, ctx: ctx, hctx: hctx, stop: stop, byTkt: map[tickets.ID][]entry{},
		running: map[tickets.ID]bool{}, held: map[string]bool{}, toAck: map[string][]string{}, fields: map[string]string{}, follow: map[string][]tickets.Event{}, room: make(chan struct{}, 1),
		ackNow: make(chan struct{}, 1), ackStop: make(chan struct{}), ackedAll: make(chan struct{})}
}

// batch is entries read together from one stream; claimed says they were taken over
// from another consumer (or may have been carried out by one). fields, for the events
// kept as the group's latest (read from its HASH, stream), are their keys, one per msg.
type batch struct {
	stream  string
	msgs    []redis.XMessage
	claimed bool
	fields  []string
}

// add queues msgs of stream (in stream order), skipping those already held; a malformed
// entry is dead-lettered at once. It returns an error only when Redis fails doing that.
func (q *queues) add(stream string, msgs []redis.XMessage, claimed bool) error {
	return q.addBatches(batch{stream: stream, msgs: msgs, claimed: claimed})
}

// addBatches queues the entries of bs, in order, all at once: no ticket's entry is handled
// before the entries of that ticket in bs are all queued (so that Config.WrittenAt can
// order them). See add.
func (q *queues) addBatches(bs ...batch) error {
	var es []entry
	for _, b := range bs {
		for i, m := range b.msgs {
			if q.inHand(m.ID) {
				continue // a claim brings back what is in hand (retrying, awaiting its ack)
			}
			e := entry{stream: b.stream, msg: m, claimed: b.claimed}
			if b.fields != nil {
				e.field = b.fields[i]
			}
			ev, err := q.w.s.Decode(q.p, m)
			if err != nil {
				q.w.log.Error("malformed outbox entry", zapPartition(q.p), zap.String("entry", m.ID), zap.Error(err))
				if err := q.w.deadLetter(q.hctx, q.p, e, fmt.Errorf("malformed entry: %w", err), 0); err != nil {
					return err
				}
				continue
			}
			e.ev = ev
			es = append(es, e)
		}
	}
	var start []tickets.ID
	q.mu.Lock()
	for _, e := range es {
		if q.held[e.msg.ID] || q.claimed[e.msg.ID] { // again: the lock was let go meanwhile
			continue
		}
		q.held[e.msg.ID] = true
		key := q.w.s.OrderKey(e.ev)
		q.byTkt[key] = append(q.byTkt[key], e)
		if !q.running[key] {
			q.running[key] = true
			start = append(start, key)
		}
	}
	q.mu.Unlock()
	for _, key := range start {
		q.wg.Add(1)
		q.w.spare.Go(func() { q.drain(key) })
	}
	return nil
}

// drain handles ticket id's entries one after another until its queue is empty. After a
// failure to stop (shutdown, lost lease, Redis) the rest stays pending for the next holder.
func (q *queues) drain(id tickets.ID) {
	defer q.wg.Done()
	q.work(id, nil)
}

// work is drain, beginning with entry parked when it is set: an entry whose next attempt
// waited (park).
func (q *queues) work(id tickets.ID, parked *entry) {
	for {
		var e entry
		if parked != nil {
			e, parked = *parked, nil
		} else {
			q.mu.Lock()
			list := q.byTkt[id]
			if len(list) == 0 || q.err != nil {
				delete(q.byTkt, id)
				delete(q.running, id)
				q.mu.Unlock()
				return
			}
			if wait := q.unsettled(list[0]); wait > 0 {
				q.mu.Unlock()
				if !sleep(q.ctx, wait) {
					q.finished(errStopped) // what is left stays pending for the next holder
				}
				continue // what came meanwhile may have been written before it
			}
			e = list[0]
			q.byTkt[id] = list[1:]
			if i := q.firstWritten(list); i > 0 {
				e = list[i]
				q.byTkt[id] = append(list[:i:i], list[i+1:]...)
			}
			superseded := q.superseded(e, q.byTkt[id])
			var absorbed []entry
			if !superseded {
				e, absorbed = q.absorb(e, id)
			}
			q.mu.Unlock()

			if superseded {
				if e.claimed {
					q.w.forgetFailures(q.hctx, q.p, e.msg.ID) // an earlier holder may have counted some
				}
				q.w.observe(OutcomeSuperseded, 0)
				q.acked(e, nil)
				continue
			}
			e.try = &tries{absorbed: absorbed}
		}
		handled, follow, wait, err := q.w.handleEntry(q.ctx, q.hctx, q.p, e)
		if wait > 0 {
			q.park(id, e, wait)
			return
		}
		if handled {
			q.acked(e, follow)
			for _, a := range e.try.absorbed {
				q.w.observe(OutcomeSuperseded, 0)
				q.acked(a, nil)
			}
			continue
		}
		q.mu.Lock()
		delete(q.held, e.msg.ID)
		for _, a := range e.try.absorbed {
			delete(q.held, a.msg.ID) // pending as they were, for the next holder
		}
		if err == nil && q.claiming {
			q.claimed[e.msg.ID] = true // dead-lettered, so acknowledged: see claim
		}
		q.mu.Unlock()
		q.finished(err)
	}
}

// park has ticket id's queue wait d, with no goroutine, before it tries entry e again
// (work): a backlog waiting out a rate limit or a failing endpoint, a queue per ticket,
// costs a timer each rather than a goroutine's stack. The entry stays in hand, and its
// ticket's later entries behind it; when the work stops meanwhile it resumes at once, to
// leave them pending for the next holder.
func (q *queues) park(id tickets.ID, e entry, d time.Duration) {
	q.wg.Add(1)
	var once sync.Once
	resume := func() {
		once.Do(func() {
			q.w.spare.Go(func() {
				defer q.wg.Done()
				q.work(id, &e)
			})
		})
	}
	unwatch := context.AfterFunc(q.ctx, resume)
	time.AfterFunc(d, func() {
		unwatch()
		resume()
	})
}

// unsettled is how much longer entry e must wait, after it was stored, for the events
// written before it (Config.WrittenAt) to be stored too; 0 for an entry that need not.
func (q *queues) unsettled(e entry) time.Duration {
	if q.w.cfg.WrittenAt == nil || q.w.cfg.Settle == nil {
		return 0
	}
	if _, ok := q.w.cfg.WrittenAt(e.ev); !ok {
		return 0
	}
	settle := q.w.cfg.Settle()
	ms, _, err := splitID(e.msg.ID)
	if settle <= 0 || err != nil {
		return 0
	}
	return time.Until(time.UnixMilli(int64(ms)).Add(settle))
}

// superseded reports whether an entry of rest (the entries of e's ticket queued after it)
// stands for e (Config.Supersedes).
func (q *queues) superseded(e entry, rest []entry) bool {
	if q.w.cfg.Supersedes == nil {
		return false
	}
	for _, later := range rest {
		if q.w.cfg.Supersedes(e.ev, later.ev) {
			return true
		}
	}
	return false
}

// absorb takes into e the entries of ticket id's queue that it absorbs (Config.Absorbs),
// in order, and returns e as it then is and the entries taken, which leave the queue. q.mu
// is held.
func (q *queues) absorb(e entry, id tickets.ID) (entry, []entry) {
	if q.w.cfg.Absorbs == nil || e.claimed {
		return e, nil
	}
	rest := q.byTkt[id]
	var kept, absorbed []entry
	for _, later := range rest {
		if merged, ok := q.w.cfg.Absorbs(e.ev, later.ev); ok && !later.claimed {
			e.ev = merged
			absorbed = append(absorbed, later)
			continue
		}
		kept = append(kept, later)
	}
	if len(absorbed) > 0 {
		q.byTkt[id] = kept
	}
	return e, absorbed
}

// firstWritten is the index in list (a ticket's queue) of the entry to handle next: the
// first, or, when it is one Config.WrittenAt orders, the earliest written of the run of
// such entries it starts (in stream order among equals).
func (q *queues) firstWritten(list []entry) int {
	if q.w.cfg.WrittenAt == nil {
		return 0
	}
	best, at, ok := 0, time.Time{}, false
	if at, ok = q.w.cfg.WrittenAt(list[0].ev); !ok {
		return 0
	}
	for i := 1; i < len(list); i++ {
		t, ok := q.w.cfg.WrittenAt(list[i].ev)
		if !ok {
			break
		}
		if t.Before(at) {
			best, at = i, t
		}
	}
	return best
}

// finished records the outcome of bookkeeping (nil: none failed) and makes room for
// more entries; a failure stops the partition.
func (q *queues) finished(err error) {
	q.mu.Lock()
	if err != nil && q.err == nil {
		q.err = err
	}
	q.mu.Unlock()
	select {
	case q.room <- struct{}{}:
	default:
	}
	if err != nil {
		q.stop()
	}
}

// acked queues the acknowledgement of entry e, which its handler finished, with the
// follow-ups its handler call asked for: runAcks sends it with the others handled within
// AckDelay. The entry stays held until then, so that no claim takes it up again.
func (q *queues) acked(e entry, follow []tickets.Event) {
	id := e.msg.ID
	q.mu.Lock()
	q.toAck[e.stream] = append(q.toAck[e.stream], id)
	if e.field != "" {
		q.fields[id] = e.field
	}
	if len(follow) > 0 {
		q.follow[id] = follow
	}
	q.nToAck++
	n := q.nToAck
	q.mu.Unlock()
	if n == 1 || n >= int(q.w.cfg.Batch) {
		select {
		case q.ackNow <- struct{}{}:
		default:
		}
	}
}

// runAcks acknowledges handled entries until stopAcks is called: each batch AckDelay
// after its first entry was handled, or as soon as Batch of them wait.
func (q *queues) runAcks() {
	defer close(q.ackedAll)
	for {
		select {
		case <-q.ackNow:
		case <-q.ackStop:
			return
		}
		// Signals coalesce (ackNow holds one), so a batch may be full already.
		q.mu.Lock()
		full := q.nToAck >= int(q.w.cfg.Batch)
		q.mu.Unlock()
		wait := time.NewTimer(q.w.cfg.AckDelay)
		if full {
			wait.Stop()
		}
	linger:
		for !full {
			select {
			case <-wait.C:
				break linger
			case <-q.ackStop:
				wait.Stop()
				return // stopAcks sends what is left
			case <-q.ackNow:
				q.mu.Lock()
				full = q.nToAck >= int(q.w.cfg.Batch)
				q.mu.Unlock()
				if full {
					wait.Stop()
					break linger
				}
			}
		}
		if q.flushAcks() != nil {
			return
		}
	}
}

// flushAcks acknowledges every handled entry not yet acknowledged, in one XACK per
// stream, or one script with their follow-ups.
func (q *queues) flushAcks() error {
	q.mu.Lock()
	byStream, follow, fields := q.toAck, q.follow, q.fields
	q.toAck, q.follow, q.fields, q.nToAck = map[string][]string{}, map[string][]tickets.Event{}, map[string]string{}, 0
	q.mu.Unlock()
	if len(byStream) == 0 {
		return nil
	}
	err := q.w.ack(q.hctx, q.p, byStream, follow, fields)
	q.mu.Lock()
	for _, ids := range byStream {
		for _, id := range ids {
			delete(q.held, id)
			if q.claiming {
				q.claimed[id] = true
			}
		}
	}
	q.mu.Unlock()
	q.finished(err)
	return err
}

// stopAcks stops runAcks and acknowledges what is left. Call it once every handler has
// returned, before the partition's lease is let go.
func (q *queues) stopAcks() {
	close(q.ackStop)
	<-q.ackedAll
	if err := q.flushAcks(); err != nil {
		q.w.log.Warn("acknowledge handled entries; they will be handled again", zapPartition(q.p), zap.Error(err))
	}
}

// claim runs take, a claim of pending entries (XAUTOCLAIM), so that an entry it brings
// back which was acknowledged meanwhile is not queued again (see addBatches): the claim
// may have read it just before its acknowledgement.
func (q *queues) claim(take func() error) error {
	q.mu.Lock()
	q.claiming, q.claimed = true, map[string]bool{}
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.claiming, q.claimed = false, nil
		q.mu.Unlock()
	}()
	return take()
}

// inHand reports whether entry id is held, or was acknowledged while a claim runs.
func (q *queues) inHand(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.held[id] || q.claimed[id]
}

// notHeld is how many of msgs are not in hand.
func (q *queues) notHeld(msgs []redis.XMessage) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, m := range msgs {
		if !q.held[m.ID] {
			n++
		}
	}
	return n
}

// size is how many entries are queued or being handled.
func (q *queues) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.held)
}

// failure is the first bookkeeping failure, or nil.
func (q *queues) failure() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// waitRoom waits until an entry is done or ctx ends.
func (q *queues) waitRoom(ctx context.Context) {
	select {
	case <-q.room:
	case <-ctx.Done():
	}
}
