package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/webhook"
	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	hookToken  = "chatbot-token-0123456789"
	hookSecret = "signing-secret-0123456789"
)

// newChatbot starts the fake chatbot (webhooktest) that Frontdesk signs its events for
// with hookSecret. The test fails on anything the chatbot holds against Frontdesk: a bad
// signature or body, an Idempotency-Key that is not the event_id.
func newChatbot(t *testing.T) *webhooktest.Chatbot {
	bot := webhooktest.New(hookSecret)
	t.Cleanup(func() {
		bot.Close()
		if p := bot.Problems(); p != (webhooktest.Problems{}) {
			t.Errorf("the chatbot's problems with Frontdesk's callbacks: %+v", p)
		}
	})
	return bot
}

// expectEvent waits until the chatbot took an event of type typ whose fields contain
// want, and returns its fields.
func expectEvent(t *testing.T, bot *webhooktest.Chatbot, typ string, want map[string]any) map[string]any {
	t.Helper()
	ev, ok := bot.Await(hangGuard, func(e webhooktest.Event) bool {
		if e.Type != typ {
			return false
		}
		for k, v := range want {
			if fmt.Sprint(e.Fields[k]) != fmt.Sprint(v) {
				return false
			}
		}
		return true
	})
	if !ok {
		var got []map[string]any
		for _, e := range bot.Delivered("") {
			got = append(got, e.Fields)
		}
		t.Fatalf("the chatbot never got %s %v; got %v", typ, want, got)
	}
	return ev.Fields
}

// post sends an event to Frontdesk's webhook endpoint and returns the status and body.
func post(t *testing.T, addr string, ev map[string]any) (int, map[string]any) {
	t.Helper()
	a, err := webhooktest.Send(context.Background(), nil, "http://"+addr, hookToken, ev)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status, a.Body
}

func newHookWorld(t *testing.T) (*world, *webhooktest.Chatbot, string) {
	bot := newChatbot(t)
	w := newWorld(t, map[string]string{
		"WEBHOOK_TOKEN": hookToken, "WEBHOOK_CALLBACK_URL": bot.CallbackURL(), "WEBHOOK_SIGNING_SECRET": hookSecret,
	})
	return w, bot, w.d.Addr().String()
}

var member = map[string]any{"member": "m-42", "channel": "whatsapp-main", "app": "acme-bot"}

func with(fields map[string]any) map[string]any {
	ev := map[string]any{}
	for k, v := range member {
		ev[k] = v
	}
	for k, v := range fields {
		ev[k] = v
	}
	return ev
}

