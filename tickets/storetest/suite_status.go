package storetest

import (
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testStatus(t *testing.T, start starter) {
	// set applies c to ticket id, with ifSince.
	set := func(s *subject, id tickets.ID, c tickets.StatusChange, ifSince time.Time) (*tickets.Ticket, error) {
		s.t.Helper()
		return s.SetStatus(s.ctx, id, c, ifSince)
	}
	t.Run("Transitions", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hi", "c-1", at(0)))
		s.setInbox(tk.ID, "G1")
		s.news(tk.ID)
		_, err := set(s, tk.ID, tickets.StatusChange{To: tickets.StatusWaiting, At: at(1), By: alice}, time.Time{})
		wantErr(t, "pending → waiting", err, tickets.ErrNotActive)
		s.pick(tk.ID, alice, at(2))
		s.news(tk.ID)

		got, err := set(s, tk.ID, tickets.StatusChange{To: tickets.StatusWaiting, At: at(3), By: alice}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := tickets.StatusChange{From: tickets.StatusActive, To: tickets.StatusWaiting, At: at(3), By: alice}
		equal(t, "status", got.Status, tickets.StatusWaiting)
		equal(t, "statuses", got.Statuses, []tickets.StatusChange{want})
		evs := s.expect(tk.ID, "ticket.status by U_ALICE")
		equal(t, "the event's change", *evs[0].Status, want)
		before := s.get(tk.ID)
		_, err = set(s, tk.ID, tickets.StatusChange{To: tickets.StatusWaiting, At: at(4), By: bob}, time.Time{})
		wantErr(t, "waiting → waiting", err, tickets.ErrSameStatus)
		s.unchanged(before)
		_, err = s.Pick(s.ctx, tk.ID, bob, at(4))
		if by, ok := tickets.IsAlreadyPicked(err); !ok || by.ID != alice.ID {
			t.Errorf("Pick of a ticket waiting on the customer = %v", err)
		}

		// The agent may write while it waits; the customer's answer makes it active.
		if _, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "anything else?", "a-1", at(5))); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `message agent:"anything else?" by U_ALICE`)
		s.says("c1", customer("yes", "c-2", at(6)))
		evs = s.expect(tk.ID, `message customer:"yes" @inbox`, "ticket.status")
		equal(t, "the customer's change", *evs[1].Status,
			tickets.StatusChange{From: tickets.StatusWaiting, To: tickets.StatusActive, At: at(6), Cause: tickets.CauseCustomer})
		equal(t, "status after the customer's answer", s.get(tk.ID).Status, tickets.StatusActive)

		// On hold with a note and a wake-up time; a wake-up for another hold is stale.
		hold := tickets.StatusChange{To: tickets.StatusOnHold, At: at(7), By: alice, Note: "asked the bank", WakeAt: at(100)}
		if _, err := set(s, tk.ID, hold, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, "ticket.status by U_ALICE")
		s.says("c1", customer("any news?", "c-3", at(8)))
		s.expect(tk.ID, `message customer:"any news?" @inbox`) // still on hold
		if h, ok := s.get(tk.ID).Hold(); !ok || h.Note != "asked the bank" || !h.WakeAt.Equal(at(100)) {
			t.Errorf("Hold = %+v, %v", h, ok)
		}
		wake := tickets.StatusChange{To: tickets.StatusActive, At: at(100), Cause: tickets.CauseWake}
		_, err = set(s, tk.ID, wake, at(6))
		wantErr(t, "a stale wake-up", err, tickets.ErrStale)
		if got, err = set(s, tk.ID, wake, at(7)); err != nil || got.Status != tickets.StatusActive {
			t.Fatalf("wake-up = %v, %v", got, err)
		}
		s.expect(tk.ID, "ticket.status")
		equal(t, "changes kept", len(s.get(tk.ID).Statuses), 4)

		s.close(tk.ID, tickets.Closing{By: alice, At: at(9)})
		s.news(tk.ID)
		_, err = set(s, tk.ID, tickets.StatusChange{To: tickets.StatusOnHold, At: at(10), By: alice}, time.Time{})
		wantErr(t, "closed → on hold", err, tickets.ErrClosed)
		_, err = set(s, "999999-1", tickets.StatusChange{To: tickets.StatusOnHold, At: at(10), By: alice}, time.Time{})
		wantErr(t, "no such ticket", err, tickets.ErrNotFound)
	})
	t.Run("AutoWait", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hi", "c-1", at(0)))
		s.setInbox(tk.ID, "G1")
		s.pick(tk.ID, alice, at(1))
		if err := s.SetWatch(s.ctx, tk.ID, tickets.Watch{AutoWait: true}); err != nil {
			t.Fatal(err)
		}
		s.news(tk.ID)
		if _, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "does this help?", "a-1", at(2))); err != nil {
			t.Fatal(err)
		}
		evs := s.expect(tk.ID, `message agent:"does this help?" by U_ALICE`, "ticket.status by U_ALICE")
		equal(t, "the reply's change", *evs[1].Status,
			tickets.StatusChange{From: tickets.StatusActive, To: tickets.StatusWaiting, At: at(2), By: alice, Cause: tickets.CauseReply})
		// A note does not; nor does a second message while it waits.
		if _, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "one more thing", "a-2", at(3))); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `message agent:"one more thing" by U_ALICE`)
		equal(t, "status", s.get(tk.ID).Status, tickets.StatusWaiting)
	})
}

