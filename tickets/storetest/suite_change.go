package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testChangeMessage(t *testing.T, start starter) {
	edit := func(src, text string) tickets.MessageChange {
		return tickets.MessageChange{Direction: tickets.FromCustomer, SourceMessageID: src, Text: text}
	}
	del := func(src string) tickets.MessageChange {
		return tickets.MessageChange{Direction: tickets.FromCustomer, SourceMessageID: src, Delete: true}
	}
	t.Run("EditThenDelete", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		s.says("c1", customer("my pasword", "s2", at(2)), customer("bye", "s3", at(3)))
		s.news(tk.ID)
		got, err := s.ChangeMessage(s.ctx, tk.ID, edit("s2", "my password"), at(4))
		if err != nil || !got.Changed || got.Message.Text != "my password" || got.Message.ID != "m-my pasword" {
			t.Fatalf("edit = %+v, %v", got, err)
		}
		sameTime(t, "EditedAt", got.Message.EditedAt, at(4))
		evs := s.expect(tk.ID, `message.changed customer:"my password"`)
		equal(t, "the event's message", *evs[0].Message, got.Message)
		sameTime(t, "the event's time", evs[0].At, at(4))
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello", "my password", "bye"})
		sameTime(t, "UpdatedAt", s.get(tk.ID).UpdatedAt, at(4))

		// The same edit again (a chatbot's retry) changes nothing.
		again, err := s.ChangeMessage(s.ctx, tk.ID, edit("s2", "my password"), at(5))
		if err != nil || again.Changed || again.Message.Text != "my password" {
			t.Fatalf("the same edit again = %+v, %v", again, err)
		}
		s.expect(tk.ID)

		gone, err := s.ChangeMessage(s.ctx, tk.ID, del("s2"), at(6))
		if err != nil || !gone.Changed || !gone.Message.Deleted || gone.Message.Text != "" {
			t.Fatalf("delete = %+v, %v", gone, err)
		}
		s.expect(tk.ID, `message.changed customer:"" deleted`)
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello", "", "bye"})
		// A deleted message stays deleted.
		for _, c := range []tickets.MessageChange{del("s2"), edit("s2", "back")} {
			if got, err := s.ChangeMessage(s.ctx, tk.ID, c, at(7)); err != nil || got.Changed || !got.Message.Deleted {
				t.Errorf("%+v after the deletion = %+v, %v", c, got, err)
			}
		}
		s.expect(tk.ID)
	})
	t.Run("TheOpeningChangesTheCard", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("helo", "s1", at(1)))
		if _, err := s.ChangeMessage(s.ctx, tk.ID, edit("s1", "hello, I need help"), at(2)); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `message.changed customer:"hello, I need help" opening`)
		equal(t, "opening", s.get(tk.ID).Opening, "hello, I need help")
		// Held while pending: the pick replays it as it now is.
		s.pick(tk.ID, alice, at(3))
		evs := s.expect(tk.ID, "ticket.picked by U_ALICE", `message customer:"hello, I need help" @inbox replay`)
		sameTime(t, "the replay's EditedAt", evs[1].Message.EditedAt, at(2))
		if _, err := s.ChangeMessage(s.ctx, tk.ID, del("s1"), at(4)); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `message.changed customer:"" deleted opening`)
		equal(t, "opening", s.get(tk.ID).Opening, "")
	})
	t.Run("TheTitleFollowsTheOpeningUntilSomeoneSetsIt", func(t *testing.T) {
		s := start(t)
		open := newTicket("c1")
		open.Title = tickets.DeriveTitle("helo")
		res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "c1", Open: open,
			Messages: []tickets.Message{customer("helo", "s1", at(1))}})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Ticket.ID
		if _, err := s.ChangeMessage(s.ctx, id, edit("s1", "Refund please\nI was charged twice"), at(2)); err != nil {
			t.Fatal(err)
		}
		equal(t, "title", s.get(id).Title, "Refund please")
		if _, err := s.UpdateDetails(s.ctx, id, []tickets.FieldChange{{Field: tickets.FieldTitle, Value: "Double charge"}},
			tickets.OriginAgent, alice, at(3)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeMessage(s.ctx, id, edit("s1", "something else"), at(4)); err != nil {
			t.Fatal(err)
		}
		equal(t, "title set by an agent", s.get(id).Title, "Double charge")
	})
	t.Run("ByDirectionAndSourceID", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		s.says("c1", written(tickets.FromSourceAgent, "from the app", "s1", at(2)))
		s.news(tk.ID)
		c := tickets.MessageChange{Direction: tickets.FromSourceAgent, SourceMessageID: "s1", Text: "from the app, fixed"}
		if _, err := s.ChangeMessage(s.ctx, tk.ID, c, at(3)); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `message.changed source_agent:"from the app, fixed"`)
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello", "from the app, fixed"})
	})
	t.Run("Unknown", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		s.news(tk.ID)
		for name, c := range map[string]tickets.MessageChange{
			"no such id":     edit("s9", "x"),
			"no id":          edit("", "x"),
			"another's kind": {Direction: tickets.FromSourceAgent, SourceMessageID: "s1", Text: "x"},
		} {
			if _, err := s.ChangeMessage(s.ctx, tk.ID, c, at(2)); !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("%s: err = %v, want ErrNotFound", name, err)
			}
		}
		if _, err := s.ChangeMessage(s.ctx, "404-1", edit("s1", "x"), at(2)); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("no such ticket: err = %v, want ErrNotFound", err)
		}
		s.expect(tk.ID)
		equal(t, "transcript", s.transcript(tk.ID), []string{"hello"})
	})
	t.Run("ADeletionBeforeTheMessage", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		s.pick(tk.ID, alice, at(2))
		s.setInbox(tk.ID, "G1")
		s.news(tk.ID)
		c := tickets.MessageChange{Direction: tickets.FromAgent, SourceMessageID: "1.5", Delete: true}
		if _, err := s.ChangeMessage(s.ctx, tk.ID, c, at(3)); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		got, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, "deleted before it came", "1.5", at(4)))
		if err != nil || got.Added {
			t.Errorf("the deleted message, come late: %+v, %v; want not added", got, err)
		}
		s.expect(tk.ID)
	})
	t.Run("ConcurrentEditsOfOneMessage", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hello", "s1", at(1)))
		s.news(tk.ID)
		texts := []string{"a", "b", "c", "d", "e", "f"}
		var wg sync.WaitGroup
		for _, text := range texts {
			wg.Go(func() {
				if _, err := s.ChangeMessage(s.ctx, tk.ID, edit("s1", text), at(2)); err != nil {
					t.Errorf("edit %q: %v", text, err)
				}
			})
		}
		wg.Wait()
		// Every edit is written whole, and the transcript ends with the latest one written.
		evs := s.news(tk.ID)
		if len(evs) != len(texts) {
			t.Fatalf("%d events for %d edits", len(evs), len(texts))
		}
		equal(t, "transcript", s.transcript(tk.ID), []string{evs[len(evs)-1].Message.Text})
	})
}
