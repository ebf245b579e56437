package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestRelay: an agent's top-level message in an inbox channel goes to the ticket service
// for the customer, once, under the agent's name; a thread reply there is an internal
// note. While the chat waits for a pick the agent is told their message was not sent;
// messages outside inbox channels are no one's business.
func TestRelay(t *testing.T) {
	w := newWorkspace(t, Config{})
	inbox := w.active(t, "T1", w.alice)
	alice := tickets.Agent{ID: tickets.AgentID(w.alice.ID), Name: "Alice", Email: "alice@example.com"}
	relayed := func(t *testing.T, id tickets.ID, n int) []tickets.Message {
		t.Helper()
		w.await(t, fmt.Sprintf("%d messages of %s", n, id), func() bool { return len(w.tk.transcript(id)) >= n })
		got := w.tk.transcript(id)
		if len(got) != n {
			t.Fatalf("%d messages taken, want %d: %+v", len(got), n, got)
		}
		return got
	}

	// Each is taken before the next is written: a top-level message brings along the
	// channel's later ones whose events are still on their way (gaps.go).
	first := w.alice.Post(inbox, "Hello Carol, how can I help?")
	relayed(t, "T1", 1)
	note := w.alice.Reply(first, "she wrote about billing before")
	relayed(t, "T1", 2)
	second := w.alice.Post(inbox, "One moment please")
	got := relayed(t, "T1", 3)
	want := []tickets.Message{
		// At is when Slack says each was written: their ts.
		{Direction: tickets.FromAgent, Author: alice, Text: "Hello Carol, how can I help?", SourceMessageID: first.TS, At: tsTime(first.TS)},
		{Direction: tickets.Internal, Author: alice, Text: "she wrote about billing before", SourceMessageID: note.TS, At: tsTime(note.TS)},
		{Direction: tickets.FromAgent, Author: alice, Text: "One moment please", SourceMessageID: second.TS, At: tsTime(second.TS)},
	}
	for i := range want {
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("message %d taken as\n%+v\nwant\n%+v", i, got[i], want[i])
		}
	}

	t.Run("WhilePending", func(t *testing.T) {
		waiting := w.active(t, "T2", w.bob)
		if _, err := w.tk.Transfer(t.Context(), "T2", w.billing.ID, tickets.Agent{ID: tickets.AgentID(w.bob.ID)}); err != nil {
			t.Fatal(err)
		}
		w.bob.Post(waiting, "Are you still there?")
		w.bob.ExpectEphemeral("This chat is waiting for someone to pick it, so your message was not sent to the customer.")
		if got := w.tk.transcript("T2"); len(got) != 0 {
			t.Errorf("taken while pending: %+v", got)
		}
	})
	t.Run("AfterTheEnd", func(t *testing.T) {
		if _, err := w.tk.End(t.Context(), "T1", alice, ""); err != nil {
			t.Fatal(err)
		}
		w.alice.Post(inbox, "Bye")
		w.alice.ExpectEphemeral("This chat has ended, so your message was not sent to the customer.")
		relayed(t, "T1", 3)
	})
	t.Run("NotAnInbox", func(t *testing.T) {
		msg := w.alice.Post(w.support, "Who is on call today?")
		w.sim.ExpectAck(msg.Envelope()) // acknowledged once the relay is done with it; nothing is shown
		for _, id := range []tickets.ID{"T1", "T2"} {
			for _, m := range w.tk.transcript(id) {
				if m.Text == "Who is on call today?" {
					t.Errorf("a message in a ticketing channel was taken for %s", id)
				}
			}
		}
	})
}

func TestTSTime(t *testing.T) {
	for ts, want := range map[string]time.Time{
		"1733412345.000200": time.Unix(1733412345, 200_000).UTC(),
		"1733412345.5":      time.Unix(1733412345, 500_000_000).UTC(),
		"1733412345":        time.Unix(1733412345, 0).UTC(),
		"":                  {},
		"x.1":               {},
		"-5.000001":         {},
	} {
		if got := tsTime(ts); !got.Equal(want) {
			t.Errorf("tsTime(%q) = %v, want %v", ts, got, want)
		}
	}
}

// TestRelay_AckBound: an agent's message is acknowledged once the ticket service has it,
// and no later than storeWait when the service is slow, well inside Slack's 3 s; the
// message is still taken when the service answers.
func TestRelay_AckBound(t *testing.T) {
	w := newWorkspace(t, Config{})
	inbox := w.active(t, "T1", w.alice)
	hold := make(chan struct{})
	w.tk.mu.Lock()
	w.tk.hold = hold
	w.tk.mu.Unlock()
	began := time.Now()
	msg := w.alice.Post(inbox, "Still looking into it")
	w.sim.ExpectAck(msg.Envelope())
	if took := time.Since(began); took < storeWait-100*time.Millisecond {
		t.Errorf("acknowledged after %v, before the service had it (bound %v)", took, storeWait)
	}
	if got := w.tk.transcript("T1"); len(got) != 0 {
		t.Fatalf("taken while the service was held: %+v", got)
	}
	close(hold)
	w.await(t, "the message taken", func() bool { return len(w.tk.transcript("T1")) == 1 })
}
