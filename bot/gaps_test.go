package bot

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// TestGaps_DueUntilReadPastTheTrouble: after trouble a channel is due a check until its
// history has been read past the trouble (and the margin).
func TestGaps_DueUntilReadPastTheTrouble(t *testing.T) {
	g := newGaps()
	now := time.Unix(1_700_000_000, 0)
	g.now = func() time.Time { return now }
	if due, _ := g.due("C1"); due {
		t.Fatal("a channel is due before any connection came up")
	}
	g.troubled() // the first connection
	due, upTo := g.due("C1")
	if !due || upTo != "" {
		t.Fatalf("C1 after trouble: due %v, read up to %q; want due, nothing read", due, upTo)
	}
	// Read up to just before the trouble and its margin: still due, from there.
	g.done("C1", slackTS(now.Add(gapMargin-time.Millisecond)))
	if due, upTo := g.due("C1"); !due || upTo != slackTS(now.Add(gapMargin-time.Millisecond)) {
		t.Fatalf("C1 read up to the margin: due %v from %q", due, upTo)
	}
	// Read past it: checked.
	g.done("C1", slackTS(now.Add(gapMargin+time.Millisecond)))
	if due, _ := g.due("C1"); due {
		t.Fatal("C1 is still due after its history was read past the trouble")
	}
	// An older reading never moves the point back.
	g.done("C1", slackTS(now))
	if due, _ := g.due("C1"); due {
		t.Fatal("an older reading made C1 due again")
	}
	if due, _ := g.due("C2"); !due {
		t.Fatal("C2, never checked, is not due")
	}
	// New trouble later makes C1 due again, from where it was read.
	now = now.Add(time.Minute)
	g.troubled()
	if due, upTo := g.due("C1"); !due || upTo != slackTS(now.Add(-time.Minute+gapMargin+time.Millisecond)) {
		t.Fatalf("C1 after new trouble: due %v from %q", due, upTo)
	}
	// Points older than gapForget are forgotten.
	now = now.Add(2 * gapForget)
	g.troubled()
	if _, upTo := g.due("C1"); upTo != "" {
		t.Fatalf("C1 read up to %q two hours ago is remembered", upTo)
	}
}

func TestGaps_RateLimitedHistoryIsNotWaitedFor(t *testing.T) {
	g := newGaps()
	now := time.Unix(1_700_000_000, 0)
	g.now = func() time.Time { return now }
	g.troubled()
	g.limited(30 * time.Second)
	if due, _ := g.due("C1"); due {
		t.Fatal("C1 is due while conversations.history is rate-limited")
	}
	now = now.Add(31 * time.Second)
	if due, _ := g.due("C1"); !due {
		t.Fatal("C1 is not due once the rate limit lifted")
	}
}

