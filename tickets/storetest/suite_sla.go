package storetest

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testSLA(t *testing.T, start starter) {
	t.Run("ClocksStartAndStop", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hi", "c-1", at(0)))
		s.setInbox(tk.ID, "G1")
		s.pick(tk.ID, alice, at(1))
		s.news(tk.ID)
		agent := func(text, src string, n int) {
			s.t.Helper()
			if _, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.FromAgent, text, src, at(n))); err != nil {
				s.t.Fatal(err)
			}
		}
		// Not watched: the clocks move, and the outbox hears nothing of them.
		agent("hello", "a-1", 2)
		s.expect(tk.ID, `message agent:"hello" by U_ALICE`)
		got := s.get(tk.ID)
		sameTime(t, "Responded", got.Responded, at(2))
		if got.Watch.Clocks || !got.Awaiting.IsZero() {
			t.Fatalf("Watch=%+v Awaiting=%v", got.Watch, got.Awaiting)
		}

		if err := s.SetWatch(s.ctx, tk.ID, tickets.Watch{Clocks: true}); err != nil {
			t.Fatal(err)
		}
		if !s.get(tk.ID).Watch.Clocks {
			t.Fatal("SetWatch did not stick")
		}
		// A customer message after the first response waits for an answer; the next ones
		// wait with it.
		s.says("c1", customer("one", "c-2", at(3)))
		s.expect(tk.ID, `message customer:"one" @inbox`, "sla.clock")
		s.says("c1", customer("two", "c-3", at(4)))
		s.expect(tk.ID, `message customer:"two" @inbox`)
		sameTime(t, "Awaiting", s.get(tk.ID).Awaiting, at(3))
		// A note answers nothing; the agent's message does, once.
		if _, err := s.AddInboxMessage(s.ctx, "G1", written(tickets.Internal, "hmm", "n-1", at(5))); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `message internal:"hmm" by U_ALICE`)
		agent("answer", "a-2", 6)
		s.expect(tk.ID, `message agent:"answer" by U_ALICE`, "sla.clock")
		agent("more", "a-3", 7)
		s.expect(tk.ID, `message agent:"more" by U_ALICE`)
		got = s.get(tk.ID)
		sameTime(t, "Responded after more answers", got.Responded, at(2))
		if !got.Awaiting.IsZero() {
			t.Errorf("Awaiting = %v after the answer", got.Awaiting)
		}
		// A repeat of a message changes nothing.
		s.says("c1", customer("two", "c-3", at(4)))
		s.expect(tk.ID)

		// No longer watched: no events, the clocks still move.
		if err := s.SetWatch(s.ctx, tk.ID, tickets.Watch{}); err != nil {
			t.Fatal(err)
		}
		s.says("c1", customer("three", "c-4", at(8)))
		s.expect(tk.ID, `message customer:"three" @inbox`)
		sameTime(t, "Awaiting unwatched", s.get(tk.ID).Awaiting, at(8))
	})
	t.Run("NoResponseBeforeTheFirst", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1", customer("hi", "c-1", at(0)))
		if err := s.SetWatch(s.ctx, tk.ID, tickets.Watch{Clocks: true}); err != nil {
			t.Fatal(err)
		}
		s.news(tk.ID)
		// Before the first response, the first response's clock covers every message.
		s.says("c1", customer("anyone?", "c-2", at(1)))
		s.expect(tk.ID, `message customer:"anyone?" @card`)
		if got := s.get(tk.ID); !got.Awaiting.IsZero() || !got.Responded.IsZero() {
			t.Errorf("Awaiting=%v Responded=%v", got.Awaiting, got.Responded)
		}
	})
	t.Run("ClaimAlert", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		for _, c := range []struct {
			event string
			want  bool
		}{{"p/1", true}, {"p/1", true}, {"p/2", false}} {
			got, err := s.ClaimAlert(s.ctx, tk.ID, "first_response/1/warn", c.event)
			if err != nil || got != c.want {
				t.Errorf("ClaimAlert by %s = %v, %v; want %v", c.event, got, err, c.want)
			}
		}
		equal(t, "Alerted", s.get(tk.ID).Alerted, map[string]bool{"first_response/1/warn": true})
		_, err := s.ClaimAlert(s.ctx, "999999-1", "x", "p/1")
		wantErr(t, "ClaimAlert of no ticket", err, tickets.ErrNotFound)
		wantErr(t, "SetWatch of no ticket", s.SetWatch(s.ctx, "999999-1", tickets.Watch{Clocks: true}), tickets.ErrNotFound)
	})
}
