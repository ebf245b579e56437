package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// testOutboxConfig is an OutboxConfig with short durations.
func testOutboxConfig(consumer string) OutboxConfig {
	return OutboxConfig{
		Consumer: consumer, Block: 50 * time.Millisecond, Batch: 10, LeaseTTL: 300 * time.Millisecond,
		RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond, MaxAttempts: 5,
		ShutdownGrace: 2 * time.Second, TrimEvery: time.Hour,
	}
}

// newOutbox returns an Outbox of r for group; a zero cfg means testOutboxConfig with a
// random consumer name (so does one without a consumer name).
func newOutbox(t *testing.T, r *Redis, group string, h tickets.Handler, cfg OutboxConfig) *Outbox {
	t.Helper()
	if cfg.Consumer == "" {
		cfg = testOutboxConfig("consumer-" + rand.Text()[:6])
	}
	o, err := NewOutbox(r, group, h, cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// start runs o until the returned stop is called (or the test ends); stop waits for Run
// to return and checks that it returned nil.
func start(t *testing.T, o *Outbox) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return 10s after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// recorder is a handler that records the events it is given, in order, and then does
// what fail says (nil: succeed).
type recorder struct {
	mu   sync.Mutex
	evs  []tickets.Event
	fail func(ev tickets.Event, calls int) error
	// calls counts calls per event id; retries records tickets.IsRetry of each call.
	calls   map[string]int
	retries map[string][]bool
}

func (rec *recorder) handle(ctx context.Context, ev tickets.Event) error {
	rec.mu.Lock()
	if rec.calls == nil {
		rec.calls, rec.retries = map[string]int{}, map[string][]bool{}
	}
	rec.calls[ev.ID]++
	rec.retries[ev.ID] = append(rec.retries[ev.ID], tickets.IsRetry(ctx))
	n := rec.calls[ev.ID]
	fail := rec.fail
	rec.mu.Unlock()
	var err error
	if fail != nil {
		err = fail(ev, n)
	}
	if err == nil {
		rec.mu.Lock()
		rec.evs = append(rec.evs, ev)
		rec.mu.Unlock()
	}
	return err
}

// done returns the events handled successfully so far.
func (rec *recorder) done() []tickets.Event {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]tickets.Event(nil), rec.evs...)
}

// retriesOf returns tickets.IsRetry for each call with event id, in order.
func (rec *recorder) retriesOf(id string) []bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]bool(nil), rec.retries[id]...)
}

func (rec *recorder) callsOf(id string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.calls[id]
}

// eventually fails the test unless cond holds within 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// convsIn returns n conversation ids starting with name whose tickets land in
// partition p.
func convsIn(name string, p, n int) []string {
	var convs []string
	for i := 0; len(convs) < n; i++ {
		c := fmt.Sprint(name, "-", i)
		if partitionOf("webhook", c) == p {
			convs = append(convs, c)
		}
	}
	return convs
}

// allEvents returns every event in r's outbox streams, in stream order per partition.
func allEvents(t *testing.T, r *Redis) []tickets.Event {
	t.Helper()
	var evs []tickets.Event
	for p := range Partitions {
		msgs, err := r.c.XRange(context.Background(), r.keys.outbox(p), "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			ev, err := decodeEntry(p, m)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
	}
	return evs
}

// perTicket groups event ids by ticket, keeping their order.
func perTicket(evs []tickets.Event) map[tickets.ID][]string {
	m := map[tickets.ID][]string{}
	for _, ev := range evs {
		m[ev.TicketID] = append(m[ev.TicketID], ev.ID)
	}
	return m
}

// pendingCount is how many entries group has read and not acknowledged, over all partitions.
func pendingCount(t *testing.T, r *Redis, group string) int64 {
	t.Helper()
	var n int64
	for p := range Partitions {
		pe, err := r.c.XPending(context.Background(), r.keys.outbox(p), group).Result()
		if err != nil && !strings.HasPrefix(err.Error(), "NOGROUP") {
			t.Fatal(err)
		}
		if pe != nil {
			n += pe.Count
		}
	}
	return n
}
