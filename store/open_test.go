package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Open(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("Creates", func(t *testing.T) {
		r, c := newStore(t)
		first := customerMsg("hello", "src-1")
		got := open(t, r, "conv-1", &first)
		ref, err := parseID(got.ID)
		if err != nil || ref.p != partitionOf("webhook", "conv-1") || got.ID != ticketID(got.Number, ref.p) {
			t.Fatalf("ID %q (number %d) is not in the conversation's partition: %v", got.ID, got.Number, err)
		}
		if got.Status != tickets.StatusPending || got.Team != support || got.Customer.Fields["plan"] != "pro" ||
			got.Summary != "cannot log in" || got.Opening != "hello" || got.Raw != `{"client":{"id":"v1"}}` ||
			!got.CreatedAt.Equal(t0) || !got.Card.IsZero() || len(got.Transfers) != 0 {
			t.Errorf("Open returned %+v", got)
		}
		if ms, _ := r.Messages(ctx, got.ID); len(ms) != 1 || ms[0].Text != "hello" {
			t.Errorf("transcript = %+v, want the first message", ms)
		}
		if held := c.LRange(ctx, r.keys.held(ref), 0, -1).Val(); len(held) != 1 {
			t.Errorf("held = %v, want the first message", held)
		}
		if ids := c.ZRange(ctx, r.keys.open(ref.p), 0, -1).Val(); len(ids) != 1 || ids[0] != string(got.ID) {
			t.Errorf("open set = %v", ids)
		}
		evs := events(t, r, got.ID)
		if len(evs) != 1 || evs[0].Type != tickets.EventOpened || evs[0].To != support || !evs[0].At.Equal(t0) {
			t.Fatalf("events = %+v, want one EventOpened to support", evs)
		}
		if ce := c.HGet(ctx, r.keys.ticket(ref), "card_event").Val(); ce != evs[0].ID {
			t.Errorf("card_event = %q, want the EventOpened's id %q", ce, evs[0].ID)
		}
		if added, err := r.AddMessage(ctx, got.ID, first); added || err != nil {
			t.Errorf("re-adding the first message = %v, %v; want a duplicate", added, err)
		}
	})

	t.Run("Repeat", func(t *testing.T) {
		r, _ := newStore(t)
		a := open(t, r, "conv-1", nil)
		before := snapshot(t, r)
		b, created, err := r.Open(ctx, newTicket("conv-1"), &tickets.Message{Text: "again"})
		if err != nil || created || b.ID != a.ID {
			t.Fatalf("second Open = %v, created %v, %v; want %v", b.ID, created, err, a.ID)
		}
		unchanged(t, r, before)
	})

	t.Run("Numbers", func(t *testing.T) {
		r, _ := newStore(t)
		a, b := open(t, r, "conv-1", nil), open(t, r, "conv-2", nil)
		if b.Number != a.Number+1 {
			t.Errorf("numbers %d then %d", a.Number, b.Number)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		r, _ := newStore(t)
		for _, tk := range []*tickets.Ticket{nil, {Source: "Web:hook", ConversationID: "c"}, {Source: "webhook"}} {
			if _, _, err := r.Open(ctx, tk, nil); !errors.Is(err, tickets.ErrInvalid) {
				t.Errorf("Open(%+v) = %v, want ErrInvalid", tk, err)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		r, _ := newStore(t)
		const n = 100
		ids := make([]tickets.ID, n)
		created := make([]bool, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				first := customerMsg(fmt.Sprint("hi ", i), "")
				got, c, err := r.Open(ctx, newTicket("conv-race"), &first)
				if err != nil {
					t.Error(err)
					return
				}
				ids[i], created[i] = got.ID, c
			})
		}
		wg.Wait()
		winners := 0
		for i := range n {
			if ids[i] != ids[0] {
				t.Fatalf("Open %d got ticket %s, Open 0 got %s", i, ids[i], ids[0])
			}
			if created[i] {
				winners++
			}
		}
		if winners != 1 {
			t.Errorf("%d Opens created the ticket, want 1", winners)
		}
		if evs := events(t, r, ids[0]); len(evs) != 1 || evs[0].Type != tickets.EventOpened {
			t.Errorf("events = %v, want one EventOpened", types(evs))
		}
		if ms, _ := r.Messages(ctx, ids[0]); len(ms) != 1 {
			t.Errorf("transcript has %d messages, want the winner's first message only", len(ms))
		}
	})
}
