package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Rate(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	if _, err := r.FindLastClosed(ctx, "webhook", "conv-r"); !errors.Is(err, tickets.ErrNotFound) {
		t.Fatalf("FindLastClosed before any close = %v", err)
	}
	first := open(t, r, "conv-r", nil)
	before := snapshot(t, r)
	if err := r.Rate(ctx, first.ID, tickets.CSAT{Rating: 5, At: t0}); !errors.Is(err, tickets.ErrInvalid) {
		t.Fatalf("Rate on an open ticket = %v, want ErrInvalid", err)
	}
	if after := snapshot(t, r); !reflect.DeepEqual(before, after) {
		t.Error("a refused rating changed Redis")
	}
	if _, err := r.Close(ctx, first.ID, tickets.Closing{By: alice, At: t0}); err != nil {
		t.Fatal(err)
	}
	open(t, r, "conv-r", nil) // the member's next chat, open
	last, err := r.FindLastClosed(ctx, "webhook", "conv-r")
	if err != nil || last.ID != first.ID {
		t.Fatalf("FindLastClosed = %v, %v; want %s", last, err, first.ID)
	}
	c := tickets.CSAT{Rating: 4, Comment: "kind", At: t0}
	if err := r.Rate(ctx, first.ID, c); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Get(ctx, first.ID)
	if got.CSAT == nil || got.CSAT.Rating != 4 || got.CSAT.Comment != "kind" || !got.CSAT.At.Equal(t0) {
		t.Errorf("CSAT = %+v", got.CSAT)
	}
	evs := events(t, r, first.ID)
	if ev := evs[len(evs)-1]; ev.Type != tickets.EventRated {
		t.Errorf("last event = %s, want ticket.rated", ev.Type)
	}
	if err := r.Rate(ctx, "404-1", c); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("Rate on a missing ticket = %v", err)
	}
}
