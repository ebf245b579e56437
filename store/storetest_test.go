package store

import (
	"context"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

// TestRedis_Contract runs the Store's contract, the one the in-memory store the tickets
// tests use keeps too, against Redis (a Redis Cluster under `make cluster-test`).
func TestRedis_Contract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (tickets.Store, storetest.Hooks) {
		r, _ := newStore(t)
		return r, storetest.Hooks{
			Events: func(id tickets.ID) []tickets.Event { return events(t, r, id) },
			Queued: func(source, conv string) []tickets.Event { return queued(t, r, source, conv) },
			Fire: func(now time.Time) {
				if _, err := r.fireDue(context.Background(), now); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}

// queued returns the decoded entries of the inbound queue that are about a conversation.
func queued(t *testing.T, r *Redis, source, conv string) []tickets.Event {
	t.Helper()
	p := PartitionOf(source, conv)
	msgs, err := r.c.XRange(context.Background(), r.keys.inbound(p), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var evs []tickets.Event
	for _, m := range msgs {
		ev, err := decodeEntry(p, m)
		if err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		if ev.Source == source && ev.ConversationID == conv {
			evs = append(evs, ev)
		}
	}
	return evs
}
