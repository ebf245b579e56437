package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestSLAAlertBurst: a burst of tickets across four teams cross their warning together
// under the simulator's model of Slack's rate limits (slacktest.RealLimits: about a post a
// second per channel, Tier 3's 50 updates a minute, …), while a picked chat talks both
// ways. Frontdesk meets the limits' 429s and waits them out: every warning shows once
// under its card, every card is refreshed for it, and nothing reaches a person as a
// failure (the chat's messages all arrive, in order). 60 tickets here, which takes about
// two minutes; SLA_BURST=500 runs the 500, which takes Slack's limits (500 card
// refreshes at 50 a minute) over ten (docs/sla.md has the figures).
func TestSLAAlertBurst(t *testing.T) {
	t.Parallel()
	n := 60
	if s := os.Getenv("SLA_BURST"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	client, prefix := redistest.Open(t)
	sim := slacktest.NewLimited(t, slacktest.WithTimeout(30*time.Minute))
	alice := sim.AddUser("alice")
	var teams []*slacktest.Channel
	var channels, policies []string
	for i := range 4 {
		ch := sim.AddChannel(fmt.Sprintf("team-%d-tickets", i), false, sim.Bot(), alice)
		teams = append(teams, ch)
		channels = append(channels, fmt.Sprintf("%s=Team %d", ch.ID, i))
		// A first reply within an hour, warned at 0.5% of it: 18 s after each opens.
		policies = append(policies, fmt.Sprintf("Team %d: none=1h/-/30d", i))
	}
	src := &customers{}
	d := startDesk(t, sim, src, map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": strings.Join(channels, ","),
		"SLA_TARGETS":        strings.Join(policies, " | "),
		"SLA_WARN_AT":        "0.5%",
	})
	limits := slacktest.RealLimits()
	sim.SetLimits(&limits)

	// The chat that keeps talking through the burst (its first reply in at once: no
	// warning of its own).
	d.open(t, "carol-1", "Team 0", "Carol", "Help with my order")
	card := teams[0].ExpectMessage("Ticket #", "Carol")
	inbox := picked(t, sim, src, alice, card, "carol-1", "Help with my order")
	alice.Post(inbox, "Hello Carol")
	src.expect(t, "carol-1 message: Hello Carol")
	card.ExpectUpdate("Resolution due") // the first reply is in: its clock leaves the card

	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, err := d.Service().Open(context.Background(), tickets.OpenRequest{Source: "webhook", ConversationID: fmt.Sprintf("burst-%d", i),
				Label: fmt.Sprintf("Team %d", i%4), Customer: tickets.Customer{Name: fmt.Sprintf("Customer %d", i)},
				First: &tickets.Message{Text: "order status?", SourceMessageID: fmt.Sprintf("burst-%d-0", i)}})
			if err != nil {
				t.Errorf("open %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	// Carol and Alice talk on through it.
	for i := range 10 {
		d.customerSays(t, "carol-1", fmt.Sprintf("c-%d", i), fmt.Sprintf("question %d", i))
		alice.Post(inbox, fmt.Sprintf("answer %d", i))
		time.Sleep(time.Second)
	}
	for i := range 10 {
		inbox.ExpectMessage(fmt.Sprintf("question %d", i))
	}
	var want []string
	for i := range 10 {
		want = append(want, fmt.Sprintf("carol-1 message: answer %d", i))
	}
	src.expect(t, want...)

	// Every card, its warning once, and its refresh.
	cards := make([]*slacktest.Message, 0, n)
	for i := range n {
		cards = append(cards, teams[i%4].ExpectMessage("Ticket #", "First reply due"))
	}
	lastCard := time.Since(start)
	for _, c := range cards {
		c.ExpectReply("*first reply* is due")
	}
	lastWarning := time.Since(start)
	for _, c := range cards {
		c.ExpectUpdate("*First reply due")
	}
	lastRefresh := time.Since(start)
	limited := map[string]int{}
	for _, c := range sim.Calls("") {
		if c.Error == "ratelimited" {
			limited[c.Method]++
		}
	}
	t.Logf("%d tickets: last card %s, last warning %s, last card refreshed %s after the burst; 429s met and waited out: %v",
		n, lastCard.Round(time.Second), lastWarning.Round(time.Second), lastRefresh.Round(time.Second), limited)
}
