package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/gladly"
	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
)

// newFakeGladly starts the fake Gladly (gladlytest) taking the API user's credentials
// of gladlyVars. The test fails on a request it refused before a route.
func newFakeGladly(t *testing.T) *gladlytest.Server {
	g := gladlytest.New("bot@acme.example", "gladly-token")
	closeAtEnd(t, "Gladly", g)
	return g
}

// openConversation makes conversation conv of customer "cust-"+conv, Gus, in the AI
// inbox, unless it is there already.
func openConversation(g *gladlytest.Server, conv string) {
	if g.Conversation(conv) == nil {
		g.AddConversation(gladlytest.Conversation(conv, "cust-"+conv, "inbox-ai", time.Now()))
		g.AddProfile(gladlytest.Profile("cust-"+conv, "Gus", "gus@example.com", time.Now()))
	}
}

// customerSays adds a customer chat item to conversation conv and returns its id.
func customerSays(g *gladlytest.Server, conv, text string) string {
	openConversation(g, conv)
	id := fmt.Sprintf("item-%s-%d", conv, len(g.Items(conv))+1)
	g.AddItem(conv, gladlytest.ChatItem(conv, "cust-"+conv, id, "CUSTOMER", time.Now().UTC().Format(time.RFC3339Nano), text))
	return id
}

// expectCall waits for a request to Gladly whose "METHOD path body" (the path under
// /api/v1) contains every one of want, and returns that line.
func expectCall(t *testing.T, g *gladlytest.Server, want ...string) string {
	t.Helper()
	line := func(c gladlytest.Call) string { return c.String() + " " + c.Body }
	c, ok := g.Await(hangGuard, func(c gladlytest.Call) bool {
		for _, w := range want {
			if !strings.Contains(line(c), w) {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("Gladly never got %q; got %q", want, g.Called())
	}
	return line(c)
}

// gladlyWebhook delivers events to Frontdesk at addr as Gladly's webhook does, with
// X-Account-Identifier account.
func gladlyWebhook(addr, account string) gladlytest.Webhook {
	return gladlytest.Webhook{URL: "http://" + addr + gladly.Path, Account: account}
}

// gladlyEvent delivers Gladly's CONTACT/MESSAGE_RECEIVED for item of conversation conv,
// in the AI inbox, and returns the status.
func gladlyEvent(t *testing.T, addr, account, conv, item string) int {
	t.Helper()
	code, err := gladlyWebhook(addr, account).Send(context.Background(),
		gladlytest.MessageReceived("ev-"+item, conv, "cust-"+conv, item, "inbox-ai", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func gladlyVars(f *gladlytest.Server, sla string) map[string]string {
	return map[string]string{
		"GLADLY_BASE_URL": f.URL, "GLADLY_AGENT_EMAIL": "bot@acme.example", "GLADLY_API_TOKEN": "gladly-token",
		"GLADLY_AGENT_ID": "agent-bot", "GLADLY_AI_INBOX_ID": "inbox-ai", "GLADLY_HANDOFF_INBOX_ID": "inbox-humans",
		"GLADLY_ACCOUNT_ID": "acct-secret-1", "GLADLY_SLA": sla,
	}
}

// TestGladly_Story: a conversation in Gladly's AI inbox is worked from Slack and handed off.
func TestGladly_Story(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "0"))
	addr := w.d.Addr().String()
	item := customerSays(g, "conv-1", "My parcel never arrived")
	if code := gladlyEvent(t, addr, "wrong", "conv-1", item); code != http.StatusUnauthorized {
		t.Fatalf("wrong X-Account-Identifier = %d, want 401", code)
	}
	for range 2 { // a repeated delivery changes nothing twice
		if code := gladlyEvent(t, addr, "acct-secret-1", "conv-1", item); code != http.StatusOK {
			t.Fatalf("message event = %d", code)
		}
	}
	card := w.support.ExpectMessage("Ticket #1", "Gus", "My parcel never arrived")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	inbox.ExpectMessage("Live chat", "gus@example.com", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("My parcel never arrived")
	expectCall(t, g, "POST /conversation-items/"+item+"/reply", "You are now chatting with an agent")

	later := customerSays(g, "conv-1", "Any news?")
	gladlyEvent(t, addr, "acct-secret-1", "conv-1", later)
	inbox.ExpectMessage("Any news?")
	reply := w.alice.Post(inbox, "It is on its way")
	expectCall(t, g, "POST /conversation-items/"+later+"/reply", "It is on its way")
	reply.ExpectReaction("white_check_mark")
	// Gladly cannot change a reply once sent: the agent who edits it is told so on it.
	w.alice.Edit(reply, "It is on its way, due Monday")
	reply.ExpectReply("gladly cannot change a message once it is sent", "before you edited it")
	replies := 0
	for _, c := range g.Calls() {
		if c.Method == http.MethodPost && strings.HasPrefix(c.Path, "/conversation-items/") {
			replies++
		}
	}
	if replies != 2 {
		t.Errorf("%d replies posted to Gladly, want 2 (the greeting and the message, not the edit)", replies)
	}

	w.alice.Shortcut(reply, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(v, map[string]any{"lcc_action": "Hand back to Gladly"}); len(ack.Errors()) > 0 {
		t.Fatalf("hand-off refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by", "handed back to gladly")
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("handed the chat back to Gladly")
	inbox.ExpectArchived()
	patch := expectCall(t, g, "PATCH /conversations/conv-1")
	var body map[string]any
	if err := json.Unmarshal([]byte(patch[strings.Index(patch, "{"):]), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"assignee": map[string]any{"inboxId": "inbox-humans", "agentId": nil},
		"status": map[string]any{"value": "OPEN", "force": true}}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("hand-off PATCH = %v, want %v", body, want)
	}
}

// TestGladly_SLAHandsOffUnpicked: nobody picks within GLADLY_SLA; the conversation goes
// to Gladly's human inbox and the card says so.
func TestGladly_SLAHandsOffUnpicked(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "1s"))
	addr := w.d.Addr().String()
	item := customerSays(g, "conv-9", "Hello?")
	gladlyEvent(t, addr, "acct-secret-1", "conv-9", item)
	card := w.support.ExpectMessage("Ticket #1", "Gus")
	dm := w.priya.ExpectDM("Ticket #1")
	card.ExpectUpdate("no one picked it within 1s", "handed back to gladly")
	dm.ExpectUpdate("no one picked it")
	expectCall(t, g, "PATCH /conversations/conv-9", `"inboxId":"inbox-humans"`)
}
