package outbox

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// toLegacy moves partition p's entries of group desk's stream into the single stream
// earlier versions wrote (ids and fields as they were), as if that version had written
// them, and returns them.
func toLegacy(t *testing.T, r *testStore, p int) []redis.XMessage {
	t.Helper()
	ctx := context.Background()
	msgs := r.c.XRange(ctx, r.out.Stream(p), "-", "+").Val()
	for _, m := range msgs {
		if err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: r.out.Legacy(p), ID: m.ID, Values: m.Values}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	r.c.Del(ctx, r.out.Stream(p), r.outbox("source").Stream(p))
	return msgs
}

// After an upgrade, a group first finishes what it left in the legacy stream (what a dead
// consumer read and did not acknowledge, then what it never read), then goes on with its
// own stream: each event once, in order per ticket. Once every group on it is done with
// it, the legacy stream is deleted.
func TestWorker_FinishesTheLegacyStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	const p = 6
	old := fill(t, r, p, 3)
	legacy := toLegacy(t, r, p)
	if len(legacy) != len(old) {
		t.Fatalf("moved %d entries, made %d", len(legacy), len(old))
	}
	// The earlier version's desk consumer read 4 entries and died; source read none.
	createGroup(t, r, r.out.Legacy(p), "desk")
	createGroup(t, r, r.out.Legacy(p), "source")
	if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "desk", Consumer: "old", Streams: []string{r.out.Legacy(p), ">"},
		Count: 4, Block: -1}).Err(); err != nil {
		t.Fatal(err)
	}
	// Then this version routes more events of the same tickets.
	tks := map[tickets.ID]bool{}
	for _, ev := range old {
		tks[ev.TicketID] = true
	}
	for id := range tks {
		tk, err := r.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		say(t, r, tk, "after the upgrade")
	}
	want := append(append([]tickets.Event(nil), old...), allEvents(t, r)...)

	rec := &recorder{}
	start(t, newWorker(t, r, "desk", rec.handle, Config{}))
	eventually(t, "everything is handled", func() bool { return len(rec.done()) == len(want) })
	checkOnceInOrder(t, rec, want)
	eventually(t, "all is acknowledged", func() bool { return pendingCount(t, r, "desk") == 0 })
	// source has not read the legacy stream yet: it stays.
	if n := c.Exists(ctx, r.out.Legacy(p)).Val(); n != 1 {
		t.Fatal("the legacy stream was deleted while source had not read it")
	}

	recSource := &recorder{}
	start(t, newWorker(t, r, "source", recSource.handle, Config{}))
	eventually(t, "source handled everything", func() bool { return len(recSource.done()) == len(want) })
	checkOnceInOrder(t, recSource, want)
	eventually(t, "the legacy stream is gone", func() bool { return c.Exists(ctx, r.out.Legacy(p)).Val() == 0 })
}
