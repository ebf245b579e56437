package gladly

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// setupProcessor returns a Processor reading a fake Gladly and handing to the real
// ticket service, whose Gladly source is the Processor's Client.
func setupProcessor(t *testing.T) (*Processor, *gladlytest.Server, *testTickets) {
	t.Helper()
	return setupProcessorWith(t, nil)
}

// setupProcessorWith is setupProcessor handing to the service mk returns for the Client
// (nil: newTicketsFor).
func setupProcessorWith(t *testing.T, mk func(t testing.TB, api *Client) *testTickets) (*Processor, *gladlytest.Server, *testTickets) {
	t.Helper()
	if mk == nil {
		mk = newTicketsFor
	}
	c, f := setup(t, nil)
	tk := mk(t, c)
	p, err := newProcessor(testOptions(f.BaseURL()), c, tk.Service, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("newProcessor: %v", err)
	}
	p.now = func() time.Time { return testNow }
	return p, f, tk
}

// testNow is the Processor's clock: a few minutes after the events of testdata/.
var testNow = time.Date(2026, 11, 21, 9, 50, 0, 0, time.UTC)

// inbound is body as the queue hands it to the Processor.
func inbound(body string) tickets.Event {
	return tickets.Event{Type: tickets.EventInbound, Source: Source, ConversationID: convID, Payload: body}
}

func process(t *testing.T, p *Processor, body string) error {
	t.Helper()
	return p.Process(context.Background(), inbound(body))
}

func mustProcess(t *testing.T, p *Processor, body string) {
	t.Helper()
	if err := process(t, p, body); err != nil {
		t.Fatalf("Process: %v", err)
	}
}