// TestWebhook_Story: a chatbot hands a customer to Slack and gets them back.
func TestWebhook_Story(t *testing.T) {
	t.Parallel()
	w, chatbot, addr := newHookWorld(t)
	code, res := post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST", "label": "Billing",
		"text": "I was charged twice", "profile": map[string]any{"name": "Carol", "email": "carol@example.com", "plan": "pro"}}))
	if code != http.StatusAccepted || res["status"] != "pending" || res["ticket"] != float64(1) {
		t.Fatalf("LIVE_CHAT_REQUEST = %d %v", code, res)
	}
	if code, res := post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST"})); code != http.StatusOK || res["ticket"] != float64(1) {
		t.Fatalf("a second request = %d %v, want 200 with the same ticket", code, res)
	}
	card := w.billing.ExpectMessage("Ticket #1", "Carol", "I was charged twice")
	dm := w.priya.ExpectDM("Ticket #1")
	if code, _ := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": "w-1", "text": "hello?"})); code != http.StatusAccepted {
		t.Fatalf("MESSAGE = %d", code)
	}
	card.ExpectReply("hello?")

	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-carol")
	inbox.ExpectMessage("Live chat", "carol@example.com", "plan", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("I was charged twice")
	inbox.ExpectMessage("hello?")
	accepted := expectEvent(t, chatbot, "LIVE_CHAT_ACCEPTED", map[string]any{"ticket": 1, "member": "m-42", "channel": "whatsapp-main", "app": "acme-bot"})
	if _, named := accepted["agent"]; named || !strings.Contains(fmt.Sprint(accepted["text"]), "an agent") {
		t.Errorf("accepted = %v: the agent's name must stay hidden by default", accepted)
	}

	reply := w.dan.Post(inbox, "Let me look at your invoices")
	expectEvent(t, chatbot, "AGENT_MESSAGE", map[string]any{"text": "Let me look at your invoices"})
	reply.ExpectReaction("white_check_mark")
	for i, text := range []string{"thanks", "I'll wait"} {
		if code, _ := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": fmt.Sprint("w-", 2+i), "text": text})); code != http.StatusAccepted {
			t.Fatalf("MESSAGE %q = %d", text, code)
		}
	}
	// The chatbot retries a message it is not sure about: taken, not shown twice.
	if code, res := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": "w-2", "text": "thanks"})); code != http.StatusOK || res["duplicate"] != true {
		t.Fatalf("a repeated MESSAGE = %d %v", code, res)
	}
	inbox.ExpectMessage("thanks")
	inbox.ExpectMessage("I'll wait")

	// The customer leaves: the chatbot ends the chat.
	if code, res := post(t, addr, with(map[string]any{"type": "END", "reason": "customer left"})); code != http.StatusOK || res["status"] != "closed" {
		t.Fatalf("END = %d %v", code, res)
	}
	card.ExpectUpdate("Closed", "customer left")
	dm.ExpectUpdate("Closed")
	inbox.ExpectMessage("closed at the source")
	inbox.ExpectArchived()
	if code, res := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": "w-9", "text": "one more"})); code != http.StatusNotFound || res["error"] != "no_open_ticket" {
		t.Fatalf("MESSAGE after END = %d %v", code, res)
	}
	if code, res := post(t, addr, with(map[string]any{"type": "CSAT", "rating": 5, "comment": "fast!"})); code != http.StatusOK {
		t.Fatalf("CSAT = %d %v", code, res)
	}
	rated, err := w.d.Store().FindLastClosed(context.Background(), webhook.Source, "acme-bot/whatsapp-main/m-42")
	if err != nil || rated.CSAT == nil || rated.CSAT.Rating != 5 || rated.CSAT.Comment != "fast!" {
		t.Fatalf("the rating was not stored: %+v, %v", rated, err)
	}
	// The rating shows on the card (the inbox channel was archived when the chatbot ended
	// the chat).
	card.ExpectUpdate("Rating:", "5/5", "fast!")
	dm.ExpectUpdate("5/5")
	// Customer text and contact details never reach the logs.
	logs := w.d.logs.String()
	for _, text := range []string{"I was charged twice", "hello?", "Let me look at your invoices", "I'll wait", "carol@example.com", "fast!"} {
		if strings.Contains(logs, text) {
			t.Errorf("the logs show %q", text)
		}
	}
	// The chatbot ended the chat itself: it is not told so, nor sent an ended message.
	for _, ev := range chatbot.Delivered("LIVE_CHAT_ENDED") {
		t.Errorf("the chatbot was told of an end it made: %v", ev.Fields)
	}
}

// TestWebhook_DeliveryRetriedInOrder: the chatbot's endpoint fails a few times; every
// event still arrives exactly once, in order, under the same Idempotency-Key each time.
func TestWebhook_DeliveryRetriedInOrder(t *testing.T) {
	t.Parallel()
	w, chatbot, addr := newHookWorld(t)
	post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST", "label": "Support Team", "text": "hi", "profile": map[string]any{"name": "Carol"}}))
	card := w.support.ExpectMessage("Ticket #1")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("hi")
	expectEvent(t, chatbot, "LIVE_CHAT_ACCEPTED", nil)

	failures := 3
	chatbot.FailWith(func(e webhooktest.Event) int { // under the chatbot's lock
		if e.Type == "AGENT_MESSAGE" && failures > 0 {
			failures--
			return http.StatusInternalServerError
		}
		return 0
	})
	var posted []*slacktest.Message
	for i := range 3 {
		posted = append(posted, w.alice.Post(inbox, fmt.Sprintf("answer %d", i)))
	}
	// Marks are cumulative: the latest message's ✅ stands for those before it.
	posted[len(posted)-1].ExpectReaction("white_check_mark")
	var got []string
	keys := map[string]bool{}
	for _, ev := range chatbot.Events() {
		if ev.Type == "AGENT_MESSAGE" && ev.OK() {
			got = append(got, ev.Text)
			if keys[ev.EventID] {
				t.Errorf("event %s delivered twice", ev.EventID)
			}
			keys[ev.EventID] = true
			for _, k := range chatbot.Attempts(ev.EventID) {
				if k != ev.EventID {
					t.Errorf("attempt of %s carried Idempotency-Key %q", ev.EventID, k)
				}
			}
		}
	}
	if want := []string{"answer 0", "answer 1", "answer 2"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the chatbot got %v, want %v in that order", got, want)
	}
	if first := chatbot.Delivered("AGENT_MESSAGE"); len(first) > 0 {
		if n := len(chatbot.Attempts(first[0].EventID)); n != 4 {
			t.Errorf("the first answer took %d attempts, want 4 (3 failures, then success)", n)
		}
	}
}

