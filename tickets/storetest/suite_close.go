package storetest

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testClose(t *testing.T, start starter) {
	t.Run("Pending", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "", at(1)))
		got := s.close(tk.ID, tickets.Closing{By: alice, Reason: "spam", HandBack: true, At: at(2)})
		equal(t, "status, closed by, reason, by source, handed back",
			[]any{got.Status, got.ClosedBy, got.CloseReason, got.BySource, got.HandedBack},
			[]any{tickets.StatusClosed, alice, "spam", false, true})
		sameTime(t, "ClosedAt", got.ClosedAt, at(2))
		sameTime(t, "UpdatedAt", got.UpdatedAt, at(2))
		equal(t, "Get", s.get(tk.ID), got)
		evs := s.expect(tk.ID, `ticket.closed by U_ALICE reason "spam" handed-back`)
		sameTime(t, "EventClosed.At", evs[0].At, at(2))
		_, err := s.FindOpen(s.ctx, "webhook", "c1")
		wantErr(t, "FindOpen", err, tickets.ErrNotFound)
		if last, err := s.FindLastClosed(s.ctx, "webhook", "c1"); err != nil || last.ID != tk.ID {
			t.Errorf("FindLastClosed = %v, %v", last, err)
		}
	})

	t.Run("Active", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		s.pick(tk.ID, alice, at(1))
		s.news(tk.ID)
		got := s.close(tk.ID, tickets.Closing{Reason: "left", BySource: true, At: at(2)})
		equal(t, "status, closed by, by source", []any{got.Status, got.ClosedBy, got.BySource},
			[]any{tickets.StatusClosed, tickets.Agent{}, true})
		s.expect(tk.ID, `ticket.closed reason "left" by-source`)
	})

	t.Run("IfPending", func(t *testing.T) {
		s := start(t)
		pending, _ := s.open("c1")
		active, _ := s.open("c2")
		active = s.pick(active.ID, alice, at(1))
		s.news(active.ID)
		sla := tickets.Closing{Reason: "sla", HandBack: true, IfPending: true, At: at(2)}
		_, err := s.Close(s.ctx, active.ID, sla)
		wantErr(t, "IfPending on an active ticket", err, tickets.ErrNotActive)
		s.unchanged(active)
		if got := s.close(pending.ID, sla); got.Status != tickets.StatusClosed || !got.HandedBack {
			t.Errorf("IfPending on a pending ticket: %+v", got)
		}
		s.expect(pending.ID, `ticket.closed reason "sla" handed-back`)
	})

	t.Run("Refused", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		closed := s.close(tk.ID, tickets.Closing{By: alice, At: at(1)})
		s.news(tk.ID)
		_, err := s.Close(s.ctx, tk.ID, tickets.Closing{By: bob, At: at(2)})
		wantErr(t, "closed", err, tickets.ErrClosed)
		s.unchanged(closed)
		_, err = s.Close(s.ctx, "999999-1", tickets.Closing{By: bob, At: at(2)})
		wantErr(t, "no such ticket", err, tickets.ErrNotFound)
	})

	t.Run("DropsWhatWasHeld", func(t *testing.T) {
		// A ticket closed while pending replays nothing: it can never be picked.
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "", at(1)))
		s.close(tk.ID, tickets.Closing{By: alice, At: at(2)})
		s.news(tk.ID)
		_, err := s.Pick(s.ctx, tk.ID, alice, at(3))
		wantErr(t, "Pick", err, tickets.ErrClosed)
		s.expect(tk.ID)
	})
}

func testRate(t *testing.T, start starter) {
	t.Run("Closed", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		s.close(tk.ID, tickets.Closing{By: alice, At: at(1)})
		s.news(tk.ID)
		for _, c := range []tickets.CSAT{{Rating: 4, Comment: "quick", At: at(2)}, {Rating: 2, At: at(3)}} {
			if err := s.Rate(s.ctx, tk.ID, c); err != nil {
				t.Fatal(err)
			}
			got := s.get(tk.ID)
			equal(t, "CSAT", got.CSAT, &c) // the later rating replaces the earlier
			equal(t, "status", got.Status, tickets.StatusClosed)
			sameTime(t, "UpdatedAt", got.UpdatedAt, c.At)
			evs := s.expect(tk.ID, "ticket.rated")
			sameTime(t, "EventRated.At", evs[0].At, c.At)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		wantErr(t, "an open ticket", s.Rate(s.ctx, tk.ID, tickets.CSAT{Rating: 5, At: at(1)}), tickets.ErrInvalid)
		s.unchanged(tk)
		wantErr(t, "no such ticket", s.Rate(s.ctx, "999999-1", tickets.CSAT{Rating: 5, At: at(1)}), tickets.ErrNotFound)
	})
}
