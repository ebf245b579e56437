package outbox

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// entryReads counts, per stream, the XREADGROUP calls that brought entries.
type entryReads struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *entryReads) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *entryReads) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h *entryReads) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if xs, ok := cmd.(*redis.XStreamSliceCmd); ok && strings.EqualFold(cmd.Name(), "xreadgroup") {
			h.mu.Lock()
			for _, s := range xs.Val() {
				if len(s.Messages) > 0 {
					h.n[s.Stream]++
				}
			}
			h.mu.Unlock()
		}
		return err
	}
}

func (h *entryReads) of(stream string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[stream]
}

// A busy partition (entries read less than BusyGap apart) is read BusyLinger after its
// last read: entries written meanwhile come in one read, in order; a calm one is read at
// once.
func TestWorker_BusyLinger(t *testing.T) {
	t.Parallel()
	r, c := newStore(t)
	reads := &entryReads{n: map[string]int{}}
	c.AddHook(reads)
	tk := open(t, r, "conv-busy")
	stream := r.out.Stream(partitionOf(tk))
	got := make(chan string, 16)
	h := func(_ context.Context, ev tickets.Event) error {
		text := string(ev.Type)
		if ev.Message != nil {
			text = ev.Message.Text
		}
		got <- text
		return nil
	}
	cfg := testConfig("busy")
	cfg.BusyLinger, cfg.BusyGap = 400*time.Millisecond, time.Minute
	start(t, newWorker(t, r, "desk", h, cfg))
	next := func(want string) {
		t.Helper()
		select {
		case text := <-got:
			if text != want {
				t.Fatalf("handled %q, want %q", text, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q was not handled", want)
		}
	}
	next(string(tickets.EventOpened)) // taken with the partition
	say(t, r, tk, "one")
	next("one") // the first read: calm, read at once
	say(t, r, tk, "again")
	next("again") // read less than BusyGap after the first: busy, so the reader waits
	before := reads.of(stream)
	for _, text := range []string{"two", "three", "four"} {
		say(t, r, tk, text)
		time.Sleep(20 * time.Millisecond)
	}
	for _, text := range []string{"two", "three", "four"} {
		next(text)
	}
	if n := reads.of(stream) - before; n != 1 {
		t.Errorf("the three entries written while the busy partition waited came in %d reads, want 1", n)
	}
}