// TestWebhook_TransferAndEndByAgents: with agent names shown, the chatbot hears who
// answers, where the chat went, and that it ended (with its bot to resume).
func TestWebhook_TransferAndEndByAgents(t *testing.T) {
	t.Parallel()
	bot := newChatbot(t)
	w := newWorld(t, map[string]string{
		"WEBHOOK_TOKEN": hookToken, "WEBHOOK_CALLBACK_URL": bot.URL, "WEBHOOK_SIGNING_SECRET": hookSecret,
		"SHOW_AGENT_NAME": "true",
	})
	addr := w.d.Addr().String()
	post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST", "text": "hi", "profile": map[string]any{"name": "Carol"}}))
	card := w.support.ExpectMessage("Ticket #1")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("hi")
	expectEvent(t, bot, "LIVE_CHAT_ACCEPTED", map[string]any{"agent": map[string]any{"name": "Alice"}, "text": "You are now chatting with Alice."})

	msg := w.alice.Post(inbox, "Over to billing")
	expectEvent(t, bot, "AGENT_MESSAGE", map[string]any{"agent": map[string]any{"name": "Alice"}})
	msg.ExpectReaction("white_check_mark")
	w.alice.Shortcut(msg, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	w.alice.Submit(v, map[string]any{"lcc_action": "Transfer to another team", "lcc_team": "Billing"})
	card.ExpectUpdate("Transferred to Billing")
	dm.ExpectUpdate("Transferred")
	card2 := w.billing.ExpectMessage("Ticket #1")
	dm2 := w.priya.ExpectDM("Ticket #1")
	inbox.ExpectMessage("Transferred to Billing")
	expectEvent(t, bot, "LIVE_CHAT_TRANSFERRED", map[string]any{"label": "Billing"})

	w.dan.Click(card2, "Pick")
	card2.ExpectUpdate("Processing by")
	dm2.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Active")
	expectEvent(t, bot, "LIVE_CHAT_ACCEPTED", map[string]any{"agent": map[string]any{"name": "Dan"}})
	w.dan.Shortcut(msg, "live_chat_control")
	v = w.dan.ExpectView("Live Chat Control")
	w.dan.Submit(v, map[string]any{"lcc_action": "End the live chat"})
	card2.ExpectUpdate("Closed by")
	dm2.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	inbox.ExpectArchived()
	expectEvent(t, bot, "LIVE_CHAT_ENDED", map[string]any{"resume_bot": true, "text": "This chat has ended. Thank you for reaching out!"})
}

// TestWebhook_HistoryAtHandOff: the chatbot hands its conversation so far over with the
// request; agents see it, collapsed in a thread, under the card and at the top of the
// inbox channel, before the customer's messages; it is kept with the ticket and never
// goes back to the customer.
func TestWebhook_HistoryAtHandOff(t *testing.T) {
	t.Parallel()
	w, chatbot, addr := newHookWorld(t)
	history := []map[string]any{
		{"from": "bot", "text": "Hi! What is it about?", "at": "2026-12-01T10:00:00Z"},
		{"from": "customer", "text": "my <invoice> & a refund", "at": "2026-12-01T10:00:20Z"},
		{"from": "bot", "text": "Let me find you a human", "at": "2026-12-01T10:00:21.5+01:00"},
	}
	code, res := post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST", "label": "Billing",
		"text": "a human please", "profile": map[string]any{"name": "Carol"}, "history": history}))
	if code != http.StatusAccepted || res["ticket"] != float64(1) {
		t.Fatalf("LIVE_CHAT_REQUEST = %d %v", code, res)
	}
	card := w.billing.ExpectMessage("Ticket #1", "a human please")
	dm := w.priya.ExpectDM("Ticket #1")
	shown := card.ExpectReply("Before the hand-off, with Chatbot", "3 messages", "Hi! What is it about?",
		"my &lt;invoice&gt; &amp; a refund", "Let me find you a human", "Carol")
	if code, _ := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": "w-1", "text": "still there?"})); code != http.StatusAccepted {
		t.Fatalf("MESSAGE = %d", code)
	}
	if later := card.ExpectReply("still there?"); later.TS <= shown.TS {
		t.Errorf("the history (%s) comes after the customer's message (%s) in the card's thread", shown.TS, later.TS)
	}

	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-carol")
	intro := inbox.ExpectMessage("Live chat")
	intro.ExpectReply("Before the hand-off", "Hi! What is it about?", "Let me find you a human")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("a human please")
	inbox.ExpectMessage("still there?")
	expectEvent(t, chatbot, "LIVE_CHAT_ACCEPTED", map[string]any{"ticket": 1})

	tk, err := w.d.Store().FindOpen(context.Background(), webhook.Source, "acme-bot/whatsapp-main/m-42")
	if err != nil || len(tk.History) != 3 || tk.History[1].Text != "my <invoice> & a refund" ||
		tk.History[2].At.Format(time.RFC3339Nano) != "2026-12-01T09:00:21.5Z" {
		t.Fatalf("the ticket's history = %+v, %v", tk, err)
	}
	w.dan.Post(inbox, "Hello Carol")
	expectEvent(t, chatbot, "AGENT_MESSAGE", map[string]any{"text": "Hello Carol"})
	for _, ev := range chatbot.Delivered("") {
		if s := fmt.Sprint(ev.Fields); strings.Contains(s, "What is it about") || strings.Contains(s, "find you a human") {
			t.Errorf("the history went back to the chatbot: %v", ev.Fields)
		}
	}
	if logs := w.d.logs.String(); strings.Contains(logs, "What is it about") || strings.Contains(logs, "invoice") {
		t.Error("the logs show the history's text")
	}
}

