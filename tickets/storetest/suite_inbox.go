package storetest

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testAddInboxMessage(t *testing.T, start starter) {
	// inTicket opens a ticket with inbox channel G1 and brings it to status st.
	inTicket := func(s *subject, st tickets.Status) *tickets.Ticket {
		s.t.Helper()
		tk, _ := s.open("c1")
		s.setInbox(tk.ID, "G1")
		switch st {
		case tickets.StatusActive:
			s.pick(tk.ID, alice, at(1))
		case tickets.StatusClosed:
			s.close(tk.ID, tickets.Closing{By: alice, At: at(1)})
		}
		s.news(tk.ID)
		return s.get(tk.ID)
	}

	t.Run("AgentMessageOnce", func(t *testing.T) {
		s := start(t)
		tk := inTicket(s, tickets.StatusActive)
		if err := s.SetCard(s.ctx, tk.ID, s.hooks.Events(tk.ID)[0].ID, tickets.Card{Channel: "C_SUPPORT", TS: "1.5"}); err != nil {
			t.Fatal(err)
		}
		m := written(tickets.FromAgent, "how can I help?", "1.1", at(2))
		added, err := s.AddInboxMessage(s.ctx, "G1", m)
		if err != nil || added != (tickets.InboxAdded{Ticket: tk.ID, Source: tk.Source, Added: true}) {
			t.Fatalf("AddInboxMessage = %+v, %v", added, err)
		}
		got := s.get(tk.ID)
		sameTime(t, "UpdatedAt", got.UpdatedAt, at(2))
		evs := s.expect(tk.ID, `message agent:"how can I help?" by U_ALICE`)
		equal(t, "the event's message", *evs[0].Message, m)
		sameTime(t, "EventMessage.At", evs[0].At, at(2))
		// It carries what relaying it needs of the ticket as it was written, so that
		// relaying it needs no second read.
		if evs[0].Ticket == nil {
			t.Error("the message's event carries no ticket")
		} else {
			equal(t, "the ticket the event carries", *evs[0].Ticket, *got.ForRelay())
			equal(t, "its card", evs[0].Ticket.Card.TS, "1.5")
		}

		// The same Slack ts again: nothing changes.
		again, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "how can I help?", "1.1", at(3)))
		if err != nil || again != (tickets.InboxAdded{Ticket: tk.ID, Source: tk.Source}) {
			t.Fatalf("again: %+v, %v", again, err)
		}
		s.unchanged(got)
		equal(t, "transcript", s.transcript(tk.ID), []string{"how can I help?"})
	})

	t.Run("NotesInAnyStatus", func(t *testing.T) {
		for _, st := range []tickets.Status{tickets.StatusPending, tickets.StatusActive, tickets.StatusClosed} {
			t.Run(string(st), func(t *testing.T) {
				s := start(t)
				tk := inTicket(s, st)
				got, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.Internal, "a note", "2.1", at(2)))
				if err != nil || !got.Added || got.Ticket != tk.ID || s.get(tk.ID).Status != st {
					t.Fatalf("AddInboxMessage = %+v, %v", got, err)
				}
				s.expect(tk.ID, `message internal:"a note" by U_ALICE`)
			})
		}
	})

	t.Run("AgentMessageRefused", func(t *testing.T) {
		for st, want := range map[tickets.Status]error{tickets.StatusPending: tickets.ErrNotActive, tickets.StatusClosed: tickets.ErrClosed} {
			t.Run(string(st), func(t *testing.T) {
				s := start(t)
				tk := inTicket(s, st)
				_, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "hi", "3.1", at(2)))
				wantErr(t, "AddInboxMessage", err, want)
				s.unchanged(tk)
				// Turned away, it was not marked seen.
				if st == tickets.StatusPending {
					s.pick(tk.ID, alice, at(3))
					s.news(tk.ID)
					if got, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "hi", "3.1", at(4))); err != nil || !got.Added {
						t.Errorf("after the pick: %+v, %v", got, err)
					}
				}
			})
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		s := start(t)
		tk := inTicket(s, tickets.StatusActive)
		_, err := s.AddInboxMessage(s.ctx, "G2", written(tickets.FromAgent, "hi", "", at(2)))
		wantErr(t, "not an inbox", err, tickets.ErrNotFound)
		for _, dir := range []tickets.Direction{tickets.FromCustomer, tickets.FromSourceAgent, tickets.Notice} {
			_, err := s.AddInboxMessage(s.ctx, "G1", written(dir, "hi", "", at(2)))
			wantErr(t, string(dir), err, tickets.ErrInvalid)
		}
		s.unchanged(tk)
	})
}
