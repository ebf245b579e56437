package store

import (
	"context"
	"errors"
	"testing"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Two stores with different prefixes on one Redis see nothing of each other.
func TestRedis_PrefixIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.Open(t)
	a, _ := New(c, Config{Prefix: prefix + "a:"})
	b, _ := New(c, Config{Prefix: prefix + "b:"})
	a.SetRoutes(routeAll(testGroup))
	b.SetRoutes(routeAll(testGroup))

	atk := newTicket("conv-1")
	atk.Team = tech // b's tickets are in support
	tk, _, err := openInbound(ctx, a, atk, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetInbox(ctx, tk.ID, "C_INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSettings(ctx, &tickets.Settings{TicketingChannels: []tickets.Team{support}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, tk.ID); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("b.Get(a's ticket) = %v", err)
	}
	if _, err := b.FindOpen(ctx, "webhook", "conv-1"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("b.FindOpen = %v", err)
	}
	if _, err := b.FindByInbox(ctx, "C_INBOX"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("b.FindByInbox = %v", err)
	}
	if _, err := b.LoadSettings(ctx); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("b.LoadSettings = %v", err)
	}
	for p := range Partitions {
		if n := c.XLen(ctx, b.keys.groupOutbox(testGroup, p)).Val(); n != 0 {
			t.Errorf("b's outbox %d has %d entries", p, n)
		}
	}
	btk, created, err := openInbound(ctx, b, newTicket("conv-1"), nil)
	if err != nil || !created || btk.Number != 1 {
		t.Errorf("b.Open = %+v, %v, %v; want b's own first ticket", btk, created, err)
	}
	if snap := snapshot(t, b); len(snap) == 0 {
		t.Error("b wrote no keys under its prefix")
	}
	// That an outbox Worker of b handles b's events only is tested in store/outbox
	// (TestWorker_PrefixIsolation).
	for k := range snapshot(t, a) {
		if _, ok := snapshot(t, b)[k]; ok {
			t.Errorf("key %s is under both prefixes", k)
		}
	}
}
