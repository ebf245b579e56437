package main

import (
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// TestSLAAlerts: a ticket of a team with an SLA shows its due time on its card; its
// warning and its breach each fire once, with two replicas and one of them restarted in
// between: a line under the card (the breach mentioning the escalation group), a direct
// message to the priority group while no one has the ticket, and the card refreshed.
func TestSLAAlerts(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	alice, priya := sim.AddUser("alice"), sim.AddUser("priya")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	vars := map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team",
		"PRIORITY_GROUP":     priya.ID,
		// A first reply within 6 seconds, warned at half of it; resolved within a day.
		"SLA_TARGETS":    "Support Team: none=6s/-/1d",
		"SLA_WARN_AT":    "50%",
		"SLA_ESCALATION": "Support Team: S0ESCALATE",
	}
	a := startDesk(t, sim, &customers{}, vars)
	b := startDesk(t, sim, &customers{}, vars)

	a.open(t, "carol-1", "Support Team", "Carol", "Where is my order?")
	card := support.ExpectMessage("Ticket #", "Carol", "Pending", "First reply due")
	dm := priya.ExpectDM("Ticket #", "First reply due")
	// App Home lists the team's queue with the due time.
	priya.OpenHome()
	priya.ExpectHome("Your tickets* (0)", "Support Team", "(1 open)", "Carol", "Pending", "First reply due")

	// One replica restarts before the warning is due; the other goes on.
	a.stop(t)
	startDesk(t, sim, &customers{}, vars)

	card.ExpectReply("*first reply* is due")
	priya.ExpectDM("*first reply* is due", "Open the ticket")
	card.ExpectUpdate("*First reply due")
	dm.ExpectUpdate("*First reply due")

	card.ExpectReply("*first reply* breached its target", "<!subteam^S0ESCALATE>")
	priya.ExpectDM("*first reply* breached its target")
	card.ExpectUpdate("First reply breached")
	dm.ExpectUpdate("First reply breached")

	// Nothing fires twice: the simulator's checks at the end find any alert left over.
	time.Sleep(3 * time.Second)
	b.stop(t)
}
