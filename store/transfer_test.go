package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Transfer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)

	t.Run("ActiveToOtherTeam", func(t *testing.T) {
		r, c := newStore(t)
		tk := open(t, r, "conv-1", nil)
		if _, err := r.Pick(ctx, tk.ID, alice, t1); err != nil {
			t.Fatal(err)
		}
		if err := r.SetInbox(ctx, tk.ID, "C_INBOX"); err != nil {
			t.Fatal(err)
		}
		openedEv := events(t, r, tk.ID)[0]
		card := tickets.Card{Channel: support.ChannelID, TS: "1.1"}
		if err := r.SetCard(ctx, tk.ID, openedEv.ID, card); err != nil {
			t.Fatal(err)
		}
		got, err := r.Transfer(ctx, tk.ID, tech, alice, t2)
		if err != nil {
			t.Fatal(err)
		}
		want := tickets.Transfer{From: support, To: tech, By: alice, At: t2}
		if got.Status != tickets.StatusPending || got.Team != tech || got.Assignee != (tickets.Agent{}) ||
			got.Inbox != "C_INBOX" || !got.Card.IsZero() || len(got.Transfers) != 1 ||
			got.Transfers[0].From != want.From || got.Transfers[0].To != want.To ||
			got.Transfers[0].By != want.By || !got.Transfers[0].At.Equal(t2) {
			t.Fatalf("Transfer returned %+v", got)
		}
		evs := events(t, r, tk.ID)
		tr := evs[len(evs)-1]
		if tr.Type != tickets.EventTransferred || tr.From != support || tr.To != tech || tr.Actor != alice ||
			tr.PrevCardEvent != openedEv.ID {
			t.Errorf("EventTransferred = %+v, want support → tech by alice, prev card %s", tr, openedEv.ID)
		}
		if ce := c.HGet(ctx, r.keys.ticket(mustRef(t, tk.ID)), "card_event").Val(); ce != tr.ID {
			t.Errorf("card_event = %q, want the transfer's event %q", ce, tr.ID)
		}
		if old, err := r.CardOf(ctx, tk.ID, tr.PrevCardEvent); err != nil || !reflect.DeepEqual(old, card) {
			t.Errorf("CardOf(prev) = %v, %v; want %v", old, err, card)
		}
		newCard := tickets.Card{Channel: tech.ChannelID, TS: "2.2"}
		if err := r.SetCard(ctx, tk.ID, tr.ID, newCard); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Get(ctx, tk.ID); !reflect.DeepEqual(got.Card, newCard) {
			t.Errorf("Card = %v after SetCard for the transfer, want %v", got.Card, newCard)
		}
	})

	t.Run("ActiveToOwnTeam", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-1", nil)
		if _, err := r.Pick(ctx, tk.ID, alice, t1); err != nil {
			t.Fatal(err)
		}
		got, err := r.Transfer(ctx, tk.ID, support, alice, t2)
		if err != nil || got.Status != tickets.StatusPending || got.Team != support {
			t.Fatalf("Transfer back to its own team = %+v, %v", got, err)
		}
	})

	t.Run("RepickReplaysOnlyNewHeld", func(t *testing.T) {
		r, _ := newStore(t)
		first := customerMsg("one", "")
		tk := open(t, r, "conv-1", &first)
		if _, err := r.Pick(ctx, tk.ID, alice, t1); err != nil {
			t.Fatal(err)
		}
		mustAdd(t, r, tk.ID, customerMsg("two", ""))
		if _, err := r.Transfer(ctx, tk.ID, tech, alice, t2); err != nil {
			t.Fatal(err)
		}
		mustAdd(t, r, tk.ID, customerMsg("three", ""))
		n := len(events(t, r, tk.ID))
		if _, err := r.Pick(ctx, tk.ID, bob, t2); err != nil {
			t.Fatal(err)
		}
		evs := events(t, r, tk.ID)[n:]
		if want := []string{"ticket.picked", "message:inbox:three"}; !slices.Equal(types(evs), want) {
			t.Errorf("events of the second pick = %v, want %v", types(evs), want)
		}
		if !evs[0].AfterTransfer || evs[0].Actor != bob {
			t.Errorf("second EventPicked = %+v, want AfterTransfer by bob", evs[0])
		}
	})

	t.Run("Errors", func(t *testing.T) {
		r, _ := newStore(t)
		pending := open(t, r, "pending", nil)
		closed := open(t, r, "closed", nil)
		if _, err := r.Close(ctx, closed.ID, tickets.Closing{By: bob, At: t0}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			id   tickets.ID
			want error
		}{
			{"NotFound", "999-3", tickets.ErrNotFound},
			{"Closed", closed.ID, tickets.ErrClosed},
			{"PendingToOwnTeam", pending.ID, tickets.ErrSameTeam},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, r)
				if _, err := r.Transfer(ctx, tc.id, support, alice, t1); !errors.Is(err, tc.want) {
					t.Errorf("Transfer = %v, want %v", err, tc.want)
				}
				unchanged(t, r, before)
			})
		}
	})
}

func mustAdd(t *testing.T, r *Redis, id tickets.ID, m tickets.Message) {
	t.Helper()
	if added, err := add(context.Background(), r, id, m); err != nil || !added {
		t.Fatalf("add(%s) = %v, %v", m.Text, added, err)
	}
}
