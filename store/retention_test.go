package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// A closed ticket's keys expire after the retention; an open one's never do, nor any
// without a retention.
func TestRedis_Retention(t *testing.T) {
	ctx := context.Background()
	c, prefix := redistest.Open(t)
	r, err := New(c, Config{Prefix: prefix, DedupTTL: time.Hour, Retention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r.SetRoutes(routeAll(testGroup))
	tk := open(t, r, "conv-ret", &tickets.Message{Direction: tickets.FromCustomer, Text: "hi", SourceMessageID: "m1", At: t0})
	if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
		t.Fatal(err)
	}
	if err := r.SetInbox(ctx, tk.ID, "GRET"); err != nil {
		t.Fatal(err)
	}
	ref, _ := parseID(tk.ID)
	ttl := func(key string) time.Duration {
		d, err := c.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := ttl(r.keys.ticket(ref)); d != -1 {
		t.Fatalf("an open ticket expires in %v", d)
	}
	if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{r.keys.ticket(ref), r.keys.messages(ref), r.keys.inbox("GRET"),
		r.keys.lastClosed(ref.p, "webhook", "conv-ret")} {
		if d := ttl(key); d <= 0 || d > time.Hour {
			t.Errorf("%s expires in %v, want within the hour", key, d)
		}
	}
	// An edit after the close makes a new list: it expires with the ticket.
	if _, err := r.UpdateDetails(ctx, tk.ID, []tickets.FieldChange{{Field: tickets.FieldTitle, Value: "x"}}, tickets.OriginAgent, alice, t0); err != nil {
		t.Fatal(err)
	}
	if d := ttl(r.keys.edits(ref)); d <= 0 {
		t.Errorf("the edits made after the close never expire (%v)", d)
	}
	// Reopened, it is kept again for as long as it is open.
	if _, err := r.Reopen(ctx, tk.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{r.keys.ticket(ref), r.keys.messages(ref), r.keys.edits(ref), r.keys.inbox("GRET")} {
		if d := ttl(key); d != -1 {
			t.Errorf("reopened, %s expires in %v", key, d)
		}
	}
	if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0.Add(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}

	// Without a retention, closed tickets stay.
	keep, _ := newStore(t)
	tk2 := open(t, keep, "conv-keep", nil)
	if _, err := keep.Close(ctx, tk2.ID, tickets.Closing{By: alice, At: t0}); err != nil {
		t.Fatal(err)
	}
	ref2, _ := parseID(tk2.ID)
	if d, _ := keep.c.PTTL(ctx, keep.keys.ticket(ref2)).Result(); d != -1 {
		t.Errorf("with no retention the ticket expires in %v", d)
	}
}

// Retention removes exactly the closed ticket's keys, when its time comes: the open
// ticket next to it, and the partition's streams, stay.
func TestRedis_RetentionExpires(t *testing.T) {
	ctx := context.Background()
	c, prefix := redistest.Open(t)
	r, err := New(c, Config{Prefix: prefix, DedupTTL: time.Hour, Retention: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.SetRoutes(routeAll(testGroup))
	closed := open(t, r, "conv-gone", &tickets.Message{Direction: tickets.FromCustomer, Text: "bye", SourceMessageID: "g1", At: t0})
	kept := open(t, r, "conv-kept", &tickets.Message{Direction: tickets.FromCustomer, Text: "hi", SourceMessageID: "k1", At: t0})
	if _, err := r.Close(ctx, closed.ID, tickets.Closing{By: alice, At: t0}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, r)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := r.Get(ctx, closed.ID); errors.Is(err, tickets.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the closed ticket never expired")
		}
		time.Sleep(50 * time.Millisecond)
	}
	ref, _ := parseID(closed.ID)
	after := snapshot(t, r)
	for k := range before {
		_, still := after[k]
		gone := strings.HasPrefix(k, r.keys.ticket(ref)) || k == r.keys.lastClosed(ref.p, "webhook", "conv-gone")
		if gone == still {
			t.Errorf("key %s: still there %v, want %v", k, still, !gone)
		}
	}
	if got, err := r.Get(ctx, kept.ID); err != nil || got.Status != tickets.StatusPending {
		t.Errorf("the open ticket: %+v, %v", got, err)
	}
	if msgs, err := r.Messages(ctx, kept.ID); err != nil || len(msgs) != 1 {
		t.Errorf("the open ticket's transcript: %v, %v", msgs, err)
	}
}