// TestWebhook_CustomerEditsAndDeletes: the chatbot tells Frontdesk that the customer
// edited or deleted a message; wherever it shows in Slack (under the card, in the inbox
// channel, on the card itself for the opening message) it is brought up to date, and the
// transcript keeps the latest text and that it changed.
func TestWebhook_CustomerEditsAndDeletes(t *testing.T) {
	t.Parallel()
	w, chatbot, addr := newHookWorld(t)
	send := func(want int, fields map[string]any) map[string]any {
		t.Helper()
		code, res := post(t, addr, with(fields))
		if code != want {
			t.Fatalf("%v = %d %v, want %d", fields, code, res, want)
		}
		return res
	}
	send(http.StatusAccepted, map[string]any{"type": "LIVE_CHAT_REQUEST", "label": "Billing", "message_id": "w-0",
		"text": "helo", "profile": map[string]any{"name": "Carol"}})
	card := w.billing.ExpectMessage("Ticket #1", "helo")
	dm := w.priya.ExpectDM("Ticket #1")
	send(http.StatusAccepted, map[string]any{"type": "MESSAGE", "message_id": "w-1", "text": "my pasword is <b>"})
	typo := card.ExpectReply("my pasword is &lt;b&gt;")

	// While the ticket waits: the reply under the card changes.
	send(http.StatusOK, map[string]any{"type": "MESSAGE_EDITED", "message_id": "w-1", "text": "my password is <b>"})
	typo.ExpectUpdate("*Carol:* my password is &lt;b&gt; _(edited)_")
	if res := send(http.StatusOK, map[string]any{"type": "MESSAGE_EDITED", "message_id": "w-1", "text": "my password is <b>"}); res["duplicate"] != true {
		t.Errorf("the same edit again = %v, want duplicate", res)
	}
	if res := send(http.StatusNotFound, map[string]any{"type": "MESSAGE_DELETED", "message_id": "w-9"}); res["error"] != "no_such_message" {
		t.Errorf("deleting an unknown message = %v", res)
	}

	// The pick replays the messages as they now are.
	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-carol")
	inbox.ExpectMessage("Live chat")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	opening := inbox.ExpectMessage("helo")
	inbox.ExpectMessage("my password is &lt;b&gt; _(edited)_")
	expectEvent(t, chatbot, "LIVE_CHAT_ACCEPTED", map[string]any{"ticket": 1})

	// The opening message shows on the card and in the inbox channel.
	send(http.StatusOK, map[string]any{"type": "MESSAGE_EDITED", "message_id": "w-0", "text": "hello"})
	card.ExpectUpdate("*hello*")
	dm.ExpectUpdate("*hello*")
	opening.ExpectUpdate("hello _(edited)_")

	send(http.StatusAccepted, map[string]any{"type": "MESSAGE", "message_id": "w-2", "text": "oops, wrong chat"})
	oops := inbox.ExpectMessage("oops, wrong chat")
	send(http.StatusOK, map[string]any{"type": "MESSAGE_DELETED", "message_id": "w-2"})
	oops.ExpectUpdate("Deleted by the customer")
	if strings.Contains(oops.Text(), "oops") {
		t.Errorf("the deleted message still shows %q", oops.Text())
	}

	tk, err := w.d.Store().FindOpen(context.Background(), webhook.Source, "acme-bot/whatsapp-main/m-42")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := w.d.Store().Messages(context.Background(), tk.ID)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("transcript %+v, %v", msgs, err)
	}
	if msgs[0].Text != "hello" || msgs[0].EditedAt.IsZero() || msgs[1].Text != "my password is <b>" || !msgs[2].Deleted || msgs[2].Text != "" {
		t.Errorf("transcript %+v", msgs)
	}
	if tk.Opening != "hello" {
		t.Errorf("opening %q", tk.Opening)
	}
	if logs := w.d.logs.String(); strings.Contains(logs, "password") || strings.Contains(logs, "wrong chat") {
		t.Error("the logs show a message's text")
	}
}

