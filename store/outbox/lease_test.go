package outbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// fill writes events for n new tickets in partition p and returns every event of r's
// outbox in stream order.
func fill(t *testing.T, r *testStore, p, n int) []tickets.Event {
	t.Helper()
	for _, conv := range convsIn(rand.Text(), p, n) {
		tk := open(t, r, conv)
		if _, err := r.Pick(context.Background(), tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			say(t, r, tk, "m")
		}
	}
	return allEvents(t, r)
}

// checkOnceInOrder fails unless rec handled every event of want exactly once, each
// ticket's in stream order.
func checkOnceInOrder(t *testing.T, rec *recorder, want []tickets.Event) {
	t.Helper()
	if got := perTicket(rec.done()); !maps.EqualFunc(got, perTicket(want), slices.Equal) {
		t.Errorf("handled per ticket %v, want %v", got, perTicket(want))
	}
	for _, ev := range want {
		if n := rec.callsOf(ev.ID); n != 1 {
			t.Errorf("event %s was handled %d times", ev.ID, n)
		}
	}
}

// A consumer that read entries and died without acknowledging them (kill -9: its lease
// stays until it expires) is replaced by another that handles each of them once, in order.
func TestWorker_TakesOverFromDeadConsumer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("KilledReader", func(t *testing.T) {
		r, c := newStore(t)
		const p = 5
		want := fill(t, r, p, 2)
		stream := r.out.Stream(p)
		// Consumer A holds the lease, reads five entries and is killed.
		c.Set(ctx, r.out.Lease("desk", p), "A", 300*time.Millisecond)
		c.XGroupCreateMkStream(ctx, stream, "desk", "0")
		read := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "desk", Consumer: "A", Streams: []string{stream, ">"}, Count: 5}).Val()
		if len(read) != 1 || len(read[0].Messages) != 5 {
			t.Fatalf("A read %v", read)
		}

		rec := &recorder{}
		start(t, newWorker(t, r, "desk", rec.handle, testConfig("B")))
		eventually(t, "B handles everything", func() bool { return len(rec.done()) == len(want) })
		checkOnceInOrder(t, rec, want)
		// What A had read may have been carried out by A: B handles it as a retry.
		readByA := map[string]bool{}
		for _, m := range read[0].Messages {
			readByA[fmt.Sprintf("%d/%s", p, m.ID)] = true
		}
		for _, ev := range rec.done() {
			if got := rec.retriesOf(ev.ID); !slices.Equal(got, []bool{readByA[ev.ID]}) {
				t.Errorf("IsRetry of %s = %v, want [%v]", ev.ID, got, readByA[ev.ID])
			}
		}
		eventually(t, "all is acknowledged", func() bool { return pendingCount(t, r, "desk") == 0 })
	})

	t.Run("CutOff", func(t *testing.T) {
		r, c := newStore(t)
		const p = 9
		want := fill(t, r, p, 2)
		// A runs on its own connection, which is cut while its handler is busy: it can
		// neither acknowledge, renew nor release anything.
		ca := redistest.AnotherClient(c)
		ra := r.on(t, ca)
		entered := make(chan struct{}, 100)
		a := newWorker(t, ra, "desk", func(ctx context.Context, ev tickets.Event) error {
			entered <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}, testConfig("A"))
		stopA := start(t, a)
		<-entered
		ca.Close()

		rec := &recorder{}
		start(t, newWorker(t, r, "desk", rec.handle, testConfig("B")))
		eventually(t, "B handles everything", func() bool { return len(rec.done()) == len(want) })
		checkOnceInOrder(t, rec, want)
		stopA()
	})
}

func TestWorker_Shutdown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("FinishesInFlightAndReleasesLeases", func(t *testing.T) {
		r, c := newStore(t)
		tk := open(t, r, "conv-1")
		entered, release := make(chan struct{}), make(chan struct{})
		rec := &recorder{fail: func(ev tickets.Event, _ int) error {
			if ev.TicketID == tk.ID {
				close(entered)
				<-release
			}
			return nil
		}}
		o := newWorker(t, r, "desk", rec.handle, Config{})
		stop := start(t, o)
		<-entered
		eventually(t, "every lease is taken", func() bool {
			n := 0
			for p := range store.Partitions {
				if c.Get(ctx, r.out.Lease("desk", p)).Val() == o.cfg.Consumer {
					n++
				}
			}
			return n == store.Partitions
		})
		stopped := make(chan struct{})
		go func() { stop(); close(stopped) }()
		time.Sleep(100 * time.Millisecond) // Run's context has ended; the handler is still busy
		later := open(t, r, "conv-2")
		close(release)
		<-stopped

		if got := typesOf(rec.done()); !slices.Equal(got, []tickets.EventType{tickets.EventOpened}) {
			t.Errorf("handled %v, want only the ticket in flight at shutdown", got)
		}
		for _, ev := range rec.done() {
			if ev.TicketID == later.ID {
				t.Errorf("handled an event written after shutdown began")
			}
		}
		if pe := c.XPending(ctx, r.out.Stream(partitionOf(tk)), "desk").Val(); pe.Count != 0 {
			t.Errorf("the event in flight at shutdown was not acknowledged")
		}
		for p := range store.Partitions {
			if n := c.Exists(ctx, r.out.Lease("desk", p)).Val(); n != 0 {
				t.Errorf("lease %d not released", p)
			}
		}
	})

	t.Run("GraceEnds", func(t *testing.T) {
		r, c := newStore(t)
		tk := open(t, r, "conv-1")
		entered := make(chan struct{})
		cut := make(chan error, 1)
		cfg := testConfig("c1")
		cfg.ShutdownGrace = 100 * time.Millisecond
		o := newWorker(t, r, "desk", func(ctx context.Context, ev tickets.Event) error {
			close(entered)
			<-ctx.Done()
			cut <- ctx.Err()
			return ctx.Err()
		}, cfg)
		stop := start(t, o)
		<-entered
		stop()
		if err := <-cut; !errors.Is(err, context.Canceled) {
			t.Errorf("handler context ended with %v", err)
		}
		if pe := c.XPending(ctx, r.out.Stream(partitionOf(tk)), "desk").Val(); pe.Count != 1 {
			t.Errorf("%d entries pending; the cut-off one should stay pending for the next holder", pe.Count)
		}
	})
}

