package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/ai/aitest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// outboxEvents counts the events of type typ for ticket tk in its partition's outbox of
// consumer group group.
func (w *world) outboxEvents(t *testing.T, tk *tickets.Ticket, group string, typ tickets.EventType) int {
	t.Helper()
	_, partition, _ := strings.Cut(string(tk.ID), "-")
	entries, err := w.rdb.XRange(context.Background(), w.prefix+"{"+partition+"}:outbox:"+group, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Values["t"] == string(typ) && e.Values["k"] == string(tk.ID) {
			n++
		}
	}
	return n
}

// TestDetails_EditInModal: an agent edits a ticket's details from its card; the card shows
// them at once and one ticket.updated event goes out. A category value the admin has
// since removed is refused on its field.
func TestDetails_EditInModal(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := context.Background()
	st, _ := w.d.Service().Settings(ctx)
	st.Categories = []tickets.Category{{Name: "Product", Values: []string{"Request Management", "Marketing Automation"}}}
	if err := w.d.Service().UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	tk := w.d.open(t, "d-1", "Support Team", "Carol", "My campaign emails bounce\nsince Monday")
	card := w.support.ExpectMessage("Ticket #", "My campaign emails bounce")
	w.priya.ExpectDM("Ticket #")

	w.bob.Click(card, "Details")
	v := w.bob.ExpectView("Ticket details", "Title", "Urgency", "Product")
	// Meanwhile an admin drops "Marketing Automation".
	st.Categories[0].Values = []string{"Request Management"}
	if err := w.d.Service().UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	ack := w.bob.Submit(v, map[string]any{"details_urgency": "High", "details_category_0": "Marketing Automation"})
	if why := ack.Errors()["details_category_0"]; !strings.Contains(why, "no longer allowed") {
		t.Fatalf("errors = %v, want the removed value refused on its field", ack.Errors())
	}
	if n := w.outboxEvents(t, tk, tickets.GroupDesk, tickets.EventUpdated); n != 0 {
		t.Fatalf("a refused edit raised %d ticket.updated", n)
	}
	ack = w.bob.Submit(v, map[string]any{
		"details_title": "Campaign emails bounce", "details_urgency": "High",
		"details_tags": "Email, deliverability", "details_category_0": "Request Management",
	})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Campaign emails bounce", "Urgency:", "High", "Product:", "Request Management", "email, deliverability")
	got, err := w.d.Service().Get(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Urgency != tickets.UrgencyHigh || got.Categories["Product"] != "Request Management" || len(got.Edits) != 4 ||
		got.Edits[0].By.ID != tickets.AgentID(w.bob.ID) {
		t.Errorf("ticket = %+v", got)
	}
	if n := w.outboxEvents(t, tk, tickets.GroupDesk, tickets.EventUpdated); n != 1 {
		t.Errorf("ticket.updated events = %d, want 1", n)
	}
	w.sim.DiscardUnexpected()
}

// TestDetails_FromLiveChatControl: the details open on top of Live Chat Control.
func TestDetails_FromLiveChatControl(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	card, inbox := w.active(t, "d-2")
	msg := w.alice.Post(inbox, "Looking into it")
	w.src.expect(t, "d-2 message: Looking into it")
	w.alice.Shortcut(msg, "live_chat_control")
	lcc := w.alice.ExpectView("Live Chat Control")
	w.alice.ClickInView(lcc, "Details")
	v := w.alice.ExpectView("Ticket details")
	if ack := w.alice.Submit(v, map[string]any{"details_urgency": "Urgent"}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Urgency:", "Urgent")
	w.sim.DiscardUnexpected()
}

// TestAI_SuggestsDetails: with AI enrichment on, a new ticket gets the endpoint's title,
// urgency and tags on its card; the endpoint never sees internal notes.
func TestAI_SuggestsDetails(t *testing.T) {
	t.Parallel()
	w, fake := aiWorld(t, aitest.Chat, nil)
	w.d.open(t, "ai-1", "Support Team", "Carol", "my emails bounce!!")
	card := w.support.ExpectMessage("Ticket #")
	card.ExpectUpdate("Emails bounce", "Urgency:", "High")
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("AI calls = %d, want 1", n)
	}
	w.sim.DiscardUnexpected()
}

// TestCSAT_TextReply: a Chatra visitor is asked to rate the chat an agent ended and
// answers "4": no new ticket; the rating shows on the card and in the inbox channel,
// which is then archived.
func TestCSAT_TextReply(t *testing.T) {
	t.Parallel()
	chatra := newFakeChatra(t)
	w := newWorld(t, map[string]string{
		"CHATRA_WEBHOOK_TOKEN": chatraToken, "CHATRA_PUBLIC_KEY": "pub-key", "CHATRA_SECRET_KEY": "secret-key",
		"CHATRA_AGENT_EMAIL": "team@example.com", "CHATRA_API_URL": chatra.APIURL(),
		"RATING_WINDOW": "1h",
	})
	addr := w.d.Addr().String()
	chatraWebhook(t, addr, `{"eventName":"chatStarted","client":{"id":"v-9","displayedName":"Vera"},
		"messages":[{"id":"m-1","type":"client","message":"Hello"}]}`)
	card := w.support.ExpectMessage("Ticket #1", "Vera")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-vera")
	inbox.ExpectMember(w.alice)
	inbox.ExpectMessage("Active")
	// The card changes once the channel is the ticket's inbox (the first message comes
	// just before): from then on what the agent writes there goes to the customer.
	card.ExpectUpdate("Processing by")
	msg := w.alice.Post(inbox, "Done, bye!")
	expectChatra(t, chatra, "v-9", "Done, bye!")
	w.alice.Shortcut(msg, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	w.alice.Submit(v, map[string]any{"lcc_action": "End the live chat"})
	expectChatra(t, chatra, "v-9", "Reply with a number from 1 (poor) to 5 (great)")
	inbox.ExpectMessage("ended the live chat")

	if code := chatraWebhook(t, addr, `{"eventName":"chatFragment","client":{"id":"v-9"},
		"messages":[{"id":"m-9","type":"client","message":"4"}]}`); code != http.StatusOK {
		t.Fatalf("the rating reply = %d", code)
	}
	card.ExpectUpdate("Rating:", "4/5")
	inbox.ExpectMessage("Vera rated the chat", "4/5")
	inbox.ExpectArchived()
	if _, err := w.d.Store().FindOpen(context.Background(), "chatra", "v-9"); err == nil {
		t.Error("the rating reply opened a ticket")
	}
	w.sim.DiscardUnexpected()
}
