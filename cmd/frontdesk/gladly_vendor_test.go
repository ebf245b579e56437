package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
)

// End-to-end tests of the Gladly connector against the shapes Gladly documents
// (connectors/gladly/testdata/SOURCES.md): the Slack simulator, a real Redis, and the
// fake Gladly (gladlytest) fed with those shapes.

// customChannelItem is a customer's custom channel message: content is an object
// ({text} or {caption, files}), its type TEXT or FILES, as in the "Custom Channel
// Message" of Gladly's item schema (github.com/saitejach127/n8n-nodes-gladly,
// nodes/Gladly/openapi.json, GET /api/v1/conversation-items/{itemId}).
func customChannelItem(conv, id string, content map[string]any, typ string) map[string]any {
	return map[string]any{
		"id": id, "conversationId": conv, "customerId": "cust-" + conv,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"initiator": map[string]any{"id": "cust-" + conv, "type": "CUSTOMER"},
		"content": map[string]any{"customChannelId": "cc-1", "companyAddress": "acme-app", "customerAddress": "gus-1",
			"sessionId": "sess-1", "type": typ, "content": content, "status": map[string]any{"value": "DELIVERED"}},
	}
}

// TestGladly_CustomChannelItemStillGetsReplies: a conversation whose timeline holds a
// custom channel message (content an object) is still answered from Slack; before, that
// one item made the whole item list undecodable and every reply failed.
func TestGladly_CustomChannelItemStillGetsReplies(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "0"))
	addr := w.d.Addr().String()
	item := customerSays(g, "conv-cc", "Where is my parcel?")
	g.AddItem("conv-cc", customChannelItem("conv-cc", "item-cc-text", map[string]any{"text": "from the app"}, "TEXT"))
	g.AddItem("conv-cc", customChannelItem("conv-cc", "item-cc-files", map[string]any{"caption": "the label",
		"files": []any{map[string]any{"fileName": "label.png", "url": "https://files.example/label.png"}}}, "FILES"))
	gladlyEvent(t, addr, "acct-secret-1", "conv-cc", item)
	card := w.support.ExpectMessage("Ticket #1", "Where is my parcel?")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Where is my parcel?")
	w.alice.Post(inbox, "It left the warehouse today").ExpectReaction("white_check_mark")
	expectCall(t, g, "POST /conversation-items/"+item+"/reply", "It left the warehouse today")
}

// TestGladly_MovedIntoTheAIInbox: a conversation someone moves into the AI inbox after
// the customer wrote becomes a ticket at once, with the customer's messages, without
// waiting for the customer to write again (CONVERSATION_ASSIGNEE/UPDATED, "Payloads" in
// https://developer.gladly.com/rest/).
func TestGladly_MovedIntoTheAIInbox(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "0"))
	addr := w.d.Addr().String()
	customerSays(g, "conv-mv", "My order arrived broken")
	customerSays(g, "conv-mv", "Can I get a new one?")
	code, err := gladlyWebhook(addr, "acct-secret-1").Send(context.Background(),
		gladlytest.AssigneeUpdated("ev-moved-1", "conv-mv", "cust-conv-mv", "inbox-ai", "inbox-triage", "agent-human", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusOK {
		t.Fatalf("assignee event = %d", code)
	}
	card := w.support.ExpectMessage("Ticket #1", "Gus", "My order arrived broken")
	card.ExpectReply("Can I get a new one?")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("My order arrived broken")
	inbox.ExpectMessage("Can I get a new one?")
}
