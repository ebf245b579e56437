//go:build demo

package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/bot"
	"github.com/frontdeskhq/frontdesk/bot/slacktest"
)

// demoWorld is the demo's Slack workspace: the simulator with the app installed, three
// people and two ticketing channels.
type demoWorld struct {
	sim              *slacktest.Sim
	agent            *slacktest.User // alex: answers the chats
	second           *slacktest.User // sam: another agent, in both teams
	lead             *slacktest.User // morgan: an admin, in the priority group
	support, billing *slacktest.Channel
}

// The ticketing channels' labels.
const (
	demoSupportLabel = "Support Team"
	demoBillingLabel = "Billing"
)

// newDemoWorld starts the simulator, subscribed to the manifest's bot events. It keeps
// running until its Close. A modal's trigger stays good for 10 s rather than Slack's 3:
// the demo should not fail a person on a slow or busy machine (the end-to-end tests keep
// Slack's rule).
func newDemoWorld() *demoWorld {
	sim := slacktest.NewStandalone(slacktest.WithBotEvents(bot.Events...), slacktest.WithTimeout(10*time.Second),
		slacktest.WithTriggerTTL(10*time.Second))
	sim.DiscardUnexpected() // nobody consumes the bot's output: people read it on the page
	w := &demoWorld{sim: sim}
	w.agent = sim.AddUser("alex", slacktest.RealName("Alex Rivera"))
	w.second = sim.AddUser("sam", slacktest.RealName("Sam Lee"))
	w.lead = sim.AddUser("morgan", slacktest.RealName("Morgan Diaz"), slacktest.Admin())
	w.support = sim.AddChannel("support-tickets", false, sim.Bot(), w.agent, w.second, w.lead)
	w.billing = sim.AddChannel("billing-tickets", false, sim.Bot(), w.second, w.lead)
	return w
}

// env is Frontdesk's Slack configuration in this workspace.
func (w *demoWorld) env() map[string]string {
	return map[string]string{
		"SLACK_API_URL":      w.sim.APIURL(),
		"SLACK_BOT_TOKEN":    w.sim.BotToken,
		"SLACK_APP_TOKEN":    w.sim.AppToken,
		"TICKETING_CHANNELS": w.support.ID + "=" + demoSupportLabel + "," + w.billing.ID + "=" + demoBillingLabel,
		"PRIORITY_GROUP":     w.lead.ID,
		"ADMIN_USER_IDS":     w.lead.ID,
	}
}

// page is the read-and-click view of the workspace, acting as alex at first.
func (w *demoWorld) page() http.Handler {
	return w.sim.WebView(slacktest.WebViewConfig{
		Title:       "Acme Inc. — Slack (simulated)",
		DefaultUser: w.agent.Name,
		MessageShortcuts: []slacktest.Shortcut{
			{CallbackID: bot.ShortcutControl, Name: "Live Chat Control"},
		},
		GlobalShortcuts: []slacktest.Shortcut{
			{CallbackID: bot.ShortcutAdmin, Name: "Frontdesk admin panel"},
		},
	})
}

// problems lists what the simulator noticed the app doing wrong (at most max).
func (w *demoWorld) problems(max int) string {
	ps := w.sim.Problems()
	if len(ps) > max {
		ps = append(ps[:max], "…")
	}
	return strings.Join(ps, "\n\t")
}
