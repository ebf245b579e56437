package outbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestStats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	stats := func(t *testing.T, groups ...string) map[string]Stat {
		t.Helper()
		got, err := Stats(ctx, r.Redis, groups...)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	createGroup := func(t *testing.T, stream, group string) { createGroup(t, r, stream, group) }

	t.Run("NoGroups", func(t *testing.T) {
		open(t, r, "before-groups")
		if got := stats(t, "desk"); got["desk"] != (Stat{}) || len(got) != 1 {
			t.Errorf("stats of a group that does not exist = %+v, want zero", got)
		}
		if got := stats(t); len(got) != 0 {
			t.Errorf("stats of no groups = %+v", got)
		}
	})

	// Three entries in partition 2 (besides the one above, elsewhere or not), read by
	// "desk" and "source" from the start.
	convs := convsIn("stats", 2, 3)
	for _, conv := range convs {
		open(t, r, conv)
	}
	stream := r.out.Stream(2)
	for p := range store.Partitions {
		createGroup(t, r.out.Stream(p), "desk")
		createGroup(t, r.outbox("source").Stream(p), "source")
	}
	total := int64(len(allEvents(t, r)))
	t.Run("NotReadYet", func(t *testing.T) {
		got := stats(t, "desk", "source", "other")
		if got["desk"].Depth != total || got["source"].Depth != total || got["desk"].Oldest <= 0 || got["desk"].Oldest > time.Minute {
			t.Errorf("stats = %+v, want depth %d for desk and source and a fresh oldest entry", got, total)
		}
		if got["other"] != (Stat{}) {
			t.Errorf("a group that is not there = %+v", got["other"])
		}
	})
	t.Run("ReadThenAcknowledged", func(t *testing.T) {
		res, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "desk", Consumer: "c1", Streams: []string{stream, ">"}, Count: 2}).Result()
		if err != nil || len(res[0].Messages) != 2 {
			t.Fatalf("read = %v, %v", res, err)
		}
		if got := stats(t, "desk")["desk"]; got.Depth != total {
			t.Errorf("desk after reading two (pending) = %+v, want depth %d", got, total)
		}
		if err := c.XAck(ctx, stream, "desk", res[0].Messages[0].ID).Err(); err != nil {
			t.Fatal(err)
		}
		got := stats(t, "desk", "source")
		if got["desk"].Depth != total-1 || got["source"].Depth != total {
			t.Errorf("after one ack = %+v, want desk %d and source %d", got, total-1, total)
		}
	})
	t.Run("OldEntryOfTheInboundQueue", func(t *testing.T) {
		// The inbound stream of partition 5 holds an entry an hour old, which its group
		// has read and not acknowledged.
		inbound := r.in.Stream(5)
		old := time.Now().Add(-time.Hour)
		if err := c.XAdd(ctx, &redis.XAddArgs{Stream: inbound, ID: fmt.Sprintf("%d-1", old.UnixMilli()), Values: []string{"t", "source.inbound"}}).Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.XAdd(ctx, &redis.XAddArgs{Stream: inbound, Values: []string{"t", "source.inbound"}}).Err(); err != nil {
			t.Fatal(err)
		}
		createGroup(t, inbound, "inbound:gladly")
		if got := stats(t, "inbound:gladly")["inbound:gladly"]; got.Depth != 2 || got.Oldest < 59*time.Minute || got.Oldest > 61*time.Minute ||
			got.OldestUnread != got.Oldest {
			t.Errorf("stats = %+v, want 2 entries, the oldest an hour old and unread", got)
		}
		if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "inbound:gladly", Consumer: "c1", Streams: []string{inbound, ">"}, Count: 1}).Err(); err != nil {
			t.Fatal(err)
		}
		if got := stats(t, "inbound:gladly")["inbound:gladly"]; got.Depth != 2 || got.Oldest < 59*time.Minute || got.OldestUnread > time.Minute {
			t.Errorf("stats once the old entry is pending = %+v, want 2 entries, the oldest an hour old, the oldest unread fresh", got)
		}
		if got := stats(t, "desk")["desk"]; got.Oldest >= time.Hour {
			t.Errorf("the inbound queue's entry counts for desk: %+v", got)
		}
	})
	t.Run("AllDone", func(t *testing.T) {
		for p := range store.Partitions {
			res, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "source", Consumer: "c1", Streams: []string{r.outbox("source").Stream(p), ">"}, Block: -1}).Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res[0].Messages {
				if err := c.XAck(ctx, r.outbox("source").Stream(p), "source", m.ID).Err(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := stats(t, "source")["source"]; got != (Stat{}) {
			t.Errorf("stats with everything acknowledged = %+v, want zero", got)
		}
	})
}

func TestWorker_Observe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	var mu sync.Mutex
	var outcomes []string
	cfg := testConfig("c1")
	cfg.MaxAttempts = 3
	cfg.Observe = func(outcome string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if took < 0 {
			t.Errorf("took %s", took)
		}
		outcomes = append(outcomes, outcome)
	}
	rec := &recorder{fail: func(ev tickets.Event, calls int) error {
		switch {
		case ev.Type == tickets.EventPicked:
			return errors.New("never works")
		case ev.Type == tickets.EventOpened && calls == 1:
			return errors.New("works the second time")
		}
		return nil
	}}
	tk := open(t, r, "observe-1")
	if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
		t.Fatal(err)
	}
	start(t, newWorker(t, r, "desk", rec.handle, cfg))
	want := []string{OutcomeRetry, OutcomeOK, OutcomeRetry, OutcomeRetry, OutcomeGaveUp}
	eventually(t, "every call is observed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(outcomes) == len(want)
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(outcomes, want) {
		t.Errorf("observed %v, want %v", outcomes, want)
	}
}
