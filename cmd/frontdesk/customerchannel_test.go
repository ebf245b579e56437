package main

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// TestCustomerChannel: a channel shared with a customer's organisation (Slack Connect) is
// a customer channel of the support team (CUSTOMER_CHANNELS). Its person's greeting
// opens nothing; their question opens ticket #1, whose card names their organisation; a
// quick follow-up joins it. An agent picks it: the question shows 👀, the agent answers
// from the inbox channel and the answer lands in the question's thread, where the
// customer replies; ending it tells the thread and marks the question ✅. A 🎫 reaction
// and the Create ticket shortcut make any message a request.
func TestCustomerChannel(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	alice := sim.AddUser("alice")
	dana := sim.AddUser("dana", slacktest.External("TACME"), slacktest.RealName("Dana Scully"))
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	shared := sim.AddChannel("acme-support", false, sim.Bot(), alice, dana)
	sim.ShareChannel(shared, "TACME")
	sim.SetTeamName("TACME", "Acme Corp")
	startDesk(t, sim, &customers{}, map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team",
		"CUSTOMER_CHANNELS":  shared.ID + "=support team",
	})

	dana.Post(shared, "Hi everyone :wave:")
	question := dana.Post(shared, "Our export fails with a 500")
	card := support.ExpectMessage("Ticket #1", "Our export fails with a 500", "Dana Scully", "Acme Corp")
	dana.Post(shared, "and the logs say timeout")
	card.ExpectReply("and the logs say timeout")

	alice.Click(card, "Pick")
	inbox := sim.ExpectChannelCreated("chat-")
	inbox.ExpectMember(alice)
	inbox.ExpectMessage("Live chat", "picked")
	card.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Our export fails with a 500")
	inbox.ExpectMessage("and the logs say timeout")
	question.ExpectReaction("eyes")

	alice.Post(inbox, "Looking into it")
	question.ExpectReply("Looking into it")
	dana.Reply(question, "Thanks, here is the request id: 42")
	inbox.ExpectMessage("here is the request id: 42")

	alice.Shortcut(alice.Post(inbox, "Fixed now"), "live_chat_control")
	question.ExpectReply("Fixed now")
	v := alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "End the live chat"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	question.ExpectReply("ended")
	question.ExpectReaction("white_check_mark")

	// Thanks alone open nothing; a 🎫 on them makes them a request all the same.
	thanks := dana.Post(shared, "Thanks a lot!")
	alice.React(thanks, "ticket")
	support.ExpectMessage("Ticket #2", "Thanks a lot!", "Dana Scully")
	// An agent's own message opens nothing; the Create ticket shortcut makes it a request,
	// and opens its details for the agent.
	note := alice.Post(shared, "Heads-up: the export is slow for everyone today")
	alice.Shortcut(note, "create_ticket")
	support.ExpectMessage("Ticket #3", "Heads-up: the export is slow", "Alice")
	alice.ExpectView("Ticket details")
}
