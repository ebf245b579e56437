package store

import (
	"context"
	"testing"
	"time"
)

func TestSocketEpoch(t *testing.T) {
	st, _ := newStore(t)
	ctx := context.Background()
	if n, err := st.SocketEpoch(ctx); err != nil || n != 0 {
		t.Fatalf("SocketEpoch before any bump = %d, %v; want 0, nil", n, err)
	}
	for want := int64(1); want <= 3; want++ {
		n, err := st.BumpSocketEpoch(ctx)
		if err != nil || n != want {
			t.Fatalf("BumpSocketEpoch = %d, %v; want %d", n, err, want)
		}
		if got, err := st.SocketEpoch(ctx); err != nil || got != want {
			t.Fatalf("SocketEpoch = %d, %v; want %d", got, err, want)
		}
	}
}

// TestBeatSocket: a member whose heartbeats stop raises the epoch once; one that leaves
// cleanly does not.
func TestBeatSocket(t *testing.T) {
	st, _ := newStore(t)
	ctx := context.Background()
	const stale = 1500 * time.Millisecond
	t0 := time.Unix(1_700_000_000, 0)
	beat := func(member string, at time.Time, want int64, wantAlive int) {
		t.Helper()
		n, alive, err := st.BeatSocket(ctx, member, at, stale)
		if err != nil || n != want || alive != wantAlive {
			t.Fatalf("BeatSocket(%s, +%v) = %d, %d alive, %v; want epoch %d, %d alive", member, at.Sub(t0), n, alive, err, want, wantAlive)
		}
	}
	beat("a", t0, 0, 1)
	beat("b", t0, 0, 2)
	beat("a", t0.Add(time.Second), 0, 2)
	beat("b", t0.Add(time.Second), 0, 2)
	// b dies; a's heartbeats go on.
	beat("a", t0.Add(2*time.Second), 0, 2)
	beat("a", t0.Add(2600*time.Millisecond), 1, 1) // b's last beat is 1.6 s old
	beat("a", t0.Add(3*time.Second), 1, 1)         // and it is forgotten: once only
	// c leaves cleanly.
	beat("c", t0.Add(3*time.Second), 1, 2)
	if err := st.LeaveSocket(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	beat("a", t0.Add(5*time.Second), 1, 1)
	if n, _ := st.BumpSocketEpoch(ctx); n != 2 {
		t.Fatalf("BumpSocketEpoch = %d, want 2 (it shares the counter)", n)
	}
	beat("a", t0.Add(5500*time.Millisecond), 2, 1)
}

// TestSocketUnheard: the members other than the one asking that have not read an epoch
// at a heartbeat; one that left, or was forgotten as dead, is not waited for.
func TestSocketUnheard(t *testing.T) {
	st, _ := newStore(t)
	ctx := context.Background()
	t0 := time.Now()
	unheard := func(member string, epoch int64, want int) {
		t.Helper()
		if n, err := st.SocketUnheard(ctx, member, epoch); err != nil || n != want {
			t.Fatalf("SocketUnheard(%s, %d) = %d, %v; want %d", member, epoch, n, err, want)
		}
	}
	for _, m := range []string{"a", "b", "c"} {
		if _, _, err := st.BeatSocket(ctx, m, t0, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.BumpSocketEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unheard("a", n, 2)
	unheard("a", n-1, 0) // everyone read the epoch before
	if _, _, err := st.BeatSocket(ctx, "b", t0.Add(time.Second), time.Minute); err != nil {
		t.Fatal(err)
	}
	unheard("a", n, 1)
	if err := st.LeaveSocket(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	unheard("a", n, 0)
	unheard("b", n, 1) // a has not beaten since
	// a goes silent and b's next heartbeat forgets it.
	if _, _, err := st.BeatSocket(ctx, "b", t0.Add(2*time.Minute), time.Minute); err != nil {
		t.Fatal(err)
	}
	unheard("b", n+1, 0)
}