// TestWebhook_AgentEditsAndDeletes: an agent edits or deletes a message in the inbox
// channel; the chatbot gets MESSAGE_EDITED or MESSAGE_DELETED with the message_id it got the
// message with, signed, once each, after the message. Notes and Frontdesk's own posts
// stay in Slack.
func TestWebhook_AgentEditsAndDeletes(t *testing.T) {
	t.Parallel()
	w, chatbot, addr := newHookWorld(t)
	inbox, _ := pickedHookChat(t, w, chatbot, addr, "hi")

	typo := w.dan.Post(inbox, "Your refund is on its way to acount 1234")
	sent := expectEvent(t, chatbot, "AGENT_MESSAGE", map[string]any{"text": "Your refund is on its way to acount 1234"})
	typo.ExpectReaction("white_check_mark")
	w.dan.Edit(typo, "Your refund is on its way to account 1234")
	expectEvent(t, chatbot, "MESSAGE_EDITED", map[string]any{"message_id": sent["message_id"], "text": "Your refund is on its way to account 1234", "ticket": 1})
	note := w.dan.Reply(typo, "double-check the acount")
	w.dan.Edit(note, "double-check the account")
	wrong := w.dan.Post(inbox, "Wrong chat, sorry")
	gone := expectEvent(t, chatbot, "AGENT_MESSAGE", map[string]any{"text": "Wrong chat, sorry"})
	w.dan.Delete(wrong)
	expectEvent(t, chatbot, "MESSAGE_DELETED", map[string]any{"message_id": gone["message_id"]})

	// Each change once, after its message; the note's edit went nowhere.
	var seen []string
	for _, ev := range chatbot.Delivered("") {
		seen = append(seen, ev.Type)
	}
	want := []string{"LIVE_CHAT_ACCEPTED", "AGENT_MESSAGE", "MESSAGE_EDITED", "AGENT_MESSAGE", "MESSAGE_DELETED"}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("the chatbot got %v, want %v", seen, want)
	}
	tk, err := w.d.Store().FindOpen(context.Background(), webhook.Source, "acme-bot/whatsapp-main/m-42")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := w.d.Store().Messages(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, fmt.Sprintf("%s:%q:%v", m.Direction, m.Text, m.Deleted))
	}
	wantTexts := []string{`customer:"hi":false`, `agent:"Your refund is on its way to account 1234":false`,
		`internal:"double-check the account":false`, `agent:"":true`}
	if strings.Join(texts, " ") != strings.Join(wantTexts, " ") {
		t.Errorf("transcript %v, want %v", texts, wantTexts)
	}
}