// Two consumers of one group share the partitions; each event is handled once. When one
// stops, the other takes its partitions over at once.
func TestWorker_Leases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	rec := &recorder{}
	cfg1, cfg2 := testConfig("c1"), testConfig("c2")
	cfg1.LeaseTTL, cfg2.LeaseTTL = 3*time.Second, 3*time.Second // no expiry during the test
	o1 := newWorker(t, r, "desk", rec.handle, cfg1)
	o2 := newWorker(t, r, "desk", rec.handle, cfg2)
	stop1 := start(t, o1)
	start(t, o2)
	eventually(t, "every lease is taken", func() bool {
		n := 0
		for p := range store.Partitions {
			if o1.held[p].Load() != o2.held[p].Load() {
				n++
			}
		}
		return n == store.Partitions
	})
	for p := range store.Partitions {
		fill(t, r, p, 1)
	}
	want := allEvents(t, r)
	eventually(t, "all is handled", func() bool { return len(rec.done()) == len(want) })

	stop1()
	for p := range store.Partitions {
		if c.Get(ctx, r.out.Lease("desk", p)).Val() == "c1" {
			t.Errorf("c1 kept lease %d after it stopped", p)
		}
	}
	eventually(t, "c2 holds every lease", func() bool {
		for p := range store.Partitions {
			if !o2.held[p].Load() {
				return false
			}
		}
		return true
	})
	for p := range store.Partitions {
		fill(t, r, p, 1)
	}
	want = allEvents(t, r)
	eventually(t, "all is handled", func() bool { return len(rec.done()) == len(want) })
	checkOnceInOrder(t, rec, want)
}

// A consumer whose lease is taken stops working the partition at once.
func TestWorker_LostLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	tk := open(t, r, "conv-1")
	p := partitionOf(tk)
	entered, cut := make(chan struct{}), make(chan struct{})
	o := newWorker(t, r, "desk", func(ctx context.Context, ev tickets.Event) error {
		close(entered)
		<-ctx.Done()
		close(cut)
		return ctx.Err()
	}, testConfig("c1"))
	stop := start(t, o)
	<-entered
	c.Set(ctx, r.out.Lease("desk", p), "intruder", time.Minute)
	select {
	case <-cut:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler was not cut off after the lease was lost")
	}
	eventually(t, "the partition is let go", func() bool { return !o.held[p].Load() })
	stop()
	if v := c.Get(ctx, r.out.Lease("desk", p)).Val(); v != "intruder" {
		t.Errorf("lease is %q; releasing must not delete another consumer's lease", v)
	}
	if pe := c.XPending(ctx, r.out.Stream(p), "desk").Val(); pe.Count != 1 {
		t.Errorf("%d entries pending, want the cut-off one", pe.Count)
	}
}

// A consumer that takes an entry over goes on from the failures its last holder counted,
// not from 0: the entry is given up after MaxAttempts failures in all, and the count is
// dropped with it.
func TestWorker_AttemptsSurviveTakeover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-attempts")
	p := partitionOf(tk)
	var calls atomic.Int64
	failing := func(ctx context.Context, ev tickets.Event) error {
		calls.Add(1)
		return errors.New("the endpoint is down")
	}
	const max = 5
	cfg := testConfig("A")
	cfg.MaxAttempts, cfg.RetryBase, cfg.RetryMax = max, 300*time.Millisecond, 300*time.Millisecond
	stopA := start(t, newWorker(t, r, "desk", failing, cfg))
	eventually(t, "A failed twice", func() bool { return calls.Load() >= 2 })
	stopA()
	byA := calls.Load()
	if n, _ := r.c.HGet(ctx, r.out.Attempts("desk", p), firstEntry(t, r, p)).Int(); n != int(byA) {
		t.Fatalf("A failed %d times and counted %d", byA, n)
	}

	cfg = testConfig("B")
	cfg.MaxAttempts = max
	start(t, newWorker(t, r, "desk", failing, cfg))
	eventually(t, "the entry is given up", func() bool { return r.c.XLen(ctx, r.out.Dead(p)).Val() == 1 })
	if got := calls.Load(); got != max {
		t.Errorf("%d attempts in all (%d by A), want %d", got, byA, max)
	}
	dead := r.c.XRange(ctx, r.out.Dead(p), "-", "+").Val()[0].Values
	if dead["attempts"] != fmt.Sprint(max) {
		t.Errorf("dead letter says %v attempts, want %d", dead["attempts"], max)
	}
	if n := r.c.HLen(ctx, r.out.Attempts("desk", p)).Val(); n != 0 {
		t.Errorf("%d failure counts left after the entry was given up", n)
	}
}

// firstEntry is the id of the first entry of partition p's desk stream.
func firstEntry(t *testing.T, r *testStore, p int) string {
	t.Helper()
	msgs := r.c.XRangeN(context.Background(), r.out.Stream(p), "-", "+", 1).Val()
	if len(msgs) == 0 {
		t.Fatal("no entry")
	}
	return msgs[0].ID
}
