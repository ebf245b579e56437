package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Close(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t1 := t0.Add(time.Hour)

	t.Run("ByAgent", func(t *testing.T) {
		r, c := newStore(t)
		first := customerMsg("one", "")
		tk := open(t, r, "conv-1", &first)
		got, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, Reason: "solved", At: t1})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tickets.StatusClosed || got.ClosedBy != alice || got.CloseReason != "solved" ||
			!got.ClosedAt.Equal(t1) || !got.UpdatedAt.Equal(t1) {
			t.Errorf("Close returned %+v", got)
		}
		ref := mustRef(t, tk.ID)
		if n := c.Exists(ctx, r.keys.held(ref), r.keys.conv(ref.p, "webhook", "conv-1")).Val(); n != 0 {
			t.Errorf("held messages or the conversation key remain")
		}
		if n := c.ZCard(ctx, r.keys.open(ref.p)).Val(); n != 0 {
			t.Errorf("open set still has %d tickets", n)
		}
		evs := events(t, r, tk.ID)
		ev := evs[len(evs)-1]
		if ev.Type != tickets.EventClosed || ev.Actor != alice || ev.Reason != "solved" || ev.BySource {
			t.Errorf("EventClosed = %+v", ev)
		}
		if _, err := r.FindOpen(ctx, "webhook", "conv-1"); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("FindOpen after close = %v, want ErrNotFound", err)
		}
		again, created, err := openInbound(ctx, r, newTicket("conv-1"), nil)
		if err != nil || !created || again.ID == tk.ID {
			t.Errorf("Open after close = %v, created %v, %v; want a new ticket", again.ID, created, err)
		}
	})

	t.Run("BySource", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-1", nil)
		got, err := r.Close(ctx, tk.ID, tickets.Closing{Reason: "customer left", BySource: true, At: t1})
		if err != nil || got.ClosedBy != (tickets.Agent{}) {
			t.Fatalf("Close = %+v, %v", got, err)
		}
		evs := events(t, r, tk.ID)
		if ev := evs[len(evs)-1]; !ev.BySource || ev.Reason != "customer left" {
			t.Errorf("EventClosed = %+v, want BySource", ev)
		}
	})

	t.Run("HandBack", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-hb", nil)
		if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, Reason: "handed back", HandBack: true, At: t1}); err != nil {
			t.Fatal(err)
		}
		evs := events(t, r, tk.ID)
		if ev := evs[len(evs)-1]; !ev.HandedBack || ev.BySource || ev.Actor != alice {
			t.Errorf("EventClosed = %+v, want HandedBack by alice", ev)
		}
	})

	t.Run("KeepsNewerConversationTicket", func(t *testing.T) {
		r, c := newStore(t)
		old := open(t, r, "conv-1", nil)
		ref := mustRef(t, old.ID)
		// The conversation points at another ticket (as if one had been opened since).
		c.Set(ctx, r.keys.conv(ref.p, "webhook", "conv-1"), string(ticketID(77, ref.p)), 0)
		if _, err := r.Close(ctx, old.ID, tickets.Closing{By: alice, At: t1}); err != nil {
			t.Fatal(err)
		}
		if n := c.Exists(ctx, r.keys.conv(ref.p, "webhook", "conv-1")).Val(); n != 1 {
			t.Errorf("Close deleted a conversation key that was not its own")
		}
	})

	t.Run("Errors", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-1", nil)
		if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t1}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			id   tickets.ID
			want error
		}{
			{"NotFound", "12-3", tickets.ErrNotFound},
			{"Twice", tk.ID, tickets.ErrClosed},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, r)
				if _, err := r.Close(ctx, tc.id, tickets.Closing{By: bob, At: t1}); !errors.Is(err, tc.want) {
					t.Errorf("Close = %v, want %v", err, tc.want)
				}
				unchanged(t, r, before)
			})
		}
	})
}
