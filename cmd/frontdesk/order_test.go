package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/internal/metricstest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// TestAgentMessagesInOrderAcrossLostConnections: an agent's message whose event is lost
// with its Socket Mode connection is sent again by Slack only seconds later, after the
// agent's next messages have come on the new connection; the customer still gets them in
// the order they were written, each once.
func TestAgentMessagesInOrderAcrossLostConnections(t *testing.T) {
	t.Parallel()
	sim, alice, support, src, d := orderDesk(t, slacktest.WithRetryDelay(2*time.Second))
	inbox := pickedChat(t, sim, alice, support, src, d)

	for round := range 3 {
		// The next event dies on the wire with its connection; the agent goes on writing
		// while Frontdesk reconnects.
		first := fmt.Sprintf("round %d: first", round)
		sim.LoseInFlight(func(e *slacktest.Envelope) bool { return strings.Contains(string(e.Payload), first) })
		lost := alice.Post(inbox, first)
		alice.Post(inbox, fmt.Sprintf("round %d: second", round))
		alice.Post(inbox, fmt.Sprintf("round %d: third", round))
		src.expect(t, "carol-1 message: "+first,
			fmt.Sprintf("carol-1 message: round %d: second", round),
			fmt.Sprintf("carol-1 message: round %d: third", round))
		// Slack's late sending of the first message is recognised, not relayed again.
		waitFor(t, func() bool { return sentAgainAndAcked(sim, lost.Envelope().EventID) })
	}
	time.Sleep(500 * time.Millisecond) // anything doubled would have come by now
	src.nothingMore(t)
}

// TestAgentMessagesInOrderAcrossACleanStop: two replicas; an agent's message is on the
// wire to one of them as it stops cleanly (SIGTERM), so Slack sends it again only seconds
// later, and the agent's next message goes to the other replica, which holds the outbox,
// at once. The stopping replica tells the other before its connection closes (bot
// handOff), which checks the channel's history first: the customer gets both in the
// order written, each once.
func TestAgentMessagesInOrderAcrossACleanStop(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t, slacktest.WithRetryDelay(2*time.Second), slacktest.WithTimeout(hangGuard))
	alice := sim.AddUser("alice")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	src := &customers{}
	vars := map[string]string{"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team"}
	// The first replica up takes every outbox lease: it delivers to the customer.
	other := startDesk(t, sim, src, vars)
	first := startDesk(t, sim, src, vars) // the one that stops: its connection is the newest
	sim.ExpectConnections(2)

	inbox := pickedChat(t, sim, alice, support, src, first)
	// The other replica relays some of the agent's messages (Slack takes turns between
	// the connections) well after the connections came up, and checks the channel's
	// order with the first: after that it has no reason left to check it.
	time.Sleep(2 * time.Second)
	checked := func() bool {
		_, body := get(t, other.Addr().String(), "/metrics")
		n, _ := metricstest.Sample(body, "frontdesk_agent_order_checks_total", "outcome", "ok")
		return n >= 1
	}
	for i := 0; !checked(); i++ {
		if i == 20 {
			t.Fatal("Slack never sent the other replica one of 20 messages")
		}
		alice.Post(inbox, fmt.Sprintf("warm-up %d", i))
		src.expect(t, fmt.Sprintf("carol-1 message: warm-up %d", i))
	}

	held := sim.HoldInFlight(func(e *slacktest.Envelope) bool { return strings.Contains(string(e.Payload), "on the wire") })
	late := alice.Post(inbox, "on the wire")
	select {
	case <-held:
	case <-time.After(hangGuard):
		t.Fatal("the simulator never held the message")
	}
	// SIGTERM: the agent writes again the moment the stopping replica's connection is
	// gone, so the message goes to the other one.
	stopped := make(chan error, 1)
	stop := first.cancel
	first.cancel = nil
	go func() { stop(); stopped <- <-first.done }()
	waitFor(t, func() bool { return sim.Connections() == 1 })
	alice.Post(inbox, "written after it")
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("the replica did not stop")
	}
	first.Close()
	src.expect(t, "carol-1 message: on the wire", "carol-1 message: written after it")
	// Slack's late sending of the held message is recognised, not relayed again.
	waitFor(t, func() bool { return sentAgainAndAcked(sim, late.Envelope().EventID) })
	time.Sleep(500 * time.Millisecond) // anything doubled would have come by now
	src.nothingMore(t)
}

// pickedChat opens Carol's chat through d, has alice pick it and returns its inbox
// channel once the customer was told.
func pickedChat(t *testing.T, sim *slacktest.Sim, alice *slacktest.User, support *slacktest.Channel, src *customers, d *desk) *slacktest.Channel {
	t.Helper()
	d.open(t, "carol-1", "Support Team", "Carol", "Hello")
	card := support.ExpectMessage("Ticket #", "Carol")
	alice.Click(card, "Pick")
	inbox := sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Carol", "Active", "picked")
	card.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello")
	src.expect(t, "carol-1 accepted")
	return inbox
}

// sentAgainAndAcked reports whether Slack sent the event again and the app acked it.
func sentAgainAndAcked(sim *slacktest.Sim, eventID string) bool {
	acked := map[string]bool{}
	for _, a := range sim.Acks() {
		acked[a.EnvelopeID] = true
	}
	for _, e := range sim.Envelopes() {
		if e.RetryAttempt > 0 && e.EventID == eventID && acked[e.ID] {
			return true
		}
	}
	return false
}

// TestAgentWritesTheMomentTheInboxAppears: the inbox channel is the ticket's from the
// moment it is created, before the agent is invited, so a message the agent writes as soon
// as they see the channel (before its first message is posted) reaches the customer.
func TestAgentWritesTheMomentTheInboxAppears(t *testing.T) {
	t.Parallel()
	sim, alice, support, src, d := orderDesk(t)
	d.open(t, "carol-1", "Support Team", "Carol", "Hello")
	card := support.ExpectMessage("Ticket #", "Carol")
	// Every Web API call from now on is slow, so the channel's first message comes long
	// after the agent can see the channel.
	sim.SetLatency(time.Second)
	alice.Click(card, "Pick")
	inbox := sim.ExpectChannelCreated("chat-")
	inbox.ExpectMember(alice)
	alice.Post(inbox, "I'm here, one second")
	sim.SetLatency(0)
	src.expect(t, "carol-1 accepted", "carol-1 message: I'm here, one second")
	inbox.ExpectMessage("Live chat", "Carol", "Active", "picked")
	card.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello")
}

// orderDesk is Frontdesk on a simulator made with opts (and the suite's hang guard) and a
// real Redis: one agent, alice, in one ticketing channel, #support-tickets.
func orderDesk(t *testing.T, opts ...slacktest.Option) (*slacktest.Sim, *slacktest.User, *slacktest.Channel, *customers, *desk) {
	t.Helper()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t, append(opts, slacktest.WithTimeout(hangGuard))...)
	alice := sim.AddUser("alice")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	src := &customers{}
	d := startDesk(t, sim, src, map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team",
	})
	return sim, alice, support, src, d
}