// TestWebhook_SavedReplies: an agent sends one of the team's saved replies from the Saved
// reply shortcut or /frontdesk reply: the placeholders filled in, changed before sending,
// it goes to the customer as the agent's message, with its delivery mark. Elsewhere the
// command says where it works.
func TestWebhook_SavedReplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, chatbot, addr := newHookWorld(t)
	st, err := w.d.Service().Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.SavedReplies = []tickets.SavedReply{
		{Name: "Greeting", Text: "Hi {customer_name}, I'm {agent_name}. How can I help?"},
		{Name: "Refund", Text: "Your refund for ticket {ticket} is on its way.\nIt takes 3 to 5 days."},
	}
	if err := w.d.Service().UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	w.dan.Command(w.billing, "/frontdesk", "reply")
	w.dan.ExpectEphemeral("inbox channel", "not one")

	inbox, intro := pickedHookChat(t, w, chatbot, addr, "refund?")

	// The shortcut: pick, read it filled in, change it, send.
	w.dan.Shortcut(intro, "saved_reply")
	v := w.dan.ExpectView("Saved reply", "Ticket #1")
	if ack := w.dan.Submit(v, map[string]any{"reply_pick": "Refund"}); ack.ResponseAction() != "update" {
		t.Fatalf("picking a reply: %s", ack.Payload)
	}
	v.ExpectUpdate("Message to the customer")
	if b := string(v.Blocks()); !strings.Contains(b, `"initial_value":"Your refund for ticket #1 is on its way.\nIt takes 3 to 5 days."`) {
		t.Errorf("the reply to change is not filled in: %s", b)
	}
	w.dan.Submit(v, map[string]any{"reply_text": "Your refund for ticket #1 is on its way. It takes 2 days."})
	sent := inbox.ExpectMessage("Your refund for ticket #1 is on its way. It takes 2 days.")
	expectEvent(t, chatbot, "AGENT_MESSAGE", map[string]any{"text": "Your refund for ticket #1 is on its way. It takes 2 days."})
	sent.ExpectReaction("white_check_mark")

	// The command, as it is.
	w.dan.Command(inbox, "/frontdesk", "reply")
	v = w.dan.ExpectView("Saved reply")
	w.dan.Submit(v, map[string]any{"reply_pick": "Greeting"})
	v.ExpectUpdate("Message to the customer")
	w.dan.Submit(v, map[string]any{})
	inbox.ExpectMessage("Hi Carol, I'm Dan. How can I help?")
	expectEvent(t, chatbot, "AGENT_MESSAGE", map[string]any{"text": "Hi Carol, I'm Dan. How can I help?"})

	w.dan.Command(inbox, "/frontdesk", "help")
	w.dan.ExpectEphemeral("/frontdesk reply")
	tk, err := w.d.Store().FindOpen(ctx, webhook.Source, "acme-bot/whatsapp-main/m-42")
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := w.d.Store().Messages(ctx, tk.ID)
	var agents []string
	for _, m := range msgs {
		if m.Direction == tickets.FromAgent {
			agents = append(agents, m.Author.Name+": "+m.Text)
		}
	}
	want := []string{"Dan: Your refund for ticket #1 is on its way. It takes 2 days.", "Dan: Hi Carol, I'm Dan. How can I help?"}
	if strings.Join(agents, "|") != strings.Join(want, "|") {
		t.Errorf("agent messages %q, want %q", agents, want)
	}
}

