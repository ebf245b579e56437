package bot

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestPick: Pick on a card gives the ticket to whoever clicks first, by the name Slack
// knows them by; anyone after is told who has it, and the winner's second click is
// ignored. A closed ticket and someone outside the team are refused.
func TestPick(t *testing.T) {
	w := newWorkspace(t, Config{})
	card := w.pending(t, "T1")
	w.alice.Click(card, "Pick")
	w.await(t, "alice's pick", func() bool { return w.tk.ticket("T1").Status == tickets.StatusActive })
	if got := w.tk.ticket("T1").Assignee; got != (tickets.Agent{ID: tickets.AgentID(w.alice.ID), Name: "Alice", Email: "alice@example.com"}) {
		t.Fatalf("T1 picked by %+v, want alice as Slack names her", got)
	}

	t.Run("SecondAgentRefused", func(t *testing.T) {
		w.bob.Click(card, "Pick")
		w.bob.ExpectEphemeral("This ticket was already picked by <@" + w.alice.ID + ">.")
		if got := w.tk.ticket("T1"); got.Assignee.ID != tickets.AgentID(w.alice.ID) || got.Status != tickets.StatusActive {
			t.Errorf("after bob's pick T1 is %s, held by %s", got.Status, got.Assignee.ID)
		}
	})

	t.Run("WinnersDoubleClickIgnored", func(t *testing.T) {
		before := w.tk.pickCalls()
		w.alice.Click(card, "Pick")
		// Nothing to see: the simulator fails the test on any ephemeral left unexpected.
		w.await(t, "alice's second pick", func() bool { return w.tk.pickCalls() == before+1 })
	})

	t.Run("Closed", func(t *testing.T) {
		closed := w.pending(t, "T2")
		if _, err := w.tk.End(t.Context(), "T2", tickets.Agent{ID: tickets.AgentID(w.bob.ID)}, ""); err != nil {
			t.Fatal(err)
		}
		w.alice.Click(closed, "Pick")
		w.alice.ExpectEphemeral("This ticket is closed.")
	})

	t.Run("NotInTheTeam", func(t *testing.T) {
		other := w.pending(t, "T3")
		before := w.tk.pickCalls()
		w.dan.Click(other, "Pick") // dan is in Billing only; Slack cannot show him an ephemeral there
		w.dan.ExpectView("Only members of", "(or of the priority group) can work this ticket")
		if w.tk.pickCalls() != before {
			t.Errorf("the ticket service was asked to pick for dan")
		}
		if got := w.tk.ticket("T3"); got.Status != tickets.StatusPending {
			t.Errorf("T3 is %s after dan's click, want pending", got.Status)
		}
	})
}
