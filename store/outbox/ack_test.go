package outbox

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// xackCounter is a go-redis hook that records every XACK a client sends: how many ids
// each carries.
type xackCounter struct {
	mu   sync.Mutex
	acks []int
}

func (x *xackCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (x *xackCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		x.record(cmd)
		return next(ctx, cmd)
	}
}

func (x *xackCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			x.record(cmd)
		}
		return next(ctx, cmds)
	}
}

func (x *xackCounter) record(cmd redis.Cmder) {
	if strings.EqualFold(cmd.Name(), "xack") {
		x.mu.Lock()
		x.acks = append(x.acks, len(cmd.Args())-3) // XACK key group id...
		x.mu.Unlock()
	}
}

func (x *xackCounter) sizes() []int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]int(nil), x.acks...)
}

// Handled entries are acknowledged together: after AckDelay, as soon as Batch of them
// wait, and when the Worker stops; never before their handler finished.
func TestWorker_AcksInBatches(t *testing.T) {
	t.Parallel()

	t.Run("OneXACKForEntriesHandledWithinAckDelay", func(t *testing.T) {
		r, c := newStore(t)
		const p = 3
		want := fill(t, r, p, 2)
		ca := redistest.AnotherClient(c)
		defer ca.Close()
		x := &xackCounter{}
		ca.AddHook(x)
		ra := r.on(t, ca)
		rec := &recorder{}
		cfg := testConfig("A")
		cfg.Batch, cfg.AckDelay = 100, time.Hour
		stop := start(t, newWorker(t, ra, "desk", rec.handle, cfg))
		eventually(t, "everything is handled", func() bool { return len(rec.done()) == len(want) })
		if n := pendingCount(t, r, "desk"); n != int64(len(want)) {
			t.Errorf("%d entries pending after all were handled within AckDelay, want %d", n, len(want))
		}
		stop() // acknowledges what waits
		if n := pendingCount(t, r, "desk"); n != 0 {
			t.Errorf("%d entries pending after the Worker stopped", n)
		}
		if got := x.sizes(); len(got) != 1 || got[0] != len(want) {
			t.Errorf("XACKs carried %v ids, want one XACK of %d", got, len(want))
		}
		checkOnceInOrder(t, rec, want)
	})

	t.Run("BatchWaitingIsAcknowledgedAtOnce", func(t *testing.T) {
		r, _ := newStore(t)
		const p = 6
		want := fill(t, r, p, 2)
		rec := &recorder{}
		cfg := testConfig("A")
		cfg.Batch, cfg.AckDelay = 4, time.Hour
		start(t, newWorker(t, r, "desk", rec.handle, cfg))
		eventually(t, "everything is handled", func() bool { return len(rec.done()) == len(want) })
		eventually(t, "a full batch is acknowledged", func() bool {
			return pendingCount(t, r, "desk") <= int64(len(want)-4)
		})
	})

	t.Run("HandledButNotAcknowledgedIsHandledAgainAfterACrash", func(t *testing.T) {
		r, c := newStore(t)
		const p = 11
		want := fill(t, r, p, 2)
		// A handles everything on its own connection, which is cut before its acks go.
		ca := redistest.AnotherClient(c)
		ra := r.on(t, ca)
		recA := &recorder{}
		cfgA := testConfig("A")
		cfgA.Batch, cfgA.AckDelay = 100, time.Hour
		stopA := start(t, newWorker(t, ra, "desk", recA.handle, cfgA))
		eventually(t, "A handles everything", func() bool { return len(recA.done()) == len(want) })
		ca.Close()

		recB := &recorder{}
		start(t, newWorker(t, r, "desk", recB.handle, testConfig("B")))
		eventually(t, "B handles everything", func() bool { return len(recB.done()) == len(want) })
		checkOnceInOrder(t, recB, want)
		for _, ev := range recB.done() {
			if got := recB.retriesOf(ev.ID); len(got) != 1 || !got[0] {
				t.Errorf("IsRetry of %s = %v, want [true]: A may have carried it out", ev.ID, got)
			}
		}
		eventually(t, "all is acknowledged", func() bool { return pendingCount(t, r, "desk") == 0 })
		stopA()
	})
}
