package outbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestWorker_Delivers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	rec := &recorder{}
	o := newWorker(t, r, "desk", rec.handle, Config{})
	stop := start(t, o)

	for i := range 5 {
		tk := open(t, r, convsIn("conv", i, 1)[0])
		say(t, r, tk, "more")
		if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
	}
	want := allEvents(t, r)
	eventually(t, "every event is handled", func() bool { return len(rec.done()) == len(want) })
	stop()
	if got := perTicket(rec.done()); !maps.EqualFunc(got, perTicket(want), slices.Equal) {
		t.Errorf("handled per ticket %v, want %v", got, perTicket(want))
	}
	for _, ev := range rec.done() {
		if ev.ID == "" || ev.TicketID == "" || ev.Type == "" {
			t.Errorf("handled a partial event %+v", ev)
		}
	}
	if n := pendingCount(t, r, "desk"); n != 0 {
		t.Errorf("%d entries left unacknowledged", n)
	}
}

// A batch holds several tickets of one partition: they are handled concurrently, each
// ticket's entries in stream order.
func TestWorker_OrderPerTicket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	var inFlight, most atomic.Int32
	rec := &recorder{fail: func(ev tickets.Event, _ int) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
		return nil
	}}
	cfg := testConfig("c1")
	cfg.Batch = 50
	o := newWorker(t, r, "desk", rec.handle, cfg)

	// Write everything first, so that batches hold several tickets.
	for _, conv := range convsIn("conv", 3, 5) {
		tk := open(t, r, conv)
		if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
		for range 8 {
			say(t, r, tk, "m")
		}
	}
	want := allEvents(t, r)
	start(t, o)
	eventually(t, "every event is handled", func() bool { return len(rec.done()) == len(want) })
	if got := perTicket(rec.done()); !maps.EqualFunc(got, perTicket(want), slices.Equal) {
		t.Errorf("handled per ticket %v, want %v", got, perTicket(want))
	}
	if most.Load() < 2 {
		t.Logf("tickets were never handled concurrently (most in flight: %d)", most.Load())
	}
}

