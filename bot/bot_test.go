package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// workspace is a simulated Slack workspace with the Bot running on it, against a
// fakeTickets instead of the ticket service: the Support Team (alice and bob) and
// Billing (dan) ticketing channels.
type workspace struct {
	sim              *slacktest.Sim
	tk               *fakeTickets
	alice, bob, dan  *slacktest.User
	support, billing *slacktest.Channel
	// desk posts cards as the ticket service's outbox would.
	desk *Desk
}

// newWorkspace starts a Bot configured with cfg on a new workspace and stops it when the
// test ends (before the simulator checks that everything the bot showed was expected).
// Messages and interactions sent before the bot has read the simulator's hello wait for it.
func newWorkspace(t *testing.T, cfg Config) *workspace {
	t.Helper()
	sim := slacktest.New(t)
	w := &workspace{sim: sim, alice: sim.AddUser("alice"), bob: sim.AddUser("bob"), dan: sim.AddUser("dan")}
	w.support = sim.AddChannel("support-tickets", false, sim.Bot(), w.alice, w.bob)
	w.billing = sim.AddChannel("billing-tickets", false, sim.Bot(), w.dan)
	w.tk = newFakeTickets(tickets.Settings{TicketingChannels: []tickets.Team{
		{ChannelID: w.support.ID, Label: "Support Team"}, {ChannelID: w.billing.ID, Label: "Billing"},
	}})
	log := zaptest.NewLogger(t)
	api := slack.New(sim.BotToken, slack.OptionAPIURL(sim.APIURL()), slack.OptionAppLevelToken(sim.AppToken))
	desk, err := NewDesk(api, log)
	if err != nil {
		t.Fatal(err)
	}
	w.desk = desk
	b, err := New(cfg, api, w.tk, &memSeen{}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	sim.ExpectConnections(1)
	return w
}

// pending adds ticket id, Carol's chat waiting in the Support Team, and posts its card.
func (w *workspace) pending(t *testing.T, id tickets.ID) *slacktest.Message {
	t.Helper()
	w.tk.add(tickets.Ticket{ID: id, Source: "webhook", Customer: tickets.Customer{Name: "Carol"},
		Team: tickets.Team{ChannelID: w.support.ID, Label: "Support Team"}, Status: tickets.StatusPending})
	tk := w.tk.ticket(id)
	if _, err := w.desk.PostCard(context.Background(), &tk, tk.Team, nil, "card:"+string(id)); err != nil {
		t.Fatal(err)
	}
	return w.support.ExpectMessage(fmt.Sprintf("Ticket #%d", tk.Number), "Carol", "Pending")
}

// active adds ticket id, Carol's chat in the Support Team that agent picked a minute
// ago, with its inbox channel (agent and others in it).
func (w *workspace) active(t *testing.T, id tickets.ID, agent *slacktest.User, others ...*slacktest.User) *slacktest.Channel {
	t.Helper()
	inbox := w.sim.AddChannel("chat-"+strings.ToLower(string(id))+"-carol", true, append([]*slacktest.User{w.sim.Bot(), agent}, others...)...)
	w.tk.add(tickets.Ticket{ID: id, Source: "webhook", Customer: tickets.Customer{Name: "Carol"},
		Team: tickets.Team{ChannelID: w.support.ID, Label: "Support Team"}, Status: tickets.StatusActive,
		Assignee: tickets.Agent{ID: tickets.AgentID(agent.ID), Name: agent.Name}, Inbox: inbox.ID,
		PickedAt: time.Now().Add(-time.Minute)})
	return inbox
}

// await waits until cond holds, looking again after each call to the ticket service that
// may have changed something: the bot acknowledges an interaction or a message before it
// acts on it.
func (w *workspace) await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		changed := w.tk.changes()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