func TestProcessor_MessageOpensTicket(t *testing.T) {
	p, f, tk := setupProcessor(t)
	body := testdata(t, "contact_message_received.json")
	mustProcess(t, p, body)
	all := tk.all()
	if len(all) != 1 {
		t.Fatalf("%d tickets opened, want 1", len(all))
	}
	req := all[0]
	wantCustomer := tickets.Customer{ID: customerID, Name: "Lena Vogel", Email: "Lena.Vogel@example.org",
		Phone: "+49 30 1234567", Fields: map[string]string{"channel": "CHAT"}}
	if !reflect.DeepEqual(req.Customer, wantCustomer) {
		t.Errorf("customer = %+v, want %+v", req.Customer, wantCustomer)
	}
	wantFirst := tickets.Message{Direction: tickets.FromCustomer, Text: "Hi! My e-bike order #A-3301 has not shipped yet.",
		SourceMessageID: firstItem, At: time.Date(2026, 11, 21, 9, 14, 3, 100e6, time.UTC)}
	if first := tk.first(); !reflect.DeepEqual(first, wantFirst) || req.Opening != wantFirst.Text {
		t.Errorf("first = %+v, opening %q; want %+v", first, req.Opening, wantFirst)
	}
	if req.Source != Source || req.ConversationID != convID || req.Raw != body {
		t.Errorf("ticket %s/%s, raw %q", req.Source, req.ConversationID, req.Raw)
	}
	want := []string{"GET /conversation-items/" + firstItem, "GET /customer-profiles/" + customerID}
	if got := f.Called(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
}

func TestProcessor_MessageRelayedToOpenTicket(t *testing.T) {
	p, _, tk := setupProcessor(t)
	mustProcess(t, p, testdata(t, "contact_message_received.json"))
	second := edited(t, "contact_message_received.json", map[string]any{"id": "eN2", "content.messageId": olderItem})
	mustProcess(t, p, second)
	mustProcess(t, p, second) // the queue may hand an event over again after a crash
	if n := len(tk.all()); n != 1 {
		t.Errorf("%d tickets opened, want 1", n)
	}
	want := []string{"Hi! My e-bike order #A-3301 has not shipped yet.", "It was due on Monday."}
	if got := tk.texts(convID); !reflect.DeepEqual(got, want) {
		t.Errorf("transcript = %q, want %q", got, want)
	}
}

// TestProcessor_OlderMessageEvent: MESSAGE/RECEIVED has no context and no customer id,
// so the conversation says where it is and whose it is.
func TestProcessor_OlderMessageEvent(t *testing.T) {
	p, f, tk := setupProcessor(t)
	mustProcess(t, p, testdata(t, "message_received.json"))
	first := tk.first()
	req := tk.all()[0]
	if req.Customer.ID != customerID || req.Customer.Name != "Lena Vogel" || req.Customer.Fields != nil {
		t.Errorf("customer = %+v", req.Customer)
	}
	if first.Text != "It was due on Monday." || first.SourceMessageID != olderItem {
		t.Errorf("first = %+v", first)
	}
	want := []string{"GET /conversations/" + convID, "GET /conversation-items/" + olderItem, "GET /customer-profiles/" + customerID}
	if got := f.Called(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
}

func TestProcessor_OnlyOurConversations(t *testing.T) {
	tests := []struct {
		name  string
		body  func(t *testing.T) string
		conv  map[string]any // changes to the conversation
		ours  bool
		calls int
	}{
		{"OtherInbox", func(t *testing.T) string {
			return edited(t, "contact_message_received.json", map[string]any{"content.context.assignee.inboxId": otherInbox})
		}, nil, false, 0},
		{"OtherInboxHumanAgent", func(t *testing.T) string {
			return edited(t, "contact_message_received.json", map[string]any{
				"content.context.assignee": map[string]any{"inboxId": otherInbox, "agentId": humanAgent}})
		}, nil, false, 0},
		{"OurAgentElsewhere", func(t *testing.T) string {
			return edited(t, "contact_message_received.json", map[string]any{
				"content.context.assignee": map[string]any{"inboxId": otherInbox, "agentId": botAgent}})
		}, nil, true, 2},
		{"OurInboxOurAgent", func(t *testing.T) string {
			return edited(t, "contact_message_received.json", map[string]any{"content.context.assignee.agentId": botAgent})
		}, nil, true, 2},
		{"OlderEventOtherInbox", func(t *testing.T) string { return testdata(t, "message_received.json") },
			map[string]any{"inboxId": otherInbox, "agentId": humanAgent}, false, 1},
		{"OlderEventOurAgent", func(t *testing.T) string { return testdata(t, "message_received.json") },
			map[string]any{"inboxId": otherInbox, "agentId": botAgent}, true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			if tc.conv != nil {
				f.SetConversation(convID, tc.conv)
			}
			mustProcess(t, p, tc.body(t))
			if n := len(tk.all()); (n == 1) != tc.ours || n > 1 {
				t.Errorf("opened %d tickets; ours = %v", n, tc.ours)
			}
			if n := len(f.Calls()); n != tc.calls {
				t.Errorf("calls = %v, want %d", f.Called(), tc.calls)
			}
		})
	}
}

func TestProcessor_NotTheCustomersMessage(t *testing.T) {
	p, f, tk := setupProcessor(t)
	f.SetItems(convID, chatItem(firstItem, "AGENT", "2026-11-21T09:14:03.100Z", "Hello from Gladly"))
	tk.unreachable() // an agent's item is not handed to the ticket service
	mustProcess(t, p, testdata(t, "contact_message_received.json"))
}

func TestProcessor_MessageContent(t *testing.T) {
	tests := []struct {
		name    string
		content map[string]any
		want    string
	}{
		{"Email", map[string]any{"type": "EMAIL", "from": "lena@example.org", "to": []any{"help@acme.example"},
			"subject": "Order A-3301", "content": "Where is it?"}, "Subject: Order A-3301\n\nWhere is it?"},
		{"Files", map[string]any{"type": "CHAT_MESSAGE", "content": "See photo",
			"attachments": []any{map[string]any{"id": "a1", "contentType": "image/png", "filename": "crack.png", "fileSize": 1024}}},
			"See photo\n[crack.png (image/png): open the conversation in Gladly to see it]"},
		{"FileOnly", map[string]any{"type": "WHATSAPP", "attachments": []any{map[string]any{"id": "a2"}}},
			"[a file: open the conversation in Gladly to see it]"},
		{"Empty", map[string]any{"type": "SMS", "content": "  "}, "[a SMS without text: open the conversation in Gladly to see it]"},
		{"Body", map[string]any{"type": "FACEBOOK_MESSAGE", "body": "via body"}, "via body"},
		{"TooLong", map[string]any{"type": "CHAT_MESSAGE", "content": strings.Repeat("x", tickets.MaxTextBytes+10)},
			strings.Repeat("x", tickets.MaxTextBytes-len("…")) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			f.SetItems(convID, map[string]any{"id": firstItem, "customerId": customerID, "timestamp": "2026-11-21T09:14:03Z",
				"initiator": map[string]any{"id": customerID, "type": "CUSTOMER"}, "content": tc.content})
			mustProcess(t, p, testdata(t, "contact_message_received.json"))
			if got := tk.first(); got.Text != tc.want {
				t.Errorf("first = %+v, want the text %q", got, tc.want)
			}
		})
	}
}

