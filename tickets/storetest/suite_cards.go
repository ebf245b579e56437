package storetest

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testCards(t *testing.T, start starter) {
	t.Run("TheLatestEventsCard", func(t *testing.T) {
		s := start(t)
		tk, opened := s.open("c1")
		_, err := s.CardOf(s.ctx, tk.ID, opened[0].ID)
		wantErr(t, "CardOf before SetCard", err, tickets.ErrNotFound)
		first := tickets.Card{Channel: "C_SUPPORT", TS: "1.1", Copies: []tickets.Card{{Channel: "D_PRIO", TS: "1.2"}}}
		if err := s.SetCard(s.ctx, tk.ID, opened[0].ID, first); err != nil {
			t.Fatal(err)
		}
		got, err := s.CardOf(s.ctx, tk.ID, opened[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "CardOf", got, first)
		equal(t, "the ticket's card", s.get(tk.ID).Card, first)

		// A transfer asks for a new card: until it is posted the ticket shows none.
		if _, err := s.Transfer(s.ctx, tk.ID, tech, alice, at(1)); err != nil {
			t.Fatal(err)
		}
		transferred := s.expect(tk.ID, "ticket.transferred by U_ALICE from C_SUPPORT to C_TECH")
		equal(t, "the ticket's card after the transfer", s.get(tk.ID).Card, tickets.Card{})
		second := tickets.Card{Channel: "C_TECH", TS: "2.1"}
		if err := s.SetCard(s.ctx, tk.ID, transferred[0].ID, second); err != nil {
			t.Fatal(err)
		}
		equal(t, "the ticket's card", s.get(tk.ID).Card, second)
		// An earlier event's card, recorded late, is not the ticket's card; nor is the intro.
		late := tickets.Card{Channel: "C_SUPPORT", TS: "1.9"}
		intro := tickets.Card{Channel: "G1", TS: "3.1"}
		for ev, c := range map[string]tickets.Card{opened[0].ID: late, tickets.IntroCard: intro} {
			if err := s.SetCard(s.ctx, tk.ID, ev, c); err != nil {
				t.Fatal(err)
			}
			if got, err := s.CardOf(s.ctx, tk.ID, ev); err != nil || !equalCards(got, c) {
				t.Errorf("CardOf(%s) = %+v, %v; want %+v", ev, got, err, c)
			}
		}
		equal(t, "the ticket's card", s.get(tk.ID).Card, second)
		s.expect(tk.ID) // cards are no events
	})

	t.Run("NotFound", func(t *testing.T) {
		s := start(t)
		wantErr(t, "SetCard", s.SetCard(s.ctx, "999999-1", "ev", tickets.Card{Channel: "C", TS: "1"}), tickets.ErrNotFound)
		_, err := s.CardOf(s.ctx, "999999-1", "ev")
		wantErr(t, "CardOf", err, tickets.ErrNotFound)
	})
}

func equalCards(a, b tickets.Card) bool {
	return a.Channel == b.Channel && a.TS == b.TS && len(a.Copies) == len(b.Copies)
}