func TestWorker_Errors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// run opens a ticket, adds three messages and runs a Worker over them whose handler
	// fails the event of message "two" as fail says; it returns the message texts in the
	// order they were handled, and the store.
	run := func(t *testing.T, cfg Config, fail func(calls int) error) ([]string, *testStore, *recorder) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-1")
		if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"one", "two", "three"} {
			say(t, r, tk, text)
		}
		rec := &recorder{fail: func(ev tickets.Event, calls int) error {
			if ev.Message != nil && ev.Message.Text == "two" {
				return fail(calls)
			}
			return nil
		}}
		start(t, newWorker(t, r, "desk", rec.handle, cfg))
		eventually(t, "the last message is handled", func() bool {
			evs := rec.done()
			return len(evs) > 0 && evs[len(evs)-1].Message != nil && evs[len(evs)-1].Message.Text == "three"
		})
		var texts []string
		for _, ev := range rec.done() {
			if ev.Message != nil {
				texts = append(texts, ev.Message.Text)
			}
		}
		eventually(t, "all is acknowledged", func() bool { return pendingCount(t, r, "desk") == 0 })
		return texts, r, rec
	}
	deadOf := func(t *testing.T, r *testStore) []map[string]any {
		var out []map[string]any
		for p := range store.Partitions {
			for _, m := range r.c.XRange(ctx, r.out.Dead(p), "-", "+").Val() {
				out = append(out, m.Values)
			}
		}
		return out
	}
	cfg := testConfig("c1")

	t.Run("TransientThenSuccess", func(t *testing.T) {
		texts, r, rec := run(t, cfg, func(calls int) error {
			if calls < 3 {
				return errors.New("slack is down")
			}
			return nil
		})
		if want := []string{"one", "two", "three"}; !slices.Equal(texts, want) {
			t.Errorf("handled %v, want %v", texts, want)
		}
		// Only the repeats are marked as retries: the first attempt may be trusted.
		for _, ev := range rec.done() {
			want := []bool{false}
			if ev.Message != nil && ev.Message.Text == "two" {
				want = []bool{false, true, true}
			}
			if got := rec.retriesOf(ev.ID); !slices.Equal(got, want) {
				t.Errorf("IsRetry of %s calls = %v, want %v", ev.ID, got, want)
			}
		}
		if dead := deadOf(t, r); len(dead) != 0 {
			t.Errorf("dead-lettered %v", dead)
		}
	})

	t.Run("Permanent", func(t *testing.T) {
		texts, r, rec := run(t, cfg, func(int) error { return tickets.Permanent(errors.New("channel_not_found")) })
		if want := []string{"one", "three"}; !slices.Equal(texts, want) {
			t.Errorf("handled %v, want %v", texts, want)
		}
		dead := deadOf(t, r)
		if len(dead) != 1 || dead[0]["group"] != "desk" || dead[0]["attempts"] != "1" || dead[0]["t"] != "message" ||
			dead[0]["e"] == nil || dead[0]["k"] == nil || dead[0]["id"] == nil ||
			dead[0]["error"] != "permanent: channel_not_found" {
			t.Fatalf("dead stream = %v", dead)
		}
		id := fmt.Sprintf("%d/%s", store.PartitionOf("webhook", "conv-1"), dead[0]["id"])
		if n := rec.callsOf(id); n != 1 {
			t.Errorf("a permanent failure was tried %d times", n)
		}
	})

	t.Run("MaxAttempts", func(t *testing.T) {
		var mu sync.Mutex
		var gaveUp []string
		cfg := cfg
		cfg.GaveUp = func(_ context.Context, ev tickets.Event, cause error) error {
			mu.Lock()
			defer mu.Unlock()
			gaveUp = append(gaveUp, ev.Message.Text+": "+cause.Error())
			return nil
		}
		texts, r, _ := run(t, cfg, func(int) error { return errors.New("still down") })
		if want := []string{"one", "three"}; !slices.Equal(texts, want) {
			t.Errorf("handled %v, want %v", texts, want)
		}
		if dead := deadOf(t, r); len(dead) != 1 || dead[0]["attempts"] != "5" || dead[0]["error"] != "still down" {
			t.Errorf("dead stream = %v, want the entry after 5 attempts", dead)
		}
		mu.Lock()
		defer mu.Unlock()
		if want := []string{"two: still down"}; !slices.Equal(gaveUp, want) {
			t.Errorf("GaveUp was told %v, want %v", gaveUp, want)
		}
	})

	t.Run("RateLimitsDoNotCount", func(t *testing.T) {
		// Twice MaxAttempts rate limits in a row, then success: the entry waited its turn
		// and was handled, never given up.
		texts, r, _ := run(t, cfg, func(calls int) error {
			if calls <= 2*cfg.MaxAttempts {
				return &tickets.RetryAfterError{After: time.Millisecond, Err: errors.New("ratelimited")}
			}
			return nil
		})
		if want := []string{"one", "two", "three"}; !slices.Equal(texts, want) {
			t.Errorf("handled %v, want %v", texts, want)
		}
		if dead := deadOf(t, r); len(dead) != 0 {
			t.Errorf("dead stream = %v, want nothing given up over rate limits", dead)
		}
	})

	t.Run("Panic", func(t *testing.T) {
		texts, _, _ := run(t, cfg, func(calls int) error {
			if calls == 1 {
				panic("boom")
			}
			return nil
		})
		if want := []string{"one", "two", "three"}; !slices.Equal(texts, want) {
			t.Errorf("handled %v, want %v", texts, want)
		}
	})

	t.Run("RetryAfter", func(t *testing.T) {
		const pause = 300 * time.Millisecond
		var mu sync.Mutex
		var times []time.Time
		cfg := cfg
		cfg.RetryBase, cfg.RetryMax = time.Millisecond, 2*time.Millisecond
		run(t, cfg, func(calls int) error {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			if calls == 1 {
				return &tickets.RetryAfterError{After: pause, Err: errors.New("rate limited")}
			}
			return nil
		})
		switch {
		case len(times) != 2:
			t.Errorf("handled %d times, want 2 (once rate limited, once done)", len(times))
		case times[1].Sub(times[0]) < pause:
			t.Errorf("retried after %v, want at least %v", times[1].Sub(times[0]), pause)
		}
	})
}

func TestWorker_MalformedEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-1")
	p := partitionOf(tk)
	for _, values := range []map[string]any{
		{"t": "message", "k": string(tk.ID), "e": "{not json"},
		{"t": "message", "k": "other-ticket", "e": `{"type":"message","ticket":"` + string(tk.ID) + `"}`},
		{"x": "1"},
	} {
		r.c.XAdd(ctx, &redis.XAddArgs{Stream: r.out.Stream(p), Values: values})
	}
	if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	start(t, newWorker(t, r, "desk", rec.handle, Config{}))
	eventually(t, "the pick is handled", func() bool { return len(rec.done()) == 2 })
	if got := typesOf(rec.done()); !slices.Equal(got, []tickets.EventType{tickets.EventOpened, tickets.EventPicked}) {
		t.Errorf("handled %v", got)
	}
	eventually(t, "all is acknowledged", func() bool { return pendingCount(t, r, "desk") == 0 })
	if n := r.c.XLen(ctx, r.out.Dead(p)).Val(); n != 3 {
		t.Errorf("dead stream has %d entries, want the 3 malformed ones", n)
	}
}

