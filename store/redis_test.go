package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestNew(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Open(t)
	if _, err := New(nil, Config{}); err == nil {
		t.Error("New(nil client) succeeded")
	}
	if _, err := New(c, Config{Prefix: "fd{x}:"}); err == nil {
		t.Error("New with a hash tag in the prefix succeeded")
	}
	r, err := New(c, Config{})
	if err != nil || r.cfg.Prefix != "fd:" || r.cfg.DedupTTL != 7*24*time.Hour {
		t.Errorf("New with defaults = %+v, %v", r, err)
	}
	r, err = New(c, Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Ping(context.Background()); err != nil {
		t.Errorf("Ping = %v", err)
	}
}

func TestRedis_Seen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	for i, want := range []bool{true, false} {
		if first, err := r.Seen(ctx, "slack", "Ev1", time.Minute); err != nil || first != want {
			t.Errorf("Seen #%d = %v, %v; want %v", i+1, first, err, want)
		}
	}
	if first, _ := r.Seen(ctx, "chatra", "Ev1", 0); !first {
		t.Error("an id seen in another scope is not first")
	}
	if ttl := c.PTTL(ctx, r.keys.seenGlobal("chatra", "Ev1")).Val(); ttl <= time.Minute || ttl > r.cfg.DedupTTL {
		t.Errorf("TTL with ttl=0 is %v, want DedupTTL", ttl)
	}
	// Known reads without recording.
	for i := range 2 {
		if known, err := r.Known(ctx, "other", "Ev2"); err != nil || known {
			t.Errorf("Known #%d of an id never seen = %v, %v", i+1, known, err)
		}
	}
	if known, err := r.Known(ctx, "slack", "Ev1"); err != nil || !known {
		t.Errorf("Known of a seen id = %v, %v", known, err)
	}
	if first, _ := r.Seen(ctx, "other", "Ev2", time.Minute); !first {
		t.Error("Known recorded the id")
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	for id, want := range map[tickets.ID]int{
		"1-0": 0, "135-15": 15, "9223372036854775807-3": 3,
		"": -1, "1": -1, "1-16": -1, "1--1": -1, "0-1": -1, "-1-1": -1, "01-1": -1, "1-01": -1,
		"+1-1": -1, "1-1-1": -1, "a-1": -1, "1-a": -1, "1 -1": -1,
	} {
		got, err := parseID(id)
		if want < 0 {
			if err != tickets.ErrNotFound {
				t.Errorf("parseID(%q) = %v, %v; want ErrNotFound", id, got, err)
			}
		} else if err != nil || got.p != want || got.id != id {
			t.Errorf("parseID(%q) = %+v, %v; want partition %d", id, got, err, want)
		}
	}
	for i := range 1000 {
		p := PartitionOf("webhook", string(rune('a'+i%26))+string(rune(i)))
		if p < 0 || p >= Partitions {
			t.Fatalf("partition %d out of range", p)
		}
	}
}

// The scripts spell the tickets constants out; this keeps them in step.
func TestScriptLiterals(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		string(tickets.StatusPending): "pending", string(tickets.StatusActive): "active",
		string(tickets.StatusClosed): "closed", string(tickets.PlaceCard): "card",
		string(tickets.PlaceInbox): "inbox", string(tickets.EventOpened): "ticket.opened",
		string(tickets.EventPicked): "ticket.picked", string(tickets.EventTransferred): "ticket.transferred",
		string(tickets.EventClosed): "ticket.closed", string(tickets.EventMessage): "message",
		string(tickets.FromCustomer): "customer", string(tickets.Internal): "internal",
		string(tickets.FromSourceAgent): "source_agent", string(tickets.EventRated): "ticket.rated",
		string(tickets.EventInbound): "source.inbound",
	} {
		if got != want {
			t.Errorf("a tickets constant is %q; the scripts say %q", got, want)
		}
	}
}

func TestRedis_Secret(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	a, err := r.Secret(ctx, "file-links")
	if err != nil || len(a) != 32 {
		t.Fatalf("Secret = %x, %v", a, err)
	}
	// Another process on the same Redis gets the same secret; another name, another one.
	other, err := New(r.c, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := other.Secret(ctx, "file-links")
	d, _ := r.Secret(ctx, "other")
	if !bytes.Equal(a, b) || bytes.Equal(a, d) {
		t.Errorf("secrets: %x %x %x", a, b, d)
	}
}

func TestRedis_Mark(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	first, err := r.Mark(ctx, "vitally.since", t0)
	if err != nil || !first.Equal(t0) {
		t.Fatalf("Mark = %v, %v", first, err)
	}
	// Later calls, from any process, read the first time.
	other, err := New(r.c, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := other.Mark(ctx, "vitally.since", t0.Add(time.Hour))
	if err != nil || !again.Equal(t0) {
		t.Errorf("Mark again = %v, %v; want %v", again, err, t0)
	}
	if n, _ := r.Mark(ctx, "another", t0.Add(time.Hour)); !n.Equal(t0.Add(time.Hour)) {
		t.Errorf("another mark = %v", n)
	}
}

// Note keeps a value per id and scope for every process, Noted reads it, an empty value
// forgets it, and it expires.
func TestRedis_Note(t *testing.T) {
	t.Parallel()
	r, c := newStore(t)
	ctx := context.Background()
	if v, found, err := r.Noted(ctx, "parts", "m1/0"); found || err != nil || v != "" {
		t.Fatalf("Noted before = %q %v %v", v, found, err)
	}
	if err := r.Note(ctx, "parts", "m1/0", "Mq1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := r.Note(ctx, "other", "m1/0", "X", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, found, err := r.Noted(ctx, "parts", "m1/0"); !found || err != nil || v != "Mq1" {
		t.Fatalf("Noted = %q %v %v", v, found, err)
	}
	if ttl := c.PTTL(ctx, r.keys.note("parts", "m1/0")).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL %v", ttl)
	}
	if err := r.Note(ctx, "parts", "m1/0", "Mq2", 0); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := r.Noted(ctx, "parts", "m1/0"); v != "Mq2" {
		t.Errorf("replaced: %q", v)
	}
	if err := r.Note(ctx, "parts", "m1/0", "", 0); err != nil {
		t.Fatal(err)
	}
	if _, found, err := r.Noted(ctx, "parts", "m1/0"); found || err != nil {
		t.Errorf("forgotten: found %v %v", found, err)
	}
	if v, _, _ := r.Noted(ctx, "other", "m1/0"); v != "X" {
		t.Errorf("another scope: %q", v)
	}
}
