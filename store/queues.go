package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// queues hold the entries of one partition that a worker has read and not yet finished:
// one queue per ticket (per conversation, for queued source events), each drained in stream order by its own goroutine, so that a
// ticket whose side effect keeps failing (a customer endpoint that is down) holds back
// its own later entries and nothing else.
type queues struct {
	o         *Outbox
	p         int
	ctx, hctx context.Context // see Outbox.work
	stop      func()          // stops the partition (after a bookkeeping failure)

	mu      sync.Mutex
	byTkt   map[tickets.ID][]entry
	running map[tickets.ID]bool
	held    map[string]bool // ids of the entries queued or being handled
	room    chan struct{}   // receives when an entry is done
	err     error           // the first bookkeeping failure
	wg      sync.WaitGroup
}

func newQueues(o *Outbox, p int, ctx, hctx context.Context, stop func()) *queues {
	return &queues{o: o, p: p, ctx: ctx, hctx: hctx, stop: stop, byTkt: map[tickets.ID][]entry{},
		running: map[tickets.ID]bool{}, held: map[string]bool{}, room: make(chan struct{}, 1)}
}

// add queues msgs (in stream order), skipping those already held; a malformed entry is
// dead-lettered at once. It returns an error only when Redis fails doing that.
func (q *queues) add(msgs []redis.XMessage, claimed bool) error {
	for _, m := range msgs {
		q.mu.Lock()
		dup := q.held[m.ID]
		q.mu.Unlock()
		if dup {
			continue
		}
		ev, err := decodeEntry(q.p, m)
		if err != nil {
			q.o.log.Error("malformed outbox entry", zapPartition(q.p), zap.String("entry", m.ID), zap.Error(err))
			if err := q.o.deadLetter(q.hctx, q.p, m, fmt.Errorf("malformed entry: %w", err), 0); err != nil {
				return err
			}
			continue
		}
		q.mu.Lock()
		q.held[m.ID] = true
		key := orderKey(ev)
		q.byTkt[key] = append(q.byTkt[key], entry{msg: m, ev: ev, claimed: claimed})
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

		err := q.o.handleEntry(q.ctx, q.hctx, q.p, e)

		q.mu.Lock()
		delete(q.held, e.msg.ID)
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
