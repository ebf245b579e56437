package main

import (
	"context"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestStatuses: a new ticket gets the team's automatic reply; with Live Chat Control the
// agent sets a ticket waiting on the customer,
// whose answer makes it active again, and puts it on hold until a time, when it becomes
// active by itself; the card and the inbox channel show each change.
func TestStatuses(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	alice := sim.AddUser("alice")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	src := &customers{}
	d := startDesk(t, sim, src, map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team",
		"AUTO_REPLY":         "Support Team: Thanks! {team} will be with you shortly.",
	})
	d.open(t, "carol-1", "Support Team", "Carol", "My invoice is wrong")
	card := support.ExpectMessage("Ticket #", "Pending")
	// The team's automatic reply (24/7: always in its hours).
	src.expect(t, "carol-1 message: Thanks! Support Team will be with you shortly.")
	inbox := picked(t, sim, src, alice, card, "carol-1", "My invoice is wrong")
	ask := alice.Post(inbox, "Which invoice number?")
	src.expect(t, "carol-1 message: Which invoice number?")
	ask.ExpectReaction("white_check_mark")

	// Waiting on the customer, until they answer.
	alice.Shortcut(ask, "live_chat_control")
	v := alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "Waiting on customer"}); len(ack.Errors()) > 0 {
		t.Fatalf("waiting refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Processing by", "Waiting on customer")
	inbox.ExpectMessage("set the ticket to *Waiting on customer*")
	alice.OpenHome()
	alice.ExpectHome("Your tickets* (1)", "Carol · Waiting on customer")
	d.customerSays(t, "carol-1", "c-2", "INV-42")
	inbox.ExpectMessage("INV-42")
	inbox.ExpectMessage("The customer answered", "*Active* again")
	card.ExpectUpdate("Processing by")

	// On hold until a moment from now: it wakes up by itself.
	wake := time.Now().Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
	alice.Shortcut(ask, "live_chat_control")
	v = alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "Put on hold", "lcc_reason": "asked billing", "lcc_wake": wake}); len(ack.Errors()) > 0 {
		t.Fatalf("hold refused: %v", ack.Errors())
	}
	card.ExpectUpdate("On hold until", "asked billing")
	inbox.ExpectMessage("put the ticket *On hold* until", "asked billing")
	inbox.ExpectMessage("The hold is over", "It was waiting for: asked billing")
	card.ExpectUpdate("Processing by")

	// A status it is in already is refused on the modal.
	alice.Shortcut(ask, "live_chat_control")
	v = alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "Waiting on customer", "lcc_reason": "a note"}); len(ack.Errors()) == 0 {
		t.Fatal("a note without a hold was taken")
	}
	src.nothingMore(t)
}

// TestReopen: a customer who writes again within the team's reopen window after their
// chat ended reopens it: the same card and inbox channel (kept open for the window), the
// agent who had it told, the customer's bot hands the chat back to them.
func TestReopen(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	alice := sim.AddUser("alice")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	src := &customers{}
	d := startDesk(t, sim, src, map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team",
		"REOPEN_WINDOW":      "Support Team: 1h",
	})
	first := d.open(t, "carol-1", "Support Team", "Carol", "The export fails")
	card := support.ExpectMessage("Ticket #", "Pending")
	inbox := picked(t, sim, src, alice, card, "carol-1", "The export fails")
	bye := alice.Post(inbox, "Fixed, try again")
	src.expect(t, "carol-1 message: Fixed, try again")
	bye.ExpectReaction("white_check_mark")
	alice.Shortcut(bye, "live_chat_control")
	v := alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "End the live chat"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	src.expect(t, "carol-1 ended: This chat has ended.")

	// Ten minutes later (here: at once) Carol writes again: the same ticket.
	again, created, err := d.Service().Open(context.Background(), tickets.OpenRequest{Source: "webhook", ConversationID: "carol-1",
		Label: "Support Team", First: &tickets.Message{Text: "Still failing", SourceMessageID: "carol-1-again"}})
	if err != nil || created || again == nil || again.ID != first.ID {
		t.Fatalf("the request after the close is %+v (created %v, %v), want ticket %s reopened", again, created, err, first.ID)
	}
	card.ExpectUpdate("Processing by <@" + alice.ID)
	inbox.ExpectMessage("<@"+alice.ID+">", "wrote again", "reopened")
	inbox.ExpectMessage("Still failing")
	src.expect(t, "carol-1 accepted: You are now chatting with an agent.")
	alice.Post(inbox, "Looking again")
	src.expect(t, "carol-1 message: Looking again")
	if sim.Channel(inbox.ID).IsArchived() {
		t.Error("the inbox channel of a reopened ticket is archived")
	}
}

// picked has agent pick card, the ticket of the chat conv opened with text: the inbox
// channel is made with the agent in it, shows the ticket and the text, the card says who
// has it and the customer is told. It returns the inbox channel.
func picked(t *testing.T, sim *slacktest.Sim, src *customers, agent *slacktest.User, card *slacktest.Message, conv, text string) *slacktest.Channel {
	t.Helper()
	agent.Click(card, "Pick")
	inbox := sim.ExpectChannelCreated("chat-")
	inbox.ExpectMember(agent)
	inbox.ExpectMessage("Live chat", "picked")
	card.ExpectUpdate("Processing by")
	inbox.ExpectMessage(text)
	src.expect(t, conv+" accepted: You are now chatting with an agent.")
	return inbox
}
