package outbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// xackCounter is a go-redis hook that records every XACK a client sends: how many ids
// each carries.
type xackCounter struct {
	mu     sync.Mutex
	acks   []int
	reads  int    // XREADGROUPs sent on stream
	stream string // the stream whose reads are counted
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
	if strings.EqualFold(cmd.Name(), "xreadgroup") {
		x.mu.Lock()
		for _, a := range cmd.Args() {
			if a == x.stream && x.stream != "" {
				x.reads++
			}
		}
		x.mu.Unlock()
	}
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

// What a handler call asks to follow (tickets.FollowUps) is appended with the entry's
// acknowledgement, once: an attempt that failed leaves nothing behind.
func TestWorker_FollowUps(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	all := fill(t, r, 3, 2)
	var mu sync.Mutex
	calls, done := map[string]int{}, 0
	start(t, newWorker(t, r, "source", func(ctx context.Context, ev tickets.Event) error {
		f, ok := tickets.FollowUpsFrom(ctx)
		if !ok {
			return errors.New("no follow-ups on the context")
		}
		mu.Lock()
		defer mu.Unlock()
		calls[ev.ID]++
		if ev.Type == tickets.EventMessage {
			f.Add(tickets.Event{Type: tickets.EventDelivered, TicketID: ev.TicketID, At: t0, Message: ev.Message})
			if calls[ev.ID] == 1 {
				return errors.New("the first attempt fails after asking for a follow-up")
			}
		}
		done++
		return nil
	}, Config{}))
	want := map[tickets.ID]int{}
	messages := 0
	for _, ev := range all {
		if ev.Type == tickets.EventMessage {
			want[ev.TicketID]++
			messages++
		}
	}
	// The test store routes every event to source too: the follow-ups come back to it.
	eventually(t, "every entry is handled and acknowledged", func() bool {
		mu.Lock()
		n := done
		mu.Unlock()
		return n == len(all)+messages && pendingCount(t, r, "source") == 0
	})
	delivered := map[tickets.ID]int{}
	for _, ev := range allEvents(t, r) {
		if ev.Type == tickets.EventDelivered {
			delivered[ev.TicketID]++
		}
	}
	if len(want) == 0 || !maps.Equal(delivered, want) {
		t.Errorf("delivered events per ticket %v, want %v (one per message)", delivered, want)
	}
}

// A group that lingers reads entries that come one at a time together: one read, and one
// acknowledgement, for many.
func TestWorker_Linger(t *testing.T) {
	t.Parallel()
	r, c := newStore(t)
	const p, n = 9, 20
	tk := open(t, r, convsIn("linger", p, 1)[0])
	ca := redistest.AnotherClient(c)
	defer ca.Close()
	x := &xackCounter{stream: r.out.Stream(p)}
	ca.AddHook(x)
	rec := &recorder{}
	cfg := testConfig("A")
	cfg.Block, cfg.Linger, cfg.AckDelay = 2*time.Second, 300*time.Millisecond, 300*time.Millisecond
	start(t, newWorker(t, r.on(t, ca), "desk", rec.handle, cfg))
	eventually(t, "the ticket's opening is handled", func() bool { return len(rec.done()) == 1 })
	time.Sleep(400 * time.Millisecond) // the linger after it
	x.mu.Lock()
	readsBefore := x.reads
	x.mu.Unlock()
	sending := time.Now()
	for i := range n {
		say(t, r, tk, fmt.Sprint("m", i))
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(sending) // 200 ms, more on a loaded machine
	eventually(t, "everything is handled and acknowledged", func() bool {
		return len(rec.done()) == n+1 && pendingCount(t, r, "desk") == 0
	})
	x.mu.Lock()
	reads := x.reads - readsBefore
	x.mu.Unlock()
	// 20 entries 10 ms apart, read at most every 300 ms (and a read that waited 2 s for
	// nothing may end in between): 4 reads, or one more per 300 ms the sending took
	// beyond its 200 ms on a loaded machine; one a message would be 20.
	if most := 4 + int(max(took-200*time.Millisecond, 0)/(300*time.Millisecond)); reads > most {
		t.Errorf("%d reads for %d entries that came over %s, want at most %d", reads, n, took.Round(time.Millisecond), most)
	}
	checkOnceInOrder(t, rec, allEvents(t, r))
}

// Config.Concurrency bounds the handler calls in progress at once, over all partitions.
func TestWorker_Concurrency(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	for _, p := range []int{2, 5, 11} {
		fill(t, r, p, 3)
	}
	want := allEvents(t, r)
	var mu sync.Mutex
	now, most := 0, 0
	rec := &recorder{}
	cfg := testConfig("A")
	cfg.Concurrency = 2
	start(t, newWorker(t, r, "desk", func(ctx context.Context, ev tickets.Event) error {
		mu.Lock()
		now++
		most = max(most, now)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		now--
		mu.Unlock()
		return rec.handle(ctx, ev)
	}, cfg))
	eventually(t, "everything is handled", func() bool { return len(rec.done()) == len(want) })
	checkOnceInOrder(t, rec, want)
	mu.Lock()
	defer mu.Unlock()
	if most != 2 {
		t.Errorf("at most %d calls at once, want 2 (9 tickets in 3 partitions)", most)
	}
}

// Config.Supersedes: of a ticket's entries in hand together, one that a later one stands
// for is acknowledged without a handler call; the others are handled, in order.
func TestWorker_Supersedes(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	const p, n = 4, 6
	convs := convsIn("supersede", p, 2)
	a, b := open(t, r, convs[0]), open(t, r, convs[1])
	for i := range n {
		say(t, r, a, fmt.Sprint("a", i))
	}
	say(t, r, b, "b0") // alone: nothing later of its ticket stands for it
	var observed sync.Map
	rec := &recorder{}
	cfg := testConfig("A")
	cfg.Batch = 100 // everything is read at once
	cfg.Supersedes = func(earlier, later tickets.Event) bool {
		return earlier.Type == tickets.EventMessage && later.Type == tickets.EventMessage
	}
	cfg.Observe = func(outcome string, _ time.Duration) {
		v, _ := observed.LoadOrStore(outcome, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	start(t, newWorker(t, r, "desk", rec.handle, cfg))
	eventually(t, "every entry is acknowledged", func() bool { return len(rec.done()) == 4 && pendingCount(t, r, "desk") == 0 })
	got := map[tickets.ID][]string{}
	for _, ev := range rec.done() {
		what := string(ev.Type)
		if ev.Message != nil {
			what += ":" + ev.Message.Text
		}
		got[ev.TicketID] = append(got[ev.TicketID], what)
	}
	want := map[tickets.ID][]string{a.ID: {string(tickets.EventOpened), "message:a5"}, b.ID: {string(tickets.EventOpened), "message:b0"}}
	for id, w := range want {
		if fmt.Sprint(got[id]) != fmt.Sprint(w) {
			t.Errorf("ticket %s handled %v, want %v", id, got[id], w)
		}
	}
	if v, ok := observed.Load(OutcomeSuperseded); !ok || v.(*atomic.Int64).Load() != n-1 {
		t.Errorf("superseded outcomes observed: %v, want %d", v, n-1)
	}
	if p := pendingCount(t, r, "desk"); p != 0 {
		t.Errorf("%d entries left pending", p)
	}
}

// Config.Absorbs: an entry, when its turn comes, takes in the later entries of its ticket
// in hand that it absorbs; it is handled as it then is, and they are acknowledged with it.
func TestWorker_Absorbs(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	convs := convsIn("absorb", 4, 1)
	a := open(t, r, convs[0])
	for _, text := range []string{"a0", "a0+x", "a1", "a0+y", "a1+z"} {
		say(t, r, a, text)
	}
	var superseded atomic.Int64
	rec := &recorder{}
	cfg := testConfig("A")
	cfg.Batch = 100 // everything is read at once
	cfg.Absorbs = func(earlier, later tickets.Event) (tickets.Event, bool) {
		if earlier.Message == nil || later.Message == nil ||
			!strings.HasPrefix(later.Message.Text, strings.SplitN(earlier.Message.Text, "+", 2)[0]+"+") {
			return earlier, false
		}
		m := *later.Message
		earlier.Message = &m
		return earlier, true
	}
	cfg.Observe = func(outcome string, _ time.Duration) {
		if outcome == OutcomeSuperseded {
			superseded.Add(1)
		}
	}
	start(t, newWorker(t, r, "desk", rec.handle, cfg))
	eventually(t, "every entry is acknowledged", func() bool { return pendingCount(t, r, "desk") == 0 && len(rec.done()) >= 3 })
	var got []string
	for _, ev := range rec.done() {
		what := string(ev.Type)
		if ev.Message != nil {
			what += ":" + ev.Message.Text
		}
		got = append(got, what)
	}
	if want := []string{string(tickets.EventOpened), "message:a0+y", "message:a1+z"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("handled %v, want %v", got, want)
	}
	if n := superseded.Load(); n != 3 {
		t.Errorf("%d entries acknowledged as absorbed, want 3", n)
	}
}