// pickedHookChat opens ticket #1 for Carol in Billing with text, has Dan pick it, and returns
// its inbox channel and that channel's first message once the chatbot was told.
func pickedHookChat(t *testing.T, w *world, chatbot *webhooktest.Chatbot, addr, text string) (*slacktest.Channel, *slacktest.Message) {
	t.Helper()
	if code, _ := post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST", "label": "Billing", "text": text,
		"profile": map[string]any{"name": "Carol"}})); code != http.StatusAccepted {
		t.Fatalf("LIVE_CHAT_REQUEST = %d", code)
	}
	card := w.billing.ExpectMessage("Ticket #1")
	dm := w.priya.ExpectDM("Ticket #1")
	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-carol")
	intro := inbox.ExpectMessage("Live chat")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage(text)
	expectEvent(t, chatbot, "LIVE_CHAT_ACCEPTED", map[string]any{"ticket": 1})
	return inbox, intro
}

// TestWebhook_CustomerFilesInSlack: a chatbot's URL attachments arrive as Slack files, in
// the card's thread while the chat waits and in the inbox channel once picked, uploaded
// with Slack's external upload flow; one that cannot be fetched, or is too large, is a
// line saying why, with its link.
func TestWebhook_CustomerFilesInSlack(t *testing.T) {
	t.Parallel()
	photo := []byte("\x89PNG\r\n\x1a\nthe router's lights")
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/router.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(photo)
		case "/huge.zip":
			w.Header().Set("Content-Length", strconv.Itoa(40<<20)) // announced, never sent
			w.WriteHeader(http.StatusOK)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(files.Close)
	w, chatbot, addr := newHookWorld(t)
	if code, _ := post(t, addr, with(map[string]any{"type": "LIVE_CHAT_REQUEST", "label": "Billing", "text": "my router",
		"profile": map[string]any{"name": "Carol"}})); code != http.StatusAccepted {
		t.Fatalf("LIVE_CHAT_REQUEST = %d", code)
	}
	card := w.billing.ExpectMessage("Ticket #1")
	dm := w.priya.ExpectDM("Ticket #1")
	if code, _ := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": "w-1", "text": "here is a photo",
		"attachments": []map[string]any{{"url": files.URL + "/router.png", "name": "router.png", "mime": "image/png"}}})); code != http.StatusAccepted {
		t.Fatalf("MESSAGE = %d", code)
	}
	card.ExpectReply("here is a photo")
	shared := card.ExpectReply("router.png", "Carol sent a file")
	if fs := shared.Files(); len(fs) != 1 || string(w.sim.FileContent(fs[0].ID)) != string(photo) || fs[0].Mimetype != "image/png" {
		t.Fatalf("the shared file: %+v", fs)
	}

	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-carol")
	inbox.ExpectMessage("Live chat")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("my router")
	inbox.ExpectMessage("here is a photo")
	inbox.ExpectMessage("router.png") // the pick's replay shares it again, in the inbox
	expectEvent(t, chatbot, "LIVE_CHAT_ACCEPTED", map[string]any{"ticket": 1})

	if code, _ := post(t, addr, with(map[string]any{"type": "MESSAGE", "message_id": "w-2",
		"attachments": []map[string]any{{"url": files.URL + "/gone.pdf"}, {"url": files.URL + "/huge.zip", "name": "logs.zip"}}})); code != http.StatusAccepted {
		t.Fatalf("MESSAGE = %d", code)
	}
	inbox.ExpectMessage("gone.pdf", "could not be shared here", "its link answered 404", files.URL+"/gone.pdf")
	inbox.ExpectMessage("logs.zip", "could not be shared here", "it is 40 MB, more than the 25 MB Frontdesk carries")
	if n := len(w.sim.Calls("files.completeUploadExternal")); n != 2 {
		t.Errorf("%d uploads completed, want 2 (under the card, then in the inbox)", n)
	}
}
