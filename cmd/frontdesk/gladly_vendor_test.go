package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/gladly"
)

// End-to-end tests of the Gladly connector against the shapes Gladly documents
// (connectors/gladly/testdata/SOURCES.md): the Slack simulator, a real Redis, and the
// fake Gladly of gladly_test.go fed with those shapes.

// postGladly POSTs a webhook event to Frontdesk as Gladly would and returns the status.
func postGladly(t *testing.T, addr string, event map[string]any) int {
	t.Helper()
	body, _ := json.Marshal(event)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+gladly.Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Account-Identifier", "acct-secret-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// addItem appends a raw item to conversation conv of the fake.
func (f *fakeGladly) addItem(conv string, it map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[conv] = append(f.items[conv], it)
}

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
	addr := w.d.ln.Addr().String()
	item := g.customerSays("conv-cc", "Where is my parcel?")
	g.addItem("conv-cc", customChannelItem("conv-cc", "item-cc-text", map[string]any{"text": "from the app"}, "TEXT"))
	g.addItem("conv-cc", customChannelItem("conv-cc", "item-cc-files", map[string]any{"caption": "the label",
		"files": []any{map[string]any{"fileName": "label.png", "url": "https://files.example/label.png"}}}, "FILES"))
	gladlyEvent(t, addr, "acct-secret-1", "CONTACT/MESSAGE_RECEIVED", "conv-cc", item)
	card := w.support.ExpectMessage("Ticket #1", "Where is my parcel?")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Where is my parcel?")
	w.alice.Post(inbox, "It left the warehouse today").ExpectReaction("white_check_mark")
	g.expect("POST /api/v1/conversation-items/"+item+"/reply", "It left the warehouse today")
}

// TestGladly_MovedIntoTheAIInbox: a conversation someone moves into the AI inbox after
// the customer wrote becomes a ticket at once, with the customer's messages, without
// waiting for the customer to write again (CONVERSATION_ASSIGNEE/UPDATED, "Payloads" in
// https://developer.gladly.com/rest/).
func TestGladly_MovedIntoTheAIInbox(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "0"))
	addr := w.d.ln.Addr().String()
	g.customerSays("conv-mv", "My order arrived broken")
	g.customerSays("conv-mv", "Can I get a new one?")
	code := postGladly(t, addr, map[string]any{
		"id": "ev-moved-1", "type": "CONVERSATION_ASSIGNEE/UPDATED", "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"initiator": map[string]any{"id": "agent-human", "type": "AGENT"},
		"content": map[string]any{"customerId": "cust-conv-mv", "conversationId": "conv-mv", "reason": "MANUAL",
			"assignee": map[string]any{"inboxId": "inbox-ai"},
			"context":  map[string]any{"assignee": map[string]any{"inboxId": "inbox-triage", "agentId": "agent-human"}}},
	})
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
