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
// one queue per ticket (per conversation, for queued source events), each drained in stream order by its own goroutine, so that a
// ticket whose side effect keeps failing (a customer endpoint that is down) holds back
// its own later entries and nothing else.
type queues struct {
	w         *Worker
	p         int
	ctx, hctx context.Context // see Worker.work
	stop      func()          // stops the partition (after a bookkeeping failure)

	mu      sync.Mutex
	byTkt   map[tickets.ID][]entry
	running map[tickets.ID]bool
	held    map[string]bool            // ids of the entries queued, being handled or awaiting their ack
	toAck   map[string][]string        // ids of the entries handled and not yet acknowledged, by stream
	follow  map[string][]tickets.Event // the follow-ups of their handler calls, by stream
	nToAck  int                        // how many toAck holds
	room    chan struct{}              // receives when an entry is done
	err     error                      // the first bookkeeping failure
	wg      sync.WaitGroup

	ackNow   chan struct{} // receives when an entry is handled (the first of a batch, or the Batch-th)
	ackStop  chan struct{} // closed to stop runAcks
	ackedAll chan struct{} // closed when runAcks returned
}

func newQueues(w *Worker, p int, ctx, hctx context.Context, stop func()) *queues {
	return &queues{w: w, p: p, ctx: ctx, hctx: hctx, stop: stop, byTkt: map[tickets.ID][]entry{},
		running: map[tickets.ID]bool{}, held: map[string]bool{}, toAck: map[string][]string{}, follow: map[string][]tickets.Event{}, room: make(chan struct{}, 1),
		ackNow: make(chan struct{}, 1), ackStop: make(chan struct{}), ackedAll: make(chan struct{})}
}

// add queues msgs of stream (in stream order), skipping those already held; a malformed
// entry is dead-lettered at once. It returns an error only when Redis fails doing that.
func (q *queues) add(stream string, msgs []redis.XMessage, claimed bool) error {
	for _, m := range msgs {
		q.mu.Lock()
		dup := q.held[m.ID]
		q.mu.Unlock()
		if dup {
			continue
		}
		e := entry{stream: stream, msg: m, claimed: claimed}
		ev, err := q.w.s.Decode(q.p, m)
		if err != nil {
			q.w.log.Error("malformed outbox entry", zapPartition(q.p), zap.String("entry", m.ID), zap.Error(err))
			if err := q.w.deadLetter(q.hctx, q.p, e, fmt.Errorf("malformed entry: %w", err), 0); err != nil {
				return err
			}
			continue
		}
		e.ev = ev
		q.mu.Lock()
		q.held[m.ID] = true
		key := q.w.s.OrderKey(ev)
		q.byTkt[key] = append(q.byTkt[key], e)
		start := !q.running[key]
		q.running[key] = true
		q.mu.Unlock()
		if start {
			q.wg.Add(1)
			go q.drain(key)
		}
	}
	return nil
}

// drain handles ticket id's entries one after another until its queue is empty. After a
// failure to stop (shutdown, lost lease, Redis) the rest stays pending for the next holder.
func (q *queues) drain(id tickets.ID) {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		list := q.byTkt[id]
		if len(list) == 0 || q.err != nil {
			delete(q.byTkt, id)
			delete(q.running, id)
			q.mu.Unlock()
			return
		}
		e := list[0]
		q.byTkt[id] = list[1:]
		q.mu.Unlock()

		handled, follow, err := q.w.handleEntry(q.ctx, q.hctx, q.p, e)
		if handled {
			q.acked(e.stream, e.msg.ID, follow)
			continue
		}
		q.mu.Lock()
		delete(q.held, e.msg.ID)
		q.mu.Unlock()
		q.finished(err)
	}
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

// acked queues the acknowledgement of entry id of stream, which its handler finished,
// with the follow-ups its handler call asked for: runAcks sends it with the others handled
// within AckDelay. The entry stays held until then, so that no claim takes it up again.
func (q *queues) acked(stream, id string, follow []tickets.Event) {
	q.mu.Lock()
	q.toAck[stream] = append(q.toAck[stream], id)
	if len(follow) > 0 {
		q.follow[stream] = append(q.follow[stream], follow...)
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
	byStream, follow := q.toAck, q.follow
	q.toAck, q.follow, q.nToAck = map[string][]string{}, map[string][]tickets.Event{}, 0
	q.mu.Unlock()
	if len(byStream) == 0 {
		return nil
	}
	err := q.w.ack(q.hctx, q.p, byStream, follow)
	q.mu.Lock()
	for _, ids := range byStream {
		for _, id := range ids {
			delete(q.held, id)
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
