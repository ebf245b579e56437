package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/connectors/chatra/chatratest"
)

// newFakeChatra starts the fake Chatra (chatratest) taking the keys the tests configure
// (pub-key, secret-key). The test fails on a request it refused.
func newFakeChatra(t *testing.T) *chatratest.Server {
	f := chatratest.New("pub-key", "secret-key")
	closeAtEnd(t, "Chatra", f)
	return f
}

// expectChatra waits for a message to visitor clientID whose text contains text, and
// returns what Frontdesk sent.
func expectChatra(t *testing.T, f *chatratest.Server, clientID, text string) chatratest.Sent {
	t.Helper()
	m, ok := f.Await(hangGuard, func(m chatratest.Message) bool {
		return m.ClientID == clientID && strings.Contains(m.Text, text)
	})
	if !ok {
		t.Fatalf("Chatra never got %q for %s; got %+v", text, clientID, f.Sent())
	}
	for i, taken := range f.Taken() {
		if taken.ID == m.ID {
			return f.Sent()[i]
		}
	}
	return chatratest.Sent{}
}

const chatraToken = "chatra-hook-0123456789"

// chatraWebhook POSTs a webhook body to Frontdesk at addr as Chatra does and returns the
// status.
func chatraWebhook(t *testing.T, addr string, body string) int {
	t.Helper()
	code, _, err := chatratest.Send(context.Background(), nil, "http://"+addr+chatra.PathPrefix+chatraToken, body)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestChatra_Story: a website visitor's Chatra chat is answered from Slack.
func TestChatra_Story(t *testing.T) {
	t.Parallel()
	chatra := newFakeChatra(t)
	w := newWorld(t, map[string]string{
		"CHATRA_WEBHOOK_TOKEN": chatraToken, "CHATRA_PUBLIC_KEY": "pub-key", "CHATRA_SECRET_KEY": "secret-key",
		"CHATRA_AGENT_EMAIL": "team@example.com", "CHATRA_API_URL": chatra.APIURL(),
		"CHATRA_GROUPS": "grp-billing=Billing",
	})
	addr := w.d.Addr().String()
	if code := chatraWebhook(t, addr, `{"eventName":"chatStarted","client":{"id":"v-1","chatId":"c-1","displayedName":"Vera",
		"email":"vera@example.com","groupId":"grp-billing","info":{"plan":"pro"}},"agents":[],
		"messages":[{"id":"m-1","type":"client","message":"Hi, is my order shipped?"}]}`); code != http.StatusOK {
		t.Fatalf("chatStarted = %d", code)
	}
	card := w.billing.ExpectMessage("Ticket #1", "Vera", "Chatra", "Hi, is my order shipped?")
	dm := w.priya.ExpectDM("Ticket #1")
	if code := chatraWebhook(t, addr, `{"eventName":"chatStarted","client":{"id":"v-1"}}`); code != http.StatusOK {
		t.Fatalf("a repeated chatStarted = %d", code)
	}
	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-vera")
	inbox.ExpectMessage("Live chat", "vera@example.com", "plan", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hi, is my order shipped?")
	expectChatra(t, chatra, "v-1", "You are now chatting with an agent")

	reply := w.dan.Post(inbox, "Yes, it left this morning")
	sent := expectChatra(t, chatra, "v-1", "Yes, it left this morning")
	if sent.AgentEmail != "team@example.com" || sent.ReceivedFrom == "" {
		t.Errorf("sent %v: agent names are hidden, so the team identity answers, marked as ours", sent)
	}
	reply.ExpectReaction("white_check_mark")
	// The agent fixes the reply in Slack: the visitor's message changes in Chatra, in
	// place. A message the agent deletes goes from Chatra.
	sentID := chatra.IDs()[len(chatra.IDs())-1]
	w.dan.Edit(reply, "Yes, it left this morning with DHL")
	if _, ok := chatra.Await(hangGuard, func(m chatratest.Message) bool {
		return m.ID == sentID && m.Text == "Yes, it left this morning with DHL" && m.Edits == 1
	}); !ok {
		t.Fatalf("the edit never reached Chatra: %+v", chatra.Taken())
	}
	oops := w.dan.Post(inbox, "Wrong chat, sorry")
	expectChatra(t, chatra, "v-1", "Wrong chat, sorry")
	oops.ExpectReaction("white_check_mark")
	oopsID := chatra.IDs()[len(chatra.IDs())-1]
	w.dan.Delete(oops)
	if _, ok := chatra.Await(hangGuard, func(m chatratest.Message) bool { return m.ID == oopsID && m.Deleted }); !ok {
		t.Fatalf("the deletion never reached Chatra: %+v", chatra.Taken())
	}
	// Chatra echoes our message back, and the visitor answers.
	chatraWebhook(t, addr, `{"eventName":"chatFragment","client":{"id":"v-1"},"messages":[
		{"type":"agent","text":"Yes, it left this morning","receivedFrom":"`+sent.ReceivedFrom+`"},
		{"id":"m-2","type":"client","text":"Great, thanks!"}]}`)
	inbox.ExpectMessage("Great, thanks!")
	// A colleague answers from Chatra's own app: Slack shows it, marked, and it is not sent back.
	chatraWebhook(t, addr, `{"eventName":"chatFragment","client":{"id":"v-1"},"agents":[{"id":"a-7","name":"Sam"}],
		"messages":[{"id":"m-3","type":"agent","agentId":"a-7","message":"Your tracking number is 123"}]}`)
	inbox.ExpectMessage("Your tracking number is 123")
	mirroredAs := ""
	for _, c := range w.sim.Calls("chat.postMessage") {
		if strings.Contains(c.Params["text"], "Your tracking number is 123") {
			mirroredAs = c.Params["username"]
		}
	}
	if mirroredAs != "Sam (in Chatra)" {
		t.Errorf("the Chatra agent's message was posted as %q, want \"Sam (in Chatra)\"", mirroredAs)
	}

	w.dan.Shortcut(reply, "live_chat_control")
	v := w.dan.ExpectView("Live Chat Control")
	w.dan.Submit(v, map[string]any{"lcc_action": "End the live chat"})
	card.ExpectUpdate("Closed by")
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	inbox.ExpectArchived()
	expectChatra(t, chatra, "v-1", "This chat has ended")
	for _, m := range chatra.Sent() {
		if strings.Contains(m.Text, "tracking number") {
			t.Errorf("the Chatra agent's own message was sent back to Chatra: %v", m)
		}
	}
}