// TestProcessor_ProfileUnavailable: a profile Gladly refuses leaves the customer id; the
// message is not lost for it.
func TestProcessor_ProfileUnavailable(t *testing.T) {
	p, f, tk := setupProcessor(t)
	f.DeleteProfile(customerID)
	mustProcess(t, p, testdata(t, "contact_message_received.json"))
	if all := tk.all(); len(all) != 1 || !reflect.DeepEqual(all[0].Customer, tickets.Customer{ID: customerID, Fields: map[string]string{"channel": "CHAT"}}) {
		t.Errorf("opened %d tickets: %+v", len(all), all)
	}
}

func TestProcessor_ConversationClosed(t *testing.T) {
	p, _, tk := setupProcessor(t)
	mustProcess(t, p, testdata(t, "contact_message_received.json"))
	mustProcess(t, p, testdata(t, "conversation_closed.json"))
	if tk.isOpen(convID) || !reflect.DeepEqual(tk.closed(), []string{"closed in Gladly"}) {
		t.Errorf("open %v, closed %q", tk.isOpen(convID), tk.closed())
	}
	mustProcess(t, p, testdata(t, "conversation_closed.json")) // no open ticket: nothing to do
}

func TestProcessor_AssigneeUpdated(t *testing.T) {
	tests := []struct {
		name     string
		assignee any
		closed   bool
	}{
		{"TakenOver", map[string]any{"inboxId": otherInbox, "agentId": humanAgent}, true},
		{"OtherInboxNoAgent", map[string]any{"inboxId": handoffInbox}, true},
		{"StillInTheAIInbox", map[string]any{"inboxId": aiInbox, "agentId": botAgent}, false},
		{"OurAgentElsewhere", map[string]any{"inboxId": otherInbox, "agentId": botAgent}, false},
		{"NoAssignee", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			mustProcess(t, p, testdata(t, "contact_message_received.json"))
			f.Reset()
			mustProcess(t, p, edited(t, "conversation_assignee_updated.json", map[string]any{"content.assignee": tc.assignee}))
			if tk.isOpen(convID) == tc.closed {
				t.Errorf("open = %v, want closed = %v", tk.isOpen(convID), tc.closed)
			}
			if tc.closed && !reflect.DeepEqual(tk.closed(), []string{"taken over in Gladly"}) {
				t.Errorf("closed %q", tk.closed())
			}
			if calls := f.Called(); len(calls) != 0 {
				t.Errorf("calls = %v: the event says it all", calls)
			}
		})
	}
	t.Run("NoTicket", func(t *testing.T) {
		// The event goes to the ticket service, which finds nothing to close.
		p, _, tk := setupProcessor(t)
		tk.unreachable()
		if err := process(t, p, testdata(t, "conversation_assignee_updated.json")); !errors.Is(err, errReached) {
			t.Errorf("Process = %v, want it to reach the ticket service", err)
		}
		tk.mem.Fail(nil)
		mustProcess(t, p, testdata(t, "conversation_assignee_updated.json"))
		if evs := tk.mem.Drain(); len(evs) != 0 || len(tk.all()) != 0 {
			t.Errorf("events %+v, tickets %d", evs, len(tk.all()))
		}
	})
}

