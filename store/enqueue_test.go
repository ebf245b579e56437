package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Enqueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	// Two conversations of one source, their events interleaved, one repeated.
	for i, e := range []struct{ conv, id string }{
		{"conv-a", "e1"}, {"conv-b", "e2"}, {"conv-a", "e3"}, {"conv-a", "e1"}, {"conv-b", "e4"}, {"conv-a", "e5"},
	} {
		added, err := r.Enqueue(ctx, "gladly", e.conv, e.id, fmt.Sprintf(`{"n":%d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		if want := !(e.id == "e1" && i == 3); added != want {
			t.Errorf("Enqueue(%s) = %v, want %v", e.id, added, want)
		}
	}
	for _, bad := range [][3]string{{"", "c", "e"}, {"gladly", "", "e"}, {"gladly", "c", ""}, {"Bad Source", "c", "e"}} {
		if _, err := r.Enqueue(ctx, bad[0], bad[1], bad[2], "{}"); !errors.Is(err, tickets.ErrInvalid) {
			t.Errorf("Enqueue(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	// What is queued, and how an inbound Worker works it through, is tested in
	// store/outbox (TestWorker_Inbound) and by the contract (TestRedis_Contract).

	// The outbox of side effects is a different stream: an outbox worker sees none of it.
	if n := r.c.XLen(ctx, r.keys.groupOutbox(testGroup, PartitionOf("gladly", "conv-a"))).Val(); n != 0 {
		t.Errorf("the outbox holds %d entries", n)
	}
}

func TestRedis_CloseIfPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	active := open(t, r, "sla-active", nil)
	if _, err := r.Pick(ctx, active.ID, alice, t0); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, r)
	if _, err := r.Close(ctx, active.ID, tickets.Closing{Reason: "sla", HandBack: true, IfPending: true, At: t0}); !errors.Is(err, tickets.ErrNotActive) {
		t.Fatalf("Close(IfPending) of an active ticket = %v, want ErrNotActive", err)
	}
	if after := snapshot(t, r); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Error("a refused close changed Redis")
	}
	pending := open(t, r, "sla-pending", nil)
	got, err := r.Close(ctx, pending.ID, tickets.Closing{Reason: "sla", HandBack: true, IfPending: true, At: t0})
	if err != nil || got.Status != tickets.StatusClosed {
		t.Fatalf("Close(IfPending) of a pending ticket = %+v, %v", got, err)
	}
}