func TestSlackTS(t *testing.T) {
	at := time.Unix(1_700_000_000, 123_456_789)
	if got := slackTS(at); got != "1700000000.123456" {
		t.Fatalf("slackTS = %q", got)
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1700000000.000100", "1700000000.000099", 1},
		{"1700000000.1", "1700000000.000002", 1},
		{"1699999999.999999", "1700000000.000000", -1},
		{"1700000000.000001", "1700000000.000001", 0},
	} {
		if got := compareTS(c.a, c.b); got != c.want {
			t.Errorf("compareTS(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if tsMicros("not a ts") != 0 || tsMicros("") != 0 {
		t.Error("tsMicros of something not a ts is not 0")
	}
}

// TestWatchEpochs: a connection another replica lost (it raised the shared epoch in
// Redis), or another replica's heartbeats stopping, makes this replica check its
// channels again.
func TestWatchEpochs(t *testing.T) {
	st := epochStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := st.BumpSocketEpoch(ctx); err != nil { // replicas that ran before
		t.Fatal(err)
	}
	b := &Bot{cfg: Config{Epochs: st}, gaps: newGaps(), log: zap.NewNop(), member: "this-replica"}
	done := make(chan struct{})
	go func() { defer close(done); b.watchEpochs(ctx, false) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for b.shared() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not read the shared epoch")
		}
		time.Sleep(20 * time.Millisecond)
	}

	b.gaps.troubled() // this replica's own connection came up
	checked := func() {
		t.Helper()
		b.gaps.done("C1", slackTS(time.Now().Add(gapMargin)))
		if due, _ := b.gaps.due("C1"); due {
			t.Fatal("C1 is due after its check")
		}
	}
	checked()
	if due, _ := b.gaps.due("C1"); due {
		t.Fatal("the first reading of the shared epoch made C1 due again")
	}

	if _, err := st.BumpSocketEpoch(ctx); err != nil { // another replica's connection
		t.Fatal(err)
	}
	waitDue := func(why string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if due, _ := b.gaps.due("C1"); due {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("C1 is not due after %s", why)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitDue("another replica raised the epoch")

	// A replica whose heartbeats stopped (killed, say) counts as a lost connection.
	checked()
	if _, _, err := st.BeatSocket(ctx, "dead-replica", time.Now().Add(-time.Minute), time.Hour); err != nil {
		t.Fatal(err)
	}
	waitDue("another replica's heartbeats stopped")
}

func (b *Bot) shared() int64 {
	b.epochMu.Lock()
	defer b.epochMu.Unlock()
	return b.sharedEpoch
}

// TestHandOver: a replica that joins is counted by the others before its connection
// opens, and one that stops cleanly has every other check its channels' order before its
// connection closes, however their heartbeats fall.
func TestHandOver(t *testing.T) {
	st := epochStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	newBot := func(name string) (*Bot, func()) {
		b := &Bot{cfg: Config{Epochs: st, HandlerTimeout: time.Minute}, gaps: newGaps(), log: zap.NewNop(), member: name}
		bctx, stop := context.WithCancel(ctx)
		joined := b.join(bctx)
		if !joined {
			t.Fatalf("%s did not join", name)
		}
		done := make(chan struct{})
		go func() { defer close(done); b.watchEpochs(bctx, joined) }()
		return b, func() { stop(); <-done }
	}
	a, stopA := newBot("a")
	defer stopA()
	if n := a.Replicas(); n != 1 {
		t.Fatalf("a alone counts %d replicas", n)
	}
	a.gaps.troubled() // a's own connection came up
	a.gaps.done("C1", slackTS(time.Now().Add(gapMargin)))

	b, stopB := newBot("b")
	if na, nb := a.Replicas(), b.Replicas(); na != 2 || nb != 2 {
		t.Fatalf("once b joined, a counts %d replicas and b %d; want 2 and 2", na, nb)
	}
	// b's first connection: join told the others already, so the epoch stays; a later
	// connection (a reconnect) raises it.
	joined, err := st.SocketEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.connectionsChanged(ctx, "connected")
	b.wg.Wait()
	if n, _ := st.SocketEpoch(ctx); n != joined {
		t.Fatalf("b's first connection raised the epoch from %d to %d; join had raised it", joined, n)
	}
	b.connectionsChanged(ctx, "connected")
	b.wg.Wait()
	if n, _ := st.SocketEpoch(ctx); n != joined+1 {
		t.Fatalf("b's reconnection left the epoch at %d, want %d", n, joined+1)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
		}
	}
	waitFor("a did not read b's reconnection", func() bool { return a.shared() == joined+1 })
	a.gaps.done("C1", slackTS(time.Now().Add(gapMargin))) // a checked C1 after b joined
	if due, _ := a.gaps.due("C1"); due {
		t.Fatal("C1 is due after its check")
	}

	b.handOff(ctx)
	if due, _ := a.gaps.due("C1"); !due {
		t.Fatal("b's hand-off returned before a made its channels due a check")
	}
	stopB()
	if unheard, err := st.SocketUnheard(ctx, "a", 1<<40); err != nil || unheard != 0 {
		t.Fatalf("after b left, %d others unheard (%v); want none", unheard, err)
	}
	cancel()
}

// epochStore is a Redis store of a prefix of its own, for the replicas' heartbeats.
func epochStore(t *testing.T) *store.Redis {
	t.Helper()
	client, prefix := redistest.Open(t)
	st, err := store.New(client, store.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