func TestProcessor_StatusUpdated(t *testing.T) {
	for _, status := range []string{"OPEN", "WAITING", "CLOSED"} {
		t.Run(status, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			mustProcess(t, p, testdata(t, "contact_message_received.json"))
			f.SetConversation(convID, map[string]any{"status": status})
			f.Reset()
			mustProcess(t, p, testdata(t, "conversation_status_updated.json"))
			if got, want := tk.isOpen(convID), status != "CLOSED"; got != want {
				t.Errorf("open = %v, want %v", got, want)
			}
			if status == "CLOSED" && !reflect.DeepEqual(tk.closed(), []string{"closed in Gladly"}) {
				t.Errorf("closed %q", tk.closed())
			}
			if got := f.Called(); !reflect.DeepEqual(got, []string{"GET /conversations/" + convID}) {
				t.Errorf("calls = %v", got)
			}
		})
	}
}

func TestProcessor_GladlyErrors(t *testing.T) {
	msg := func(t *testing.T) string { return testdata(t, "contact_message_received.json") }
	tests := []struct {
		name  string
		body  func(t *testing.T) string
		fail  gladlytest.Failure
		want  outcome
		after time.Duration
		says  string
	}{
		{"RateLimitedItem", msg, gladlytest.Failure{On: "GET /conversation-items/", Status: 429, RetryAfter: "12"}, wait, 12 * time.Second, "answered 429"},
		{"RateLimitedProfile", msg, gladlytest.Failure{On: "GET /customer-profiles/", Status: 429, RetryAfter: "3"}, wait, 3 * time.Second, ""},
		{"ItemRefused", msg, gladlytest.Failure{On: "GET /conversation-items/", Status: 400,
			Body: `{"errors":[{"code":"invalid","detail":"Conversation item exists but is not supported by the API."}]}`}, giveUp, 0,
			"gladly: reading the message answered 400: Gladly says invalid: Conversation item exists but is not supported by the API."},
		{"ItemGone", msg, gladlytest.Failure{On: "GET /conversation-items/", Status: 404}, giveUp, 0, "answered 404"},
		{"Unavailable", msg, gladlytest.Failure{On: "GET /conversation-items/", Status: 502}, retry, 0, "answered 502"},
		{"UnavailableTooLong", func(t *testing.T) string {
			return edited(t, "contact_message_received.json", map[string]any{"timestamp": testNow.Add(-2 * time.Hour).Format(time.RFC3339)})
		}, gladlytest.Failure{On: "GET /conversation-items/", Status: 502}, giveUp, 0, "no delivery within 1h0m0s"},
		{"StatusRateLimited", func(t *testing.T) string { return testdata(t, "conversation_status_updated.json") },
			gladlytest.Failure{Status: 429, RetryAfter: "5"}, wait, 5 * time.Second, ""},
		{"StatusConversationGone", func(t *testing.T) string { return testdata(t, "conversation_status_updated.json") },
			gladlytest.Failure{Status: 404, Body: `{"errors":[{"code":"not_exist","detail":"conversation does not exist"}]}`}, giveUp, 0,
			"Gladly says not_exist: conversation does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			f.FailNext(tc.fail)
			err := process(t, p, tc.body(t))
			if got := outcomeOf(err); got != tc.want {
				t.Fatalf("outcome = %s (%v), want %s", got, err, tc.want)
			}
			if d, _ := tickets.RetryAfter(err); d != tc.after {
				t.Errorf("pause = %s, want %s", d, tc.after)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %q, want it to say %q", err, tc.says)
			}
			if evs := tk.mem.Drain(); len(tk.all()) != 0 || len(evs) != 0 {
				t.Errorf("tickets changed: opened %d, events %+v", len(tk.all()), evs)
			}
		})
	}
}

