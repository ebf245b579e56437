package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// An SLA alert posts its line under the card and a direct message to each one told; its
// retry (the card's refresh waited its turn, a direct message was refused) posts neither
// again and reads no channel to find them: this process remembers its posts, and an
// attempt that did nothing (NotStarted) leaves nothing to look for.
func TestDesk_AlertSLARetries(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, Config{})
	card := w.pending(t, "T-1")
	tk := w.tk.ticket("T-1")
	tk.Card = tickets.Card{Channel: w.support.ID, TS: card.TS}
	due := time.Date(2026, 12, 7, 14, 32, 0, 0, time.UTC)
	a := tickets.SLAAlert{Clock: tickets.DueClock{Kind: tickets.SLAFirstResponse, Due: due, Warned: true}, Notify: []tickets.AgentID{tickets.AgentID(w.alice.ID)}}
	ctx := context.Background()
	if err := w.desk.AlertSLA(tickets.WithLastError(tickets.WithRetry(ctx), tickets.NotStarted(errors.New("no card yet"))), &tk, a, "alert:1"); err != nil {
		t.Fatal(err)
	}
	card.ExpectReply("Ticket", "*first reply* is due", "<!date^1796653920^")
	w.alice.ExpectDM("*first reply* is due", "Open the ticket")
	replies := len(w.sim.Calls("conversations.replies")) + len(w.sim.Calls("conversations.history"))
	if replies != 0 {
		t.Errorf("an attempt after one that did nothing read %d channels", replies)
	}
	// Again, as a retry that may have posted: found in this process, not posted or read.
	posts := len(w.sim.Calls("chat.postMessage"))
	if err := w.desk.AlertSLA(tickets.WithLastError(tickets.WithRetry(ctx), errors.New("chat.update: wait")), &tk, a, "alert:1"); err != nil {
		t.Fatal(err)
	}
	if got := len(w.sim.Calls("chat.postMessage")); got != posts {
		t.Errorf("the retry posted %d more", got-posts)
	}
	if got := len(w.sim.Calls("conversations.replies")) + len(w.sim.Calls("conversations.history")); got != 0 {
		t.Errorf("the retry read %d channels", got)
	}
	// A breach mentions the escalation group.
	a.Breach, a.Escalation, a.Notify = true, "S0ONCALL", nil
	if err := w.desk.AlertSLA(ctx, &tk, a, "alert:2"); err != nil {
		t.Fatal(err)
	}
	card.ExpectReply("*first reply* breached its target", "<!subteam^S0ONCALL>")
}
