package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Card(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-1", nil)
	opened := events(t, r, tk.ID)[0]

	if _, err := r.CardOf(ctx, tk.ID, opened.ID); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("CardOf before SetCard = %v, want ErrNotFound", err)
	}
	card := tickets.Card{Channel: support.ChannelID, TS: "1700000000.000100",
		Copies: []tickets.Card{{Channel: "DPRIO", TS: "1700000000.000200"}}}
	if err := r.SetCard(ctx, tk.ID, opened.ID, card); err != nil {
		t.Fatal(err)
	}
	if got, err := r.CardOf(ctx, tk.ID, opened.ID); err != nil || !reflect.DeepEqual(got, card) {
		t.Errorf("CardOf = %v, %v; want %v", got, err, card)
	}
	if got, _ := r.Get(ctx, tk.ID); !reflect.DeepEqual(got.Card, card) {
		t.Errorf("Ticket.Card = %v, want %v", got.Card, card)
	}
	// A card for an event that is not the current one does not become the ticket's card.
	if err := r.SetCard(ctx, tk.ID, "0/1-1", tickets.Card{Channel: "C", TS: "2"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Get(ctx, tk.ID); !reflect.DeepEqual(got.Card, card) {
		t.Errorf("Ticket.Card = %v after a card for another event, want %v", got.Card, card)
	}
	before := snapshot(t, r)
	if err := r.SetCard(ctx, "404-0", opened.ID, card); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("SetCard on a missing ticket = %v, want ErrNotFound", err)
	}
	unchanged(t, r, before)
}

func TestRedis_SetInbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-1", nil)

	if _, err := r.FindByInbox(ctx, "C_INBOX"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("FindByInbox before SetInbox = %v, want ErrNotFound", err)
	}
	for range 2 { // the second call is harmless
		if err := r.SetInbox(ctx, tk.ID, "C_INBOX"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.FindByInbox(ctx, "C_INBOX")
	if err != nil || got.ID != tk.ID || got.Inbox != "C_INBOX" {
		t.Errorf("FindByInbox = %+v, %v", got, err)
	}
	before := snapshot(t, r)
	if err := r.SetInbox(ctx, "404-0", "C_OTHER"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("SetInbox on a missing ticket = %v, want ErrNotFound", err)
	}
	unchanged(t, r, before)
}

func TestRedis_FindOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	tk := open(t, r, "conv-1", nil)
	if got, err := r.FindOpen(ctx, "webhook", "conv-1"); err != nil || got.ID != tk.ID {
		t.Errorf("FindOpen = %v, %v", got, err)
	}
	if _, err := r.FindOpen(ctx, "webhook", "conv-2"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("FindOpen of another conversation = %v, want ErrNotFound", err)
	}
	// A conversation key pointing at a ticket that is missing is no open ticket.
	p := PartitionOf("webhook", "conv-3")
	c.Set(ctx, r.keys.conv(p, "webhook", "conv-3"), string(ticketID(999, p)), 0)
	if _, err := r.FindOpen(ctx, "webhook", "conv-3"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("FindOpen of a dangling conversation = %v, want ErrNotFound", err)
	}
}

func TestRedis_AddEvent(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-ev", nil)
	m := customerMsg("hi", "")
	if err := r.AddEvent(ctx, tk.ID, tickets.Event{Type: tickets.EventDelivered, At: t0, Message: &m}); err != nil {
		t.Fatal(err)
	}
	evs := events(t, r, tk.ID)
	last := evs[len(evs)-1]
	if last.Type != tickets.EventDelivered || last.TicketID != tk.ID || last.Message == nil || last.Message.Text != "hi" {
		t.Errorf("last event = %+v", last)
	}
	before := snapshot(t, r)
	for _, id := range []tickets.ID{"404-0", "junk"} {
		if err := r.AddEvent(ctx, id, tickets.Event{Type: tickets.EventDelivered}); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("AddEvent(%s) = %v, want ErrNotFound", id, err)
		}
	}
	if after := snapshot(t, r); !reflect.DeepEqual(before, after) {
		t.Error("AddEvent on a missing ticket changed Redis")
	}
}