// TestWorker_StuckTicketHoldsBackOnlyItself: one ticket whose side effect keeps failing
// (its customer's endpoint is down) waits alone; other tickets of the same partition,
// and its later messages' neighbours, go on.
func TestWorker_StuckTicketHoldsBackOnlyItself(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	convs := convsIn("stuck", 3, 2)
	stuck, fine := open(t, r, convs[0]), open(t, r, convs[1])
	for _, tk := range []*tickets.Ticket{stuck, fine} {
		if _, err := r.Pick(context.Background(), tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	tries := 0
	rec := &recorder{fail: func(ev tickets.Event, _ int) error {
		if ev.TicketID == stuck.ID {
			mu.Lock()
			tries++
			mu.Unlock()
			return errors.New("customer endpoint is down")
		}
		return nil
	}}
	cfg := testConfig("c1")
	cfg.RetryBase, cfg.RetryMax, cfg.MaxAttempts = 50*time.Millisecond, 50*time.Millisecond, 1000
	stop := start(t, newWorker(t, r, "source", rec.handle, cfg))
	// The fine ticket's messages keep flowing while the stuck one retries.
	for i := range 5 {
		say(t, r, fine, fmt.Sprint("fine ", i))
		say(t, r, stuck, fmt.Sprint("stuck ", i))
	}
	eventually(t, "every event of the fine ticket is handled", func() bool {
		n := 0
		for _, ev := range rec.done() {
			if ev.TicketID == fine.ID {
				n++
			}
		}
		return n == 7 // opened, picked and 5 messages
	})
	eventually(t, "the stuck ticket is being retried", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return tries >= 3
	})
	for _, ev := range rec.done() {
		if ev.TicketID == stuck.ID {
			t.Fatalf("an event of the stuck ticket was handled: %+v", ev)
		}
	}
	stop()
	// Nothing of the stuck ticket was lost: its seven entries are still pending.
	if n := pendingCount(t, r, "source"); n != 7 {
		t.Errorf("%d entries pending after stopping, want the stuck ticket's 7", n)
	}
}

// A Worker with Inbound works through the queue of events sources sent
// (store.Redis.Enqueue), in order per conversation, each once.
func TestWorker_Inbound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	// Two conversations of one source, their events interleaved.
	for i, e := range []struct{ conv, id string }{
		{"conv-a", "e1"}, {"conv-b", "e2"}, {"conv-a", "e3"}, {"conv-b", "e4"}, {"conv-a", "e5"},
	} {
		if _, err := r.Enqueue(ctx, "gladly", e.conv, e.id, fmt.Sprintf(`{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	cfg := testConfig("in-1")
	cfg.Inbound = true
	stop := start(t, newWorker(t, r, "inbound:gladly", rec.handle, cfg))
	eventually(t, "every queued event is handled", func() bool { return len(rec.done()) == 5 })
	stop()
	per := map[string][]string{}
	for _, ev := range rec.done() {
		if ev.Type != tickets.EventInbound || ev.Source != "gladly" || rec.callsOf(ev.ID) != 1 {
			t.Errorf("event %+v, handled %d times", ev, rec.callsOf(ev.ID))
		}
		per[ev.ConversationID] = append(per[ev.ConversationID], ev.Payload)
	}
	if want := []string{`{"n":0}`, `{"n":2}`, `{"n":4}`}; !slices.Equal(per["conv-a"], want) {
		t.Errorf("conv-a = %v, want %v", per["conv-a"], want)
	}
	if want := []string{`{"n":1}`, `{"n":3}`}; !slices.Equal(per["conv-b"], want) {
		t.Errorf("conv-b = %v, want %v", per["conv-b"], want)
	}
}

// Tickets whose entries wait out a rate limit hold no goroutine while they wait: a
// backlog of thousands (a sink over its vendor's limit) costs a timer each, not a
// stack. When the work stops, they stop waiting at once and stay pending.
// Not parallel: it counts the process's goroutines.
func TestWorker_WaitingHoldsNoGoroutine(t *testing.T) {
	r, _ := newStore(t)
	var mu sync.Mutex
	tried := map[tickets.ID]bool{}
	rec := &recorder{fail: func(ev tickets.Event, _ int) error {
		mu.Lock()
		tried[ev.TicketID] = true
		mu.Unlock()
		return &tickets.RetryAfterError{After: time.Hour, Err: errors.New("429 Too Many Requests")}
	}}
	stop := start(t, newWorker(t, r, "source", rec.handle, Config{}))
	time.Sleep(200 * time.Millisecond) // its readers and leases are up
	before := runtime.NumGoroutine()
	const n = 400
	for i := range n {
		open(t, r, fmt.Sprintf("waiting-%d", i))
	}
	eventually(t, "every ticket's entry tried once", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(tried) == n
	})
	if extra := runtime.NumGoroutine() - before; extra > n/4 {
		t.Errorf("%d goroutines more with %d tickets waiting, want at most %d", extra, n, n/4)
	}
	stopped := time.Now()
	stop()
	if took := time.Since(stopped); took > 5*time.Second {
		t.Errorf("stopping took %s with tickets waiting an hour", took)
	}
	if got := pendingCount(t, r, "source"); got != n {
		t.Errorf("%d entries pending after stopping, want the %d waiting", got, n)
	}
	if len(rec.done()) != 0 {
		t.Errorf("handled %d entries that only ever waited", len(rec.done()))
	}
}