func testReopen(t *testing.T, start starter) {
	t.Run("Active", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hi", "c-1", at(0)))
		s.setInbox(tk.ID, "G1")
		s.pick(tk.ID, alice, at(1))
		s.close(tk.ID, tickets.Closing{By: alice, Reason: "done", At: at(2)})
		s.news(tk.ID)
		_, err := s.Reopen(s.ctx, tk.ID, at(3))
		if err != nil {
			t.Fatal(err)
		}
		got := s.get(tk.ID)
		if got.Status != tickets.StatusActive || got.Assignee != alice || !got.ClosedAt.IsZero() || got.ClosedBy.ID != "" || got.CloseReason != "" {
			t.Errorf("reopened = %+v", got)
		}
		want := tickets.StatusChange{From: tickets.StatusClosed, To: tickets.StatusActive, At: at(3), Cause: tickets.CauseReopen, ClosedAt: at(2)}
		equal(t, "the reopen kept", got.Statuses, []tickets.StatusChange{want})
		evs := s.expect(tk.ID, "ticket.reopened by U_ALICE")
		equal(t, "the event's change", *evs[0].Status, want)
		// The conversation's open ticket again: its messages go to it, in the inbox.
		if open, err := s.FindOpen(s.ctx, tk.Source, tk.ConversationID); err != nil || open.ID != tk.ID {
			t.Fatalf("FindOpen = %v, %v", open, err)
		}
		s.says("c1", customer("me again", "c-2", at(4)))
		s.expect(tk.ID, `message customer:"me again" @inbox`)
		// Again: nothing changes.
		if _, err := s.Reopen(s.ctx, tk.ID, at(5)); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID)
		// Closed again, it may reopen again.
		s.close(tk.ID, tickets.Closing{By: alice, At: at(6)})
		s.news(tk.ID)
		if _, err := s.Reopen(s.ctx, tk.ID, at(7)); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, "ticket.reopened by U_ALICE")
	})
	t.Run("Pending", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hi", "c-1", at(0)))
		s.close(tk.ID, tickets.Closing{By: alice, At: at(1)})
		s.news(tk.ID)
		got, err := s.Reopen(s.ctx, tk.ID, at(2))
		if err != nil || got.Status != tickets.StatusPending {
			t.Fatalf("Reopen = %+v, %v", got, err)
		}
		s.expect(tk.ID, "ticket.reopened")
		s.says("c1", customer("hello?", "c-2", at(3)))
		s.expect(tk.ID, `message customer:"hello?" @card`)
	})
	t.Run("Stale", func(t *testing.T) {
		s := start(t)
		first, _ := s.open("c1", customer("hi", "c-1", at(0)))
		s.close(first.ID, tickets.Closing{By: alice, At: at(1)})
		second, _ := s.open("c1", customer("new", "c-2", at(2)))
		s.news(first.ID)
		before := s.get(first.ID)
		_, err := s.Reopen(s.ctx, first.ID, at(3))
		wantErr(t, "with another ticket open", err, tickets.ErrStale)
		s.unchanged(before)
		s.close(second.ID, tickets.Closing{By: alice, At: at(4)})
		_, err = s.Reopen(s.ctx, first.ID, at(5))
		wantErr(t, "with a later ticket closed", err, tickets.ErrStale)
		_, err = s.Reopen(s.ctx, "999999-1", at(5))
		wantErr(t, "no such ticket", err, tickets.ErrNotFound)
	})
}
