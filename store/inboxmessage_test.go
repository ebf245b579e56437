package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_AddInboxMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// active opens a ticket for conv, picks it and records inbox as its inbox channel.
	active := func(t *testing.T, r *Redis, conv, inbox string) *tickets.Ticket {
		t.Helper()
		tk := open(t, r, conv, nil)
		if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
		if err := r.SetInbox(ctx, tk.ID, inbox); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	withTS := func(m tickets.Message, ts string) tickets.Message {
		m.SourceMessageID = ts
		return m
	}

	t.Run("AddsToTheChannelsTicketOnce", func(t *testing.T) {
		r, _ := newStore(t)
		tk := active(t, r, "im-1", "C_IM1")
		got, err := r.AddInboxMessage(ctx, "C_IM1", withTS(agentMsg(tickets.FromAgent, "hello"), "1.1"))
		if err != nil || got != (tickets.InboxAdded{Ticket: tk.ID, Source: "webhook", Added: true}) {
			t.Fatalf("AddInboxMessage = %+v, %v", got, err)
		}
		got, err = r.AddInboxMessage(ctx, "C_IM1", withTS(agentMsg(tickets.FromAgent, "hello"), "1.1"))
		if err != nil || got != (tickets.InboxAdded{Ticket: tk.ID, Source: "webhook"}) {
			t.Fatalf("the same ts again: %+v, %v", got, err)
		}
		if got, err := r.AddInboxMessage(ctx, "C_IM1", withTS(agentMsg(tickets.Internal, "a note"), "1.2")); err != nil || !got.Added {
			t.Fatalf("a note: %+v, %v", got, err)
		}
		if got := types(events(t, r, tk.ID)); !slices.Equal(got, []string{"ticket.opened", "ticket.picked", "message::hello", "message::a note"}) {
			t.Errorf("events %v", got)
		}
		ms, _ := r.Messages(ctx, tk.ID)
		if len(ms) != 2 || ms[0].Text != "hello" || ms[1].Direction != tickets.Internal {
			t.Errorf("transcript %+v", ms)
		}
	})

	t.Run("Refusals", func(t *testing.T) {
		r, _ := newStore(t)
		if _, err := r.AddInboxMessage(ctx, "C_NONE", agentMsg(tickets.FromAgent, "hi")); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("not an inbox channel: %v", err)
		}
		if _, err := r.AddInboxMessage(ctx, "C_NONE", customerMsg("hi", "")); !errors.Is(err, tickets.ErrInvalid) {
			t.Errorf("a customer's message: %v", err)
		}
		// A ticket transferred back to pending keeps its inbox: agent messages wait.
		pending := open(t, r, "im-2", nil)
		if err := r.SetInbox(ctx, pending.ID, "C_IM2"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.AddInboxMessage(ctx, "C_IM2", agentMsg(tickets.FromAgent, "early")); !errors.Is(err, tickets.ErrNotActive) {
			t.Errorf("pending: %v", err)
		}
		if got, err := r.AddInboxMessage(ctx, "C_IM2", agentMsg(tickets.Internal, "note")); err != nil || !got.Added {
			t.Errorf("a note while pending: %+v, %v", got, err)
		}
		closed := active(t, r, "im-3", "C_IM3")
		if _, err := r.AddInboxMessage(ctx, "C_IM3", agentMsg(tickets.FromAgent, "before")); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Close(ctx, closed.ID, tickets.Closing{By: alice, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.AddInboxMessage(ctx, "C_IM3", agentMsg(tickets.FromAgent, "after")); !errors.Is(err, tickets.ErrClosed) {
			t.Errorf("closed: %v", err)
		}
		if ms, _ := r.Messages(ctx, closed.ID); len(ms) != 1 {
			t.Errorf("the closed ticket has %d messages, want 1", len(ms))
		}
	})

	t.Run("OneRoundTripOnceTheChannelIsKnown", func(t *testing.T) {
		r, c := newStore(t)
		rh, cc := counted(t, r, c)
		tk := active(t, r, "im-4", "C_IM4") // by another process
		if _, err := rh.AddInboxMessage(ctx, "C_IM4", agentMsg(tickets.FromAgent, "one")); err != nil {
			t.Fatal(err)
		}
		cc.take() // GET, then EVALSHA (and EVAL, the script's first time)
		got, err := rh.AddInboxMessage(ctx, "C_IM4", agentMsg(tickets.FromAgent, "two"))
		if err != nil || !got.Added || got.Ticket != tk.ID {
			t.Fatalf("AddInboxMessage = %+v, %v", got, err)
		}
		if n, names := cc.take(); n != 1 {
			t.Errorf("next message: %d round trips (%v), want 1", n, names)
		}
	})
}
