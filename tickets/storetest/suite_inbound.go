package storetest

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testInbound(t *testing.T, start starter) {
	t.Run("OpensWhenNoneIsOpen", func(t *testing.T) {
		s := start(t)
		res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1", Open: newTicket("c1"),
			Messages: []tickets.Message{customer("hello", "s1", at(1)), customer("anyone?", "s2", at(2))}})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "opened, added, closed", []any{res.Opened, res.Added, res.Closed}, []any{true, []bool{true, true}, false})
		tk := res.Ticket
		if tk.ID == "" || tk.Number <= 0 {
			t.Errorf("the new ticket has id %q and number %d", tk.ID, tk.Number)
		}
		want := newTicket("c1")
		want.ID, want.Number, want.UpdatedAt = tk.ID, tk.Number, at(2) // its latest message's time
		equal(t, "the new ticket", tk, want)
		// The opening message gets no event of its own: the card shows it.
		evs := s.expect(tk.ID, "ticket.opened to C_SUPPORT", `message customer:"anyone?" @card`)
		sameTime(t, "EventOpened.At", evs[0].At, t0)
		equal(t, "EventOpened.To", evs[0].To, support)
		sameTime(t, "EventMessage.At", evs[1].At, at(2))
		equal(t, "the message event's source id", evs[1].Message.SourceMessageID, "s2")
		equal(t, "Get", s.get(tk.ID), tk)
		if found, err := s.FindOpen(s.ctx, "webhook", "c1"); err != nil || found.ID != tk.ID {
			t.Errorf("FindOpen = %v, %v; want ticket %s", found, err, tk.ID)
		}
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello", "anyone?"})
	})

	t.Run("OpeningIsTheFirstCustomerMessage", func(t *testing.T) {
		s := start(t)
		tk, evs := s.open("c1", written(tickets.FromSourceAgent, "bot: hi", "b1", at(1)), customer("help", "s1", at(2)))
		s.check(tk.ID, evs, "ticket.opened to C_SUPPORT", `message source_agent:"bot: hi" @card by U_ALICE`)
		equal(t, "transcript", s.transcript(tk.ID), []string{"bot: hi", "help"})
	})

	t.Run("AgentInAThread", func(t *testing.T) {
		// A customer channel's request: its agents answer in its thread, which the source
		// tells as FromAgent messages, taken pending or picked, never held for a pick,
		// each the first response or an answer; no other source may.
		s := start(t)
		res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: tickets.SourceSlack, ConversationID: "C1/1.1", Open: newTicket("C1/1.1"),
			Messages: []tickets.Message{customer("help", "1.1", at(1))}})
		if err != nil || !res.Opened {
			t.Fatalf("open: %+v, %v", res, err)
		}
		tk := res.Ticket
		s.news(tk.ID)
		answer := written(tickets.FromAgent, "looking", "1.2", at(2))
		got, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: tickets.SourceSlack, ConversationID: "C1/1.1", Messages: []tickets.Message{answer}})
		if err != nil || len(got.Added) != 1 || !got.Added[0] {
			t.Fatalf("an agent's answer while pending: %+v, %v", got, err)
		}
		s.expect(tk.ID, `message agent:"looking" @inbox by U_ALICE`)
		sameTime(t, "the first response", s.get(tk.ID).Responded, at(2))
		// Again: not taken twice.
		if got, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: tickets.SourceSlack, ConversationID: "C1/1.1", Messages: []tickets.Message{answer}}); err != nil || got.Added[0] {
			t.Fatalf("the same answer again: %+v, %v", got, err)
		}
		// The pick replays the customer's message held, nothing of the agent's.
		s.pick(tk.ID, alice, at(3))
		s.expect(tk.ID, "ticket.picked by U_ALICE", `message customer:"help" @inbox replay`)
		equal(t, "transcript", s.transcript(tk.ID), []string{"help", "looking"})
		// Another source's agent messages come from its inbox channel only.
		_, err = s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c9", Open: newTicket("c9"),
			Messages: []tickets.Message{written(tickets.FromAgent, "x", "9.1", at(4))}})
		wantErr(t, "an agent message from another source", err, tickets.ErrInvalid)
	})

	t.Run("OpensWithoutMessages", func(t *testing.T) {
		s := start(t)
		tk, evs := s.open("c1")
		s.check(tk.ID, evs, "ticket.opened to C_SUPPORT")
		equal(t, "transcript", s.transcript(tk.ID), nil)
	})

	t.Run("NumbersAndIDsDiffer", func(t *testing.T) {
		s := start(t)
		a, _ := s.open("c1")
		b, _ := s.open("c2")
		if a.ID == b.ID || a.Number == b.Number {
			t.Errorf("two tickets: %s #%d and %s #%d", a.ID, a.Number, b.ID, b.Number)
		}
	})

	t.Run("JoinsTheOpenTicket", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		// A second request opens nothing: its first message is a message like any other.
		res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1", Open: newTicket("c1"),
			Messages: []tickets.Message{customer("again", "s2", at(2))}})
		if err != nil || res.Opened || res.State.ID != tk.ID {
			t.Fatalf("second request = %+v, %v; want ticket %s, not opened", res, err, tk.ID)
		}
		res = s.says("c1", customer("more", "", at(3)))
		equal(t, "added", res.Added, []bool{true})
		// Adding answers in brief; the whole ticket only when asked for.
		equal(t, "state", res.State, tickets.TicketState{ID: tk.ID, Number: tk.Number, Source: "webhook", Status: tickets.StatusPending})
		if res.Ticket != nil {
			t.Errorf("an add answered with the whole ticket unasked")
		}
		res, err = s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1", WholeTicket: true,
			Messages: []tickets.Message{customer("and more", "", at(4))}})
		if err != nil || res.Ticket == nil || res.Ticket.ID != tk.ID || res.State != tickets.StateOf(res.Ticket) {
			t.Fatalf("asked for the whole ticket: %+v, %v", res, err)
		}
		sameTime(t, "UpdatedAt", res.Ticket.UpdatedAt, at(4))
		s.expect(tk.ID, `message customer:"again" @card`, `message customer:"more" @card`, `message customer:"and more" @card`)
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello", "again", "more", "and more"})
	})

	t.Run("DedupesPerDirectionAndSourceID", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		res := s.says("c1",
			customer("hello again", "s1", at(2)),                          // seen
			written(tickets.FromSourceAgent, "from the app", "s1", at(3)), // another direction
			customer("x", "s3", at(4)), customer("x again", "s3", at(5)),  // the same id in one call
			customer("y", "", at(6)), customer("y", "", at(7)), // no id, no dedupe
		)
		equal(t, "added", res.Added, []bool{false, true, true, false, true, true})
		s.expect(tk.ID, `message source_agent:"from the app" @card by U_ALICE`, `message customer:"x" @card`,
			`message customer:"y" @card`, `message customer:"y" @card`)
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello", "from the app", "x", "y", "y"})

		before := s.get(tk.ID)
		if res := s.says("c1", customer("hello", "s1", at(8))); res.Added[0] {
			t.Error("a message seen before was added")
		}
		s.unchanged(before)
	})

	t.Run("PlacesByStatus", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		s.says("c1", customer("waiting", "", at(1)))
		s.pick(tk.ID, alice, at(2))
		s.news(tk.ID)
		s.says("c1", customer("now", "", at(3)), written(tickets.FromSourceAgent, "also", "", at(4)))
		s.expect(tk.ID, `message customer:"now" @inbox`, `message source_agent:"also" @inbox by U_ALICE`)
	})

	t.Run("Closes", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1",
			Messages: []tickets.Message{customer("bye", "s2", at(2))},
			Close:    &tickets.Closing{Reason: "customer left", BySource: true, At: at(3)}})
		if err != nil || !res.Closed || res.Opened {
			t.Fatalf("Inbound = %+v, %v; want closed", res, err)
		}
		got := res.Ticket
		equal(t, "status, reason, by source, closed by", []any{got.Status, got.CloseReason, got.BySource, got.ClosedBy},
			[]any{tickets.StatusClosed, "customer left", true, tickets.Agent{}})
		sameTime(t, "ClosedAt", got.ClosedAt, at(3))
		sameTime(t, "UpdatedAt", got.UpdatedAt, at(3))
		evs := s.expect(tk.ID, `message customer:"bye" @card`, `ticket.closed reason "customer left" by-source`)
		sameTime(t, "EventClosed.At", evs[1].At, at(3))
		equal(t, "Get", s.get(tk.ID), got)
		_, err = s.FindOpen(s.ctx, "webhook", "c1")
		wantErr(t, "FindOpen after the close", err, tickets.ErrNotFound)
		if last, err := s.FindLastClosed(s.ctx, "webhook", "c1"); err != nil || last.ID != tk.ID {
			t.Errorf("FindLastClosed = %v, %v; want ticket %s", last, err, tk.ID)
		}

		// The conversation is free: a message alone finds no ticket, a request opens one.
		_, err = s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1", Messages: []tickets.Message{customer("hi", "s3", at(4))}})
		wantErr(t, "a message after the close", err, tickets.ErrNotFound)
		next, _ := s.open("c1", customer("hi", "s3", at(4)))
		if next.ID == tk.ID || next.Number == tk.Number {
			t.Errorf("the next ticket is %s #%d, the closed one %s #%d", next.ID, next.Number, tk.ID, tk.Number)
		}
		s.unchanged(got)
	})

	t.Run("OpensAndClosesAtOnce", func(t *testing.T) {
		s := start(t)
		res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1", Open: newTicket("c1"),
			Messages: []tickets.Message{customer("hello", "s1", at(1))},
			Close:    &tickets.Closing{Reason: "gone", BySource: true, At: at(2)}})
		if err != nil || !res.Opened || !res.Closed || res.Ticket.Status != tickets.StatusClosed {
			t.Fatalf("Inbound = %+v, %v; want opened and closed", res, err)
		}
		s.expect(res.Ticket.ID, "ticket.opened to C_SUPPORT", `ticket.closed reason "gone" by-source`)
	})

	t.Run("NotFoundWithoutOpen", func(t *testing.T) {
		s := start(t)
		for _, w := range []tickets.InboundWrite{
			{Source: "webhook", ConversationID: "c1", Messages: []tickets.Message{customer("hi", "", t0)}},
			{Source: "webhook", ConversationID: "c1", Close: &tickets.Closing{Reason: "gone", BySource: true, At: t0}},
		} {
			_, err := s.Inbound(s.ctx, w)
			wantErr(t, "Inbound without an open ticket", err, tickets.ErrNotFound)
		}
		_, err := s.FindOpen(s.ctx, "webhook", "c1")
		wantErr(t, "FindOpen", err, tickets.ErrNotFound)
	})

	t.Run("Invalid", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		for name, w := range map[string]tickets.InboundWrite{
			"BadSource":      {Source: "Web Hook", ConversationID: "c1", Open: newTicket("c1")},
			"NoConversation": {Source: "webhook", Open: newTicket("")},
			"AgentMessage":   {Source: "webhook", ConversationID: "c1", Messages: []tickets.Message{written(tickets.FromAgent, "x", "", at(2))}},
			"InternalNote": {Source: "webhook", ConversationID: "c1", Messages: []tickets.Message{
				customer("fine", "", at(2)), written(tickets.Internal, "x", "", at(3))}},
		} {
			_, err := s.Inbound(s.ctx, w)
			wantErr(t, name, err, tickets.ErrInvalid)
		}
		s.unchanged(tk)
	})
}
