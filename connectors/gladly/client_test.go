package gladly

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

func testTicket() *tickets.Ticket {
	return &tickets.Ticket{ID: "T135", Number: 135, Source: Source, ConversationID: convID}
}

// agentMessage is an agent's message as the outbox hands it to Deliver.
func agentMessage(text string, atts ...tickets.Attachment) tickets.Outbound {
	m := &tickets.Message{ID: "m7", Direction: tickets.FromAgent, Author: tickets.Agent{ID: "U0ALICE", Name: "Alice"},
		Text: text, Attachments: atts}
	return tickets.Outbound{Kind: tickets.OutMessage, Text: text, Message: m, At: time.Now()}
}

// wantCall is a request the fake should have taken, with its JSON body ("" for none).
type wantCall struct {
	method, path, body string
}

// assertCalls fails unless the fake took exactly want, in order, with the same JSON.
func assertCalls(t *testing.T, f *gladlytest.Server, want ...wantCall) {
	t.Helper()
	got := f.Calls()
	if len(got) != len(want) {
		t.Fatalf("calls = %v, want %d: %v", f.Called(), len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.Path != w.path {
			t.Errorf("call %d = %s, want %s %s", i, g, w.method, w.path)
			continue
		}
		if w.body == "" {
			if g.Body != "" {
				t.Errorf("call %d (%s) has body %s", i, g, g.Body)
			}
			continue
		}
		assertJSON(t, []byte(g.Body), w.body)
	}
}

var listItems = wantCall{http.MethodGet, "/conversations/" + convID + "/items", ""}

func replyTo(item, body string) wantCall {
	return wantCall{http.MethodPost, "/conversation-items/" + item + "/reply", body}
}

func TestClient_Deliver(t *testing.T) {
	label := tickets.Attachment{URL: "https://desk.example.com/files/eyJmIjoiRjA3In0.x9Qk", Name: "label.pdf", MIME: "application/pdf"}
	photo := tickets.Attachment{URL: "https://desk.example.com/files/eyJmIjoiRjA4In0.a1Zq"}
	closeBody := `{"status":{"value":"CLOSED","force":true}}`
	topics := `{"topicIds":["` + topicA + `","` + topicB + `"]}`
	tests := []struct {
		name   string
		topics []string
		out    tickets.Outbound
		want   []wantCall
	}{
		{"Message", nil, agentMessage("It left today with DHL."), []wantCall{listItems,
			replyTo(olderItem, `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"It left today with DHL."}}`)}},
		{"MessageWithFiles", nil, agentMessage("Here is the label.", label, photo), []wantCall{listItems,
			replyTo(olderItem, `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"Here is the label.\nlabel.pdf: `+label.URL+`\n`+photo.URL+`"}}`)}},
		{"FilesOnly", nil, agentMessage("", photo), []wantCall{listItems,
			replyTo(olderItem, `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"`+photo.URL+`"}}`)}},
		{"Accepted", nil, tickets.Outbound{Kind: tickets.OutAccepted, Text: "Alice is with you now."}, []wantCall{listItems,
			replyTo(olderItem, `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"Alice is with you now."}}`)}},
		{"AcceptedSilent", nil, tickets.Outbound{Kind: tickets.OutAccepted}, nil},
		{"Transferred", nil, tickets.Outbound{Kind: tickets.OutTransferred, Text: "ignored", Team: tickets.Team{Label: "Billing"}}, nil},
		{"EndedTopicsThenClose", []string{topicA, topicB}, tickets.Outbound{Kind: tickets.OutEnded, Text: "Thanks for chatting!"}, []wantCall{listItems,
			replyTo(olderItem, `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"Thanks for chatting!"}}`),
			{http.MethodPost, "/conversations/" + convID + "/topics", topics},
			{http.MethodPatch, "/conversations/" + convID, closeBody}}},
		{"EndedSilentNoTopics", nil, tickets.Outbound{Kind: tickets.OutEnded}, []wantCall{
			{http.MethodPatch, "/conversations/" + convID, closeBody}}},
		{"HandedBack", nil, tickets.Outbound{Kind: tickets.OutHandedBack, Text: "not sent"}, []wantCall{
			{http.MethodPatch, "/conversations/" + convID,
				`{"assignee":{"inboxId":"` + handoffInbox + `","agentId":null},"status":{"value":"OPEN","force":true}}`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, f := setup(t, func(o *options) { o.CloseTopicIDs = tc.topics })
			if err := c.Deliver(context.Background(), testTicket(), tc.out, "ev-1"); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			assertCalls(t, f, tc.want...)
		})
	}
}

// TestClient_HandOffBody compares the hand-off PATCH with the documented body, byte for
// byte but for white space and key order.
func TestClient_HandOffBody(t *testing.T) {
	c, f := setup(t, nil)
	if err := c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-2"); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls = %v", f.Called())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(calls[0].Body), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"assignee": map[string]any{"inboxId": handoffInbox, "agentId": nil},
		"status":   map[string]any{"value": "OPEN", "force": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hand-off body = %s, want %v", calls[0].Body, want)
	}
	if conv := f.Conversation(convID); conv["inboxId"] != handoffInbox || conv["agentId"] != nil || conv["status"] != "OPEN" {
		t.Errorf("conversation after the hand-off: %v", conv)
	}
}

// TestClient_ReplyTarget checks the rule for the item a reply answers: the customer's
// latest message, on its channel, never an agent's item, a note or a call.
func TestClient_ReplyTarget(t *testing.T) {
	sms := map[string]any{
		"id": "sMs5kQ2XRw8LvN3pBz7HcA", "conversationId": convID, "customerId": customerID,
		"timestamp": "2026-11-21T09:20:00.000Z", "initiator": map[string]any{"id": customerID, "type": "CUSTOMER"},
		"content": map[string]any{"type": "SMS", "from": "+4930123", "to": "+4930999", "content": "Any news?"},
	}
	email := map[string]any{
		"id": "eMl7kQ2XRw8LvN3pBz7HcA", "conversationId": convID, "customerId": customerID,
		"timestamp": "2026-11-21T09:21:00.000Z", "initiator": map[string]any{"id": customerID, "type": "CUSTOMER"},
		"content": map[string]any{"type": "EMAIL", "subject": "Order", "content": "Hello"},
	}
	agentReply := chatItem("aGt1kQ2XRw8LvN3pBz7HcA", "AGENT", "2026-11-21T09:25:00.000Z", "On it!")
	apiReply := chatItem("aPi1kQ2XRw8LvN3pBz7HcA", "API", "2026-11-21T09:26:00.000Z", "From Slack")
	call := map[string]any{
		"id": "cAl1kQ2XRw8LvN3pBz7HcA", "timestamp": "2026-11-21T09:27:00.000Z",
		"initiator": map[string]any{"id": customerID, "type": "CUSTOMER"},
		"content":   map[string]any{"type": "PHONE_CALL", "from": "+4930123", "to": "+4930999"},
	}
	note := map[string]any{
		"id": "nOt1kQ2XRw8LvN3pBz7HcA", "timestamp": "2026-11-21T09:28:00.000Z",
		"initiator": map[string]any{"id": humanAgent, "type": "AGENT"},
		"content":   map[string]any{"type": "CONVERSATION_NOTE", "body": "VIP"},
	}
	first := chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi!")
	tests := []struct {
		name  string
		items []map[string]any
		item  string
		body  string
	}{
		{"LatestIsSMS", []map[string]any{first, sms, agentReply, apiReply, call, note}, "sMs5kQ2XRw8LvN3pBz7HcA",
			`{"content":{"type":"SMS","body":"We shipped it."}}`},
		{"Email", []map[string]any{first, email, agentReply}, "eMl7kQ2XRw8LvN3pBz7HcA",
			`{"content":{"type":"EMAIL","body":"We shipped it.","bodyPlain":"We shipped it."}}`},
		{"OutOfOrder", []map[string]any{sms, first}, "sMs5kQ2XRw8LvN3pBz7HcA",
			`{"content":{"type":"SMS","body":"We shipped it."}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, f := setup(t, nil)
			f.SetItems(convID, tc.items...)
			if err := c.Deliver(context.Background(), testTicket(), agentMessage("We shipped it."), "ev-3"); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			assertCalls(t, f, listItems, replyTo(tc.item, tc.body))
		})
	}
}

func TestClient_EmailReplyIsHTML(t *testing.T) {
	c, f := setup(t, nil)
	email := map[string]any{
		"id": "eMl7kQ2XRw8LvN3pBz7HcA", "timestamp": "2026-11-21T09:21:00.000Z",
		"initiator": map[string]any{"id": customerID, "type": "CUSTOMER"},
		"content":   map[string]any{"type": "EMAIL", "subject": "Order", "content": "Hello"},
	}
	f.SetItems(convID, email)
	text := "Size <M> & colour \"red\":\nshipped."
	if err := c.Deliver(context.Background(), testTicket(), agentMessage(text), "ev-4"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, f, listItems, replyTo("eMl7kQ2XRw8LvN3pBz7HcA",
		`{"content":{"type":"EMAIL","body":"Size &lt;M&gt; &amp; colour &#34;red&#34;:<br>shipped.","bodyPlain":"Size <M> & colour \"red\":\nshipped."}}`))
}

func TestClient_NoCustomerMessage(t *testing.T) {
	c, f := setup(t, nil)
	f.SetItems(convID, chatItem("aGt1kQ2XRw8LvN3pBz7HcA", "AGENT", "2026-11-21T09:25:00.000Z", "Hello?"))
	err := c.Deliver(context.Background(), testTicket(), agentMessage("Still there?"), "ev-5")
	if !tickets.IsPermanent(err) || !strings.Contains(err.Error(), "no customer message to reply to") {
		t.Fatalf("err = %v, want permanent: no customer message", err)
	}
	assertCalls(t, f, listItems)
}

// TestClient_LongReply checks that a text longer than Gladly's limit goes as several
// replies, in order, each within the limit and cut between words.
func TestClient_LongReply(t *testing.T) {
	c, f := setup(t, nil)
	words := make([]string, 900)
	for i := range words {
		words[i] = []string{"Größe", "shipped", "tomorrow", "läuft", "🚲"}[i%5]
	}
	text := strings.Join(words, " ")
	if err := c.Deliver(context.Background(), testTicket(), agentMessage(text), "ev-6"); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, call := range f.Calls()[1:] {
		var b struct{ Content replyContent }
		if err := json.Unmarshal([]byte(call.Body), &b); err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(b.Content.Body); n > maxReplyChars {
			t.Errorf("a reply of %d characters", n)
		}
		bodies = append(bodies, b.Content.Body)
	}
	if len(bodies) < 3 {
		t.Fatalf("%d replies for %d characters", len(bodies), utf8.RuneCountInString(text))
	}
	if got := strings.Join(bodies, " "); got != text {
		t.Errorf("the replies do not add up to the text")
	}
}

// TestClient_ResumesAfterAFailure checks that a retry of the same key goes on from the
// step that failed: neither the reply nor the topics are sent twice.
func TestClient_ResumesAfterAFailure(t *testing.T) {
	c, f := setup(t, func(o *options) { o.CloseTopicIDs = []string{topicA} })
	f.FailNext(gladlytest.Failure{On: "PATCH /conversations/", Status: http.StatusServiceUnavailable})
	out := tickets.Outbound{Kind: tickets.OutEnded, Text: "Bye!", At: time.Now()}
	err := c.Deliver(context.Background(), testTicket(), out, "ev-7")
	if err == nil || tickets.IsPermanent(err) {
		t.Fatalf("err = %v, want a transient error", err)
	}
	f.Reset()
	if err := c.Deliver(context.Background(), testTicket(), out, "ev-7"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	assertCalls(t, f, wantCall{http.MethodPatch, "/conversations/" + convID, `{"status":{"value":"CLOSED","force":true}}`})

	// A long reply cut off half way goes on from the first part not taken.
	f.Reset()
	text := strings.Repeat("word ", 1000)
	f.FailNext(gladlytest.Failure{On: "POST /conversation-items/", Status: http.StatusBadGateway})
	f.FailNext(gladlytest.Failure{On: "POST /conversation-items/", Status: http.StatusBadGateway}) // the first part fails twice
	if err := c.Deliver(context.Background(), testTicket(), agentMessage(text), "ev-8"); err == nil {
		t.Fatal("no error")
	}
	if err := c.Deliver(context.Background(), testTicket(), agentMessage(text), "ev-8"); err == nil {
		t.Fatal("no error")
	}
	if err := c.Deliver(context.Background(), testTicket(), agentMessage(text), "ev-8"); err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, call := range f.Calls() {
		if call.Method == http.MethodPost {
			replies++
		}
	}
	if want := len(replyParts(defaultReplyType, text)) + 2; replies != want {
		t.Errorf("%d reply requests, want %d (each part once, and the two failures)", replies, want)
	}
}

// outcome is what the outbox makes of an error.
type outcome string

const (
	delivered outcome = "delivered"
	retry     outcome = "retry"
	wait      outcome = "wait"
	giveUp    outcome = "give up"
)

func outcomeOf(err error) outcome {
	if err == nil {
		return delivered
	}
	if tickets.IsPermanent(err) {
		return giveUp
	}
	if _, ok := tickets.RetryAfter(err); ok {
		return wait
	}
	return retry
}

func TestClient_Errors(t *testing.T) {
	badInbox := `{"errors":[{"attr":"assignee.inboxId","code":"not_exist","detail":"inbox does not exist"}]}`
	tests := []struct {
		name  string
		fail  gladlytest.Failure
		at    time.Duration // how long ago the event happened
		want  outcome
		after time.Duration // the pause a 429 asks for
		says  string        // in the error's message
	}{
		{"RateLimited", gladlytest.Failure{Status: 429, RetryAfter: "7"}, 0, wait, 7 * time.Second, ""},
		{"RateLimitedNoHeader", gladlytest.Failure{Status: 429}, 0, wait, time.Second, ""},
		{"BadRequest", gladlytest.Failure{Status: 400, Body: badInbox}, 0, giveUp, 0,
			"gladly: handing off to the Handoff inbox answered 400: Gladly says assignee.inboxId: not_exist: inbox does not exist"},
		{"Closed", gladlytest.Failure{Status: 400, Body: `{"errors":[{"code":"invalid_state","detail":"closed conversation cannot be reassigned"}]}`}, 0, giveUp, 0,
			"Gladly says invalid_state: closed conversation cannot be reassigned"},
		{"Unauthorized", gladlytest.Failure{Status: 401}, 0, giveUp, 0, "answered 401"},
		{"NotFound", gladlytest.Failure{Status: 404, Body: `{"errors":[{"code":"not_exist","detail":"conversation does not exist"}]}`}, 0, giveUp, 0, "not_exist"},
		{"Unavailable", gladlytest.Failure{Status: 503}, 0, retry, 0, "answered 503"},
		{"UnavailableTooLong", gladlytest.Failure{Status: 503}, 2 * time.Hour, giveUp, 0, "no delivery within 1h0m0s"},
		{"NotJSONError", gladlytest.Failure{Status: 400, Body: "<html>nope</html>"}, 0, giveUp, 0, "answered 400"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, f := setup(t, nil)
			f.FailNext(tc.fail)
			out := tickets.Outbound{Kind: tickets.OutHandedBack, At: time.Now().Add(-tc.at)}
			err := c.Deliver(context.Background(), testTicket(), out, "ev-9")
			if got := outcomeOf(err); got != tc.want {
				t.Fatalf("outcome = %s (%v), want %s", got, err, tc.want)
			}
			if d, _ := tickets.RetryAfter(err); d != tc.after {
				t.Errorf("pause = %s, want %s", d, tc.after)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %q, want it to say %q", err, tc.says)
			}
			if strings.Contains(err.Error(), f.URL) || strings.Contains(err.Error(), testToken) {
				t.Errorf("err = %q holds the URL or the token", err)
			}
		})
	}
}

func TestClient_NetworkError(t *testing.T) {
	c, f := setup(t, nil)
	f.Close()
	err := c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutHandedBack, At: time.Now()}, "ev-10")
	if outcomeOf(err) != retry {
		t.Fatalf("err = %v, want a transient error", err)
	}
	if strings.Contains(err.Error(), f.URL) {
		t.Errorf("err = %q holds the URL", err)
	}
}

func TestClient_Refused(t *testing.T) {
	c, f := setup(t, nil)
	ctx := context.Background()
	for name, err := range map[string]error{
		"NoTicket":       c.Deliver(ctx, nil, tickets.Outbound{Kind: tickets.OutEnded}, "k"),
		"NoKey":          c.Deliver(ctx, testTicket(), tickets.Outbound{Kind: tickets.OutEnded}, ""),
		"NoConversation": c.Deliver(ctx, &tickets.Ticket{ID: "T1"}, tickets.Outbound{Kind: tickets.OutEnded}, "k"),
		"NoMessage":      c.Deliver(ctx, testTicket(), tickets.Outbound{Kind: tickets.OutMessage, Text: "x"}, "k"),
		"UnknownKind":    c.Deliver(ctx, testTicket(), tickets.Outbound{Kind: "waved"}, "k"),
	} {
		if !tickets.IsPermanent(err) {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
	}
	if calls := f.Called(); len(calls) != 0 {
		t.Errorf("calls = %v", calls)
	}
}

func TestClient_HandsBackAfterSLA(t *testing.T) {
	var sla tickets.SLAHandBacker
	c, _ := setup(t, func(o *options) { o.SLA = 3 * time.Minute })
	sla = c
	if !sla.TakesChatsBack() || sla.HandBackAfter() != 3*time.Minute {
		t.Errorf("TakesChatsBack %v, HandBackAfter %s", sla.TakesChatsBack(), sla.HandBackAfter())
	}
	c, _ = setup(t, nil)
	if c.HandBackAfter() != 0 {
		t.Errorf("HandBackAfter without an SLA = %s", c.HandBackAfter())
	}
}

func TestClient_DoesNotFollowRedirects(t *testing.T) {
	c, f := setup(t, nil)
	f.FailNext(gladlytest.Failure{Status: http.StatusFound})
	err := c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-11")
	if !tickets.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
	if n := len(f.Calls()); n != 1 {
		t.Errorf("%d requests: the redirect was followed", n)
	}
}

func TestNewClient(t *testing.T) {
	c := newClient(options{Config: testConfig("https://acme.us-1.gladly.com/")}, nil) // a nil logger
	if c.base != "https://acme.us-1.gladly.com/api/v1/" || c.timeout != callTimeout || c.retryFor != time.Hour {
		t.Errorf("client: base %q, timeout %s, retry for %s", c.base, c.timeout, c.retryFor)
	}
	if c.transcript != nil || c.permalink != nil {
		t.Error("a client without a transcript or Slack links adds hand-off notes")
	}
	for _, base := range []string{"https://acme.gladly.com", "https://acme.gladly.com/", "https://acme.gladly.com/api/v1", "https://acme.gladly.com/api/v1/"} {
		if got := (Config{BaseURL: base}).apiBase(); got != "https://acme.gladly.com/api/v1/" {
			t.Errorf("apiBase(%q) = %q", base, got)
		}
	}
}
