package store

import (
	"context"
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
