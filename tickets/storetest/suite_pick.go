package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testPick(t *testing.T, start starter) {
	t.Run("PendingBecomesActive", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		s.says("c1", customer("more", "s2", at(2)))
		s.news(tk.ID)
		got := s.pick(tk.ID, alice, at(3))
		equal(t, "status, assignee", []any{got.Status, got.Assignee}, []any{tickets.StatusActive, alice})
		sameTime(t, "PickedAt", got.PickedAt, at(3))
		sameTime(t, "UpdatedAt", got.UpdatedAt, at(3))
		equal(t, "Get", s.get(tk.ID), got)
		// The messages held while it was pending are replayed into the inbox, in order.
		evs := s.expect(tk.ID, "ticket.picked by U_ALICE",
			`message customer:"hello" @inbox replay`, `message customer:"more" @inbox replay`)
		for i, ev := range evs {
			sameTime(t, fmt.Sprintf("event %d: At", i), ev.At, at(3))
		}
		equal(t, "the replayed messages", []any{*evs[1].Message, *evs[2].Message},
			[]any{customer("hello", "s1", at(1)), customer("more", "s2", at(2))})
	})

	t.Run("ExactlyOneWins", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "", at(1)))
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				a := tickets.Agent{ID: tickets.AgentID(fmt.Sprint("U", i)), Name: fmt.Sprint("Agent ", i)}
				_, errs[i] = s.Pick(s.ctx, tk.ID, a, at(2))
			})
		}
		wg.Wait()
		winner := s.get(tk.ID).Assignee
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				if winner.ID != tickets.AgentID(fmt.Sprint("U", i)) {
					t.Errorf("pick %d won, but the assignee is %s", i, winner.ID)
				}
			} else if by, ok := tickets.IsAlreadyPicked(err); !ok || by != winner {
				t.Errorf("pick %d: %v, want already picked by %s", i, err, winner.ID)
			}
		}
		if wins != 1 {
			t.Fatalf("%d picks won, want 1", wins)
		}
		s.expect(tk.ID, "ticket.picked by "+string(winner.ID), `message customer:"hello" @inbox replay`)
	})

	t.Run("AlreadyPicked", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "", at(1)))
		s.pick(tk.ID, alice, at(2))
		s.news(tk.ID)
		before := s.get(tk.ID)
		_, err := s.Pick(s.ctx, tk.ID, bob, at(3))
		if by, ok := tickets.IsAlreadyPicked(err); !ok || by != alice {
			t.Errorf("second pick: %v, want already picked by alice", err)
		}
		s.unchanged(before) // nothing replayed twice
	})

	t.Run("ReplaysOnlyWhatWasHeld", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "", at(1)))
		s.pick(tk.ID, alice, at(2))
		s.says("c1", customer("now", "", at(3)))
		if _, err := s.Transfer(s.ctx, tk.ID, tech, alice, at(4)); err != nil {
			t.Fatal(err)
		}
		s.says("c1", customer("waiting", "", at(5)))
		s.news(tk.ID)
		s.pick(tk.ID, bob, at(6))
		s.expect(tk.ID, "ticket.picked by U_BOB after-transfer", `message customer:"waiting" @inbox replay`)
	})

	t.Run("Closed", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "", at(1)))
		closed := s.close(tk.ID, tickets.Closing{By: alice, At: at(2)})
		s.news(tk.ID)
		_, err := s.Pick(s.ctx, tk.ID, bob, at(3))
		wantErr(t, "Pick", err, tickets.ErrClosed)
		s.unchanged(closed)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := start(t)
		_, err := s.Pick(s.ctx, "999999-1", alice, t0)
		wantErr(t, "Pick", err, tickets.ErrNotFound)
	})
}

func testTransfer(t *testing.T, start starter) {
	t.Run("PendingToAnotherTeam", func(t *testing.T) {
		s := start(t)
		tk, opened := s.open("c1")
		got, err := s.Transfer(s.ctx, tk.ID, tech, alice, at(1))
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "team, status", []any{got.Team, got.Status}, []any{tech, tickets.StatusPending})
		equal(t, "transfers", got.Transfers, []tickets.Transfer{{From: support, To: tech, By: alice, At: at(1)}})
		sameTime(t, "UpdatedAt", got.UpdatedAt, at(1))
		equal(t, "Get", s.get(tk.ID), got)
		evs := s.expect(tk.ID, "ticket.transferred by U_ALICE from C_SUPPORT to C_TECH")
		equal(t, "from, to, previous card event", []any{evs[0].From, evs[0].To, evs[0].PrevCardEvent},
			[]any{support, tech, opened[0].ID})
		sameTime(t, "EventTransferred.At", evs[0].At, at(1))
	})

	t.Run("ActiveToAnyTeam", func(t *testing.T) {
		s := start(t)
		tk, opened := s.open("c1")
		s.setInbox(tk.ID, "G1")
		s.pick(tk.ID, alice, at(1))
		s.news(tk.ID)
		// Back to its own team's queue: pending, no assignee, the inbox kept.
		got, err := s.Transfer(s.ctx, tk.ID, support, alice, at(2))
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "team, status, assignee, inbox", []any{got.Team, got.Status, got.Assignee, got.Inbox},
			[]any{support, tickets.StatusPending, tickets.Agent{}, "G1"})
		first := s.expect(tk.ID, "ticket.transferred by U_ALICE from C_SUPPORT to C_SUPPORT")
		equal(t, "PrevCardEvent", first[0].PrevCardEvent, opened[0].ID)
		got, err = s.Transfer(s.ctx, tk.ID, tech, bob, at(3))
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "transfers", got.Transfers, []tickets.Transfer{
			{From: support, To: support, By: alice, At: at(2)}, {From: support, To: tech, By: bob, At: at(3)}})
		second := s.expect(tk.ID, "ticket.transferred by U_BOB from C_SUPPORT to C_TECH")
		equal(t, "PrevCardEvent", second[0].PrevCardEvent, first[0].ID)
	})

	t.Run("Refused", func(t *testing.T) {
		s := start(t)
		pending, _ := s.open("c1")
		closed, _ := s.open("c2")
		closed = s.close(closed.ID, tickets.Closing{By: alice, At: at(1)})
		s.news(closed.ID)
		_, err := s.Transfer(s.ctx, pending.ID, support, alice, at(2))
		wantErr(t, "pending, to its own team", err, tickets.ErrSameTeam)
		s.unchanged(pending)
		_, err = s.Transfer(s.ctx, closed.ID, tech, alice, at(2))
		wantErr(t, "closed", err, tickets.ErrClosed)
		s.unchanged(closed)
		_, err = s.Transfer(s.ctx, "999999-1", tech, alice, at(2))
		wantErr(t, "no such ticket", err, tickets.ErrNotFound)
	})
}
