package storetest

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testFind(t *testing.T, start starter) {
	t.Run("Get", func(t *testing.T) {
		s := start(t)
		for _, id := range []tickets.ID{"nope", "999999-1", ""} {
			_, err := s.Get(s.ctx, id)
			wantErr(t, "Get("+string(id)+")", err, tickets.ErrNotFound)
			_, err = s.Messages(s.ctx, id)
			wantErr(t, "Messages("+string(id)+")", err, tickets.ErrNotFound)
		}
		// What Get returns is the caller's to change.
		tk, _ := s.open("c1")
		s.pick(tk.ID, alice, at(1))
		if _, err := s.Transfer(s.ctx, tk.ID, tech, alice, at(2)); err != nil {
			t.Fatal(err)
		}
		before := s.get(tk.ID)
		mine := s.get(tk.ID)
		mine.Customer.Fields["plan"] = "free"
		mine.Transfers[0].To = support
		equal(t, "the ticket after changing a copy", s.get(tk.ID), before)
	})

	t.Run("OpenTickets", func(t *testing.T) {
		s := start(t)
		none, err := s.OpenTickets(s.ctx)
		if err != nil || len(none) != 0 {
			t.Fatalf("OpenTickets of an empty store = %v, %v", none, err)
		}
		a, _ := s.open("c1")
		b, _ := s.open("c2")
		c, _ := s.open("c3")
		s.pick(b.ID, alice, at(1))
		s.close(c.ID, tickets.Closing{By: alice, At: at(2)})
		got, err := s.OpenTickets(s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[tickets.ID]*tickets.Ticket{}
		for _, tk := range got {
			byID[tk.ID] = tk
		}
		if len(got) != 2 || byID[a.ID] == nil || byID[b.ID] == nil {
			t.Fatalf("OpenTickets = %d tickets %v, want %s and %s", len(got), byID, a.ID, b.ID)
		}
		equal(t, "an open ticket as Get has it", byID[b.ID].Assignee, s.get(b.ID).Assignee)
		equal(t, "its card", byID[a.ID].Card, s.get(a.ID).Card)
	})

	t.Run("CountWaiting", func(t *testing.T) {
		s := start(t)
		count := func(team tickets.Team) int {
			t.Helper()
			n, err := s.CountWaiting(s.ctx, team.ChannelID)
			if err != nil {
				t.Fatalf("CountWaiting(%s): %v", team.Label, err)
			}
			return n
		}
		if n := count(support); n != 0 {
			t.Errorf("no tickets yet: %d waiting", n)
		}
		s.open("c1")
		picked, _ := s.open("c2")
		s.pick(picked.ID, alice, at(1))
		closed, _ := s.open("c3")
		s.close(closed.ID, tickets.Closing{By: alice, At: at(2)})
		moved, _ := s.open("c4")
		s.pick(moved.ID, alice, at(3))
		if _, err := s.Transfer(s.ctx, moved.ID, tech, alice, at(4)); err != nil {
			t.Fatal(err)
		}
		if n := count(support); n != 1 {
			t.Errorf("Support: %d waiting, want 1 (c1; c2 picked, c3 closed, c4 moved on)", n)
		}
		if n := count(tech); n != 1 {
			t.Errorf("Technical Team: %d waiting, want 1 (c4, transferred to it)", n)
		}
		if n := count(tickets.Team{ChannelID: "C_ELSEWHERE"}); n != 0 {
			t.Errorf("a channel of no team: %d waiting", n)
		}
	})

	t.Run("FindOpen", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		if got, err := s.FindOpen(s.ctx, "webhook", "c1"); err != nil || got.ID != tk.ID {
			t.Errorf("FindOpen = %v, %v", got, err)
		}
		for _, k := range [][2]string{{"webhook", "c2"}, {"chatra", "c1"}} {
			_, err := s.FindOpen(s.ctx, k[0], k[1])
			wantErr(t, "FindOpen("+k[0]+", "+k[1]+")", err, tickets.ErrNotFound)
		}
	})

	t.Run("FindLastClosed", func(t *testing.T) {
		s := start(t)
		_, err := s.FindLastClosed(s.ctx, "webhook", "c1")
		wantErr(t, "FindLastClosed before any ticket", err, tickets.ErrNotFound)
		first, _ := s.open("c1")
		_, err = s.FindLastClosed(s.ctx, "webhook", "c1")
		wantErr(t, "FindLastClosed of an open ticket", err, tickets.ErrNotFound)
		s.close(first.ID, tickets.Closing{By: alice, At: at(1)})
		second, _ := s.open("c1")
		if got, err := s.FindLastClosed(s.ctx, "webhook", "c1"); err != nil || got.ID != first.ID {
			t.Errorf("FindLastClosed while the second is open = %v, %v; want %s", got, err, first.ID)
		}
		s.close(second.ID, tickets.Closing{By: alice, At: at(2)})
		if got, err := s.FindLastClosed(s.ctx, "webhook", "c1"); err != nil || got.ID != second.ID || got.Status != tickets.StatusClosed {
			t.Errorf("FindLastClosed = %v, %v; want %s", got, err, second.ID)
		}
		_, err = s.FindLastClosed(s.ctx, "chatra", "c1")
		wantErr(t, "FindLastClosed of another source", err, tickets.ErrNotFound)
	})

	t.Run("FindByInbox", func(t *testing.T) {
		s := start(t)
		_, err := s.FindByInbox(s.ctx, "G1")
		wantErr(t, "FindByInbox before SetInbox", err, tickets.ErrNotFound)
		tk, _ := s.open("c1")
		s.setInbox(tk.ID, "G1")
		s.setInbox(tk.ID, "G1") // again: harmless
		got, err := s.FindByInbox(s.ctx, "G1")
		if err != nil || got.ID != tk.ID || got.Inbox != "G1" {
			t.Fatalf("FindByInbox = %v, %v", got, err)
		}
		equal(t, "Get", s.get(tk.ID), got)
		s.expect(tk.ID) // an inbox is no event
		s.close(tk.ID, tickets.Closing{By: alice, At: at(1)})
		if got, err := s.FindByInbox(s.ctx, "G1"); err != nil || got.ID != tk.ID || got.Status != tickets.StatusClosed {
			t.Errorf("FindByInbox of the closed ticket = %v, %v", got, err)
		}
		wantErr(t, "SetInbox of no ticket", s.SetInbox(s.ctx, "999999-1", "G2"), tickets.ErrNotFound)
	})
}