func TestProcessor_TicketErrors(t *testing.T) {
	failing := func(err error) func(t testing.TB, api *Client) *testTickets {
		return func(t testing.TB, api *Client) *testTickets {
			tk := newTicketsFor(t, api)
			tk.mem.Fail(err)
			return tk
		}
	}
	for _, tc := range []struct {
		name string
		tk   func(t testing.TB, api *Client) *testTickets
		want outcome
		// onClose: a close meets the same error. Without teams it does not: the
		// service needs a team only to open a ticket.
		onClose bool
	}{
		{"StoreDown", failing(errors.New("redis: connection refused")), retry, true},
		{"NoTeams", func(t testing.TB, _ *Client) *testTickets { return newTicketsWithoutTeams(t) }, retry, false},
		{"StoreRefuses", failing(fmt.Errorf("%w: refused by the store", tickets.ErrInvalid)), giveUp, true},
	} {
		p, _, _ := setupProcessorWith(t, tc.tk)
		err := process(t, p, testdata(t, "contact_message_received.json"))
		if got := outcomeOf(err); got != tc.want {
			t.Errorf("%s: outcome %s (%v), want %s", tc.name, got, err, tc.want)
		}
		if !tc.onClose {
			continue
		}
		err = process(t, p, testdata(t, "conversation_closed.json"))
		if got := outcomeOf(err); got != tc.want {
			t.Errorf("%s on close: outcome %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestProcessor_NotItsEvents(t *testing.T) {
	p, f, tk := setupProcessor(t)
	tk.unreachable()
	ctx := context.Background()
	for name, ev := range map[string]tickets.Event{
		"OtherType":   {Type: tickets.EventMessage, Source: Source, Payload: testdata(t, "conversation_closed.json")},
		"OtherSource": {Type: tickets.EventInbound, Source: "chatra", Payload: testdata(t, "conversation_closed.json")},
		"Ignored":     inbound(testdata(t, "conversation_created.json")),
		"Ping":        inbound(testdata(t, "ping.json")),
	} {
		if err := p.Process(ctx, ev); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(f.Calls()) != 0 {
		t.Errorf("calls: Gladly %v", f.Called())
	}
}

func TestProcessor_MalformedPayload(t *testing.T) {
	p, _, _ := setupProcessor(t)
	for name, payload := range map[string]string{
		"NotJSON":   "{",
		"NoType":    `{"id":"e1","content":{"conversationId":"c"}}`,
		"NoMessage": edited(t, "contact_message_received.json", map[string]any{"content.messageId": nil}),
	} {
		if err := p.Process(context.Background(), inbound(payload)); !tickets.IsPermanent(err) {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
	}
}

// TestProcessor_ConversationFromQueue: the queue's conversation id stands in when the
// payload has none (it never should).
func TestProcessor_ConversationFromQueue(t *testing.T) {
	p, _, tk := setupProcessor(t)
	mustProcess(t, p, testdata(t, "contact_message_received.json"))
	ev := inbound(edited(t, "conversation_closed.json", map[string]any{"content.conversationId": nil}))
	// The Handler refuses such an event; parseEnvelope is lenient about a queued one.
	if err := p.Process(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if tk.isOpen(convID) {
		t.Error("the ticket is still open")
	}
}

// TestDuplicateDelivery runs a redelivered webhook through the Handler, the queue and
// the Processor: the customer's message reaches the ticket once, and Gladly is read once.
func TestDuplicateDelivery(t *testing.T) {
	p, f, tk := setupProcessor(t)
	q := newFakeQueue()
	h := newTestHandler(t, q, nil)
	body := testdata(t, "contact_message_received.json")
	for range 3 {
		if w := serve(h, newRequest(body)); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	if err := q.drain(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if len(tk.all()) != 1 || len(tk.texts(convID)) != 1 {
		t.Errorf("opened %d, transcript %q", len(tk.all()), tk.texts(convID))
	}
	if n := len(f.Calls()); n != 2 {
		t.Errorf("calls = %v, want the item and the profile once", f.Called())
	}
}

// TestStory runs a conversation through: a message opens a ticket, the agent's reply
// answers it, a second message is relayed, and the hand-off sends it to the Handoff
// inbox, whose assignee event then finds the ticket closed already.
func TestStory(t *testing.T) {
	p, f, tk := setupProcessor(t)
	q := newFakeQueue()
	h := newTestHandler(t, q, nil)
	ctx := context.Background()
	deliver := func(body string) {
		t.Helper()
		if w := serve(h, newRequest(body)); w.Code != http.StatusOK {
			t.Fatalf("status %d (%s)", w.Code, w.Body)
		}
		if err := q.drain(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	deliver(testdata(t, "contact_message_received.json"))
	f.SetItems(convID, chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi! My e-bike order #A-3301 has not shipped yet."))
	open := tk.open(convID)
	if open == nil {
		t.Fatal("no ticket opened")
	}
	ticket := *open

	f.Reset()
	if err := p.api.Deliver(ctx, &ticket, agentMessage("It ships today."), "T1/m1"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, f, listItems, replyTo(firstItem, `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"It ships today."}}`))

	f.SetItems(convID,
		chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi! My e-bike order #A-3301 has not shipped yet."),
		chatItem(olderItem, "CUSTOMER", "2026-11-21T09:16:40.800Z", "It was due on Monday."))
	deliver(edited(t, "contact_message_received.json", map[string]any{"id": "eN2", "content.messageId": olderItem,
		"content.context.assignee.agentId": botAgent}))
	if got := tk.texts(convID); len(got) != 2 {
		t.Fatalf("transcript %q", got)
	}

	// Live Chat Control → hand off: the service closes the ticket, then tells the Client.
	if _, err := tk.HandBack(ctx, ticket.ID, tickets.Agent{ID: "UALICE", Name: "Alice"}, ""); err != nil {
		t.Fatal(err)
	}
	f.Reset()
	if err := p.api.Deliver(ctx, &ticket, tickets.Outbound{Kind: tickets.OutHandedBack}, "T1/closed"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, f, wantCall{http.MethodPatch, "/conversations/" + convID,
		`{"assignee":{"inboxId":"` + handoffInbox + `","agentId":null},"status":{"value":"OPEN","force":true}}`})
	deliver(edited(t, "conversation_assignee_updated.json", map[string]any{"id": "eN3",
		"content.assignee": map[string]any{"inboxId": handoffInbox}}))
	if got := tk.all(); len(got) != 1 || !got[0].HandedBack || !reflect.DeepEqual(tk.closed(), []string{"handed back to gladly"}) {
		t.Errorf("tickets %d, closed %q", len(got), tk.closed())
	}
}

func TestNewProcessor(t *testing.T) {
	c, f := setup(t, nil)
	o := testOptions(f.BaseURL())
	tk := newTicketsFor(t, c).Service
	if _, err := newProcessor(o, nil, tk, nil); err == nil {
		t.Error("newProcessor took no client")
	}
	if _, err := newProcessor(o, c, nil, nil); err == nil {
		t.Error("newProcessor took no ticket service")
	}
	if _, err := newProcessor(o, c, tk, nil); err != nil {
		t.Errorf("newProcessor with a nil logger: %v", err)
	}
}
