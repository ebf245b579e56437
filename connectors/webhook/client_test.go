package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	testSecret = "whsec_9fJ2kQx7Lp3Rt"
	// testPrefix is the path the chatbot serves its callback under: the client must keep
	// it (and the query) as given.
	testPrefix = "/api-v3/hooks"
)

// setup starts a fake chatbot (webhooktest) and returns a Client pointed at
// testPrefix+"/frontdesk?src=test" on it: the client must keep the path and query as
// given. The test fails on a request outside that URL and on anything the chatbot holds
// against Frontdesk (a bad signature or body, an Idempotency-Key that is not the
// event_id).
func setup(t *testing.T, cfg ClientConfig) (*Client, *webhooktest.Chatbot) {
	t.Helper()
	bot := webhooktest.New(testSecret)
	t.Cleanup(func() {
		bot.Close()
		if p := bot.Problems(); p != (webhooktest.Problems{}) {
			t.Errorf("the chatbot's problems: %+v", p)
		}
		for _, e := range bot.Events() {
			if e.Method != http.MethodPost || e.Path != testPrefix+"/frontdesk" || e.Query != "src=test" {
				t.Errorf("request %s %s?%s, want POST %s/frontdesk?src=test", e.Method, e.Path, e.Query, testPrefix)
			}
		}
	})
	cfg.CallbackURL = bot.URL + testPrefix + "/frontdesk?src=test"
	cfg.SigningSecret = testSecret
	c, err := NewClient(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, bot
}

// testHeader checks a header of the attempt the chatbot got.
func testHeader(t *testing.T, e webhooktest.Event, header, want string) {
	t.Helper()
	if got := e.Header.Get(header); got != want {
		t.Errorf("header %s = %q, want %q", header, got, want)
	}
}

// testBody checks that the attempt's body holds the JSON value want.
func testBody(t *testing.T, e webhooktest.Event, want any) {
	t.Helper()
	var got any
	if err := json.Unmarshal(e.Body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", e.Body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %s\nwant   %v", e.Body, want)
	}
}

// testSigned checks the attempt's signature with Verify (the chatbot checked it as
// docs/webhook.md says), within a minute.
func testSigned(t *testing.T, e webhooktest.Event) {
	t.Helper()
	ts := e.Header.Get("X-Frontdesk-Timestamp")
	if err := Verify(testSecret, e.Header.Get("X-Frontdesk-Signature"), ts, e.Body, time.Now(), time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
}

// wantJSON reads testdata/name and edits the decoded value (nil values delete fields).
func wantJSON(t *testing.T, name string, edit map[string]any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(testdata(t, name)), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range edit {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func testTicket() *tickets.Ticket {
	return &tickets.Ticket{ID: "T135", Number: 135, Source: Source,
		ConversationID: conversationID("acme-support-bot", "whatsapp-852", "64f1c0ffee0a1b2c3d4e5f60")}
}

func TestClient_Deliver(t *testing.T) {
	alice := &tickets.Agent{ID: "U0ALICE", Name: "Alice"}
	msg := func(atts ...tickets.Attachment) *tickets.Message {
		return &tickets.Message{ID: "m7", Direction: tickets.FromAgent, Author: *alice,
			Text: "Could you restart it and tell me which lights are on?", Attachments: atts}
	}
	guide := tickets.Attachment{URL: "https://files.example.com/guide.pdf", Name: "guide.pdf", MIME: "application/pdf", Size: 48213}
	accepted := "Hi, Alice from the Technical Team here. How can I help?"
	tests := []struct {
		name string
		out  tickets.Outbound
		key  string
		want map[string]any
	}{
		{"Accepted", tickets.Outbound{Kind: tickets.OutAccepted, Text: accepted, Agent: alice}, "ev-1700000000000-0",
			wantJSON(t, "out_accepted.json", nil)},
		{"AcceptedAgentHidden", tickets.Outbound{Kind: tickets.OutAccepted, Text: accepted}, "ev-1700000000000-0",
			wantJSON(t, "out_accepted.json", map[string]any{"agent": nil})},
		{"AcceptedAgentWithoutName", tickets.Outbound{Kind: tickets.OutAccepted, Text: accepted, Agent: &tickets.Agent{ID: "U0ALICE"}}, "ev-1700000000000-0",
			wantJSON(t, "out_accepted.json", map[string]any{"agent": nil})},
		{"AgentMessage", tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(guide), Agent: alice}, "T135/m7",
			wantJSON(t, "out_agent_message.json", nil)},
		{"AgentMessageAgentHidden", tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(guide)}, "T135/m7",
			wantJSON(t, "out_agent_message.json", map[string]any{"agent": nil})},
		{"AgentMessageNoAttachments", tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(), Agent: alice}, "T135/m7",
			wantJSON(t, "out_agent_message.json", map[string]any{"attachments": []any{}})},
		{"AgentMessageLinkOnly", tickets.Outbound{Kind: tickets.OutMessage, Message: &tickets.Message{ID: "m7", Attachments: []tickets.Attachment{{URL: guide.URL}}}}, "T135/m7",
			wantJSON(t, "out_agent_message.json", map[string]any{"agent": nil, "text": "", "attachments": []any{map[string]any{"url": guide.URL}}})},
		{"Transferred", tickets.Outbound{Kind: tickets.OutTransferred, Team: tickets.Team{ChannelID: "C0BILLING", Label: "Billing Team"}}, "ev-1700000000000-2",
			wantJSON(t, "out_transferred.json", nil)},
		{"Ended", tickets.Outbound{Kind: tickets.OutEnded, Text: "This chat has ended. Thanks for talking to us!", Agent: alice}, "ev-1700000000000-3",
			wantJSON(t, "out_ended.json", nil)},
		{"EndedWithRatingQuestion", tickets.Outbound{Kind: tickets.OutEnded, Text: "This chat has ended. Thanks for talking to us!", RatingQuestion: "Rate us 1-5"}, "ev-1700000000000-3",
			wantJSON(t, "out_ended.json", map[string]any{"rating_question": "Rate us 1-5"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, bot := setup(t, ClientConfig{})
			bot.FailWith(func(webhooktest.Event) int { return http.StatusNoContent })
			tt.out.At = time.Now()
			if err := c.Deliver(context.Background(), testTicket(), tt.out, tt.key); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			got := bot.Events()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			testHeader(t, got[0], "Content-Type", "application/json")
			testHeader(t, got[0], "Idempotency-Key", tt.key)
			testHeader(t, got[0], "User-Agent", userAgent)
			testBody(t, got[0], tt.want)
			testSigned(t, got[0])
		})
	}
}

// TestClient_Refused: what this source cannot be told fails for good, without a request.
func TestClient_Refused(t *testing.T) {
	other := testTicket()
	other.ConversationID = "chatra-chat-42"
	tests := []struct {
		name string
		t    *tickets.Ticket
		out  tickets.Outbound
		key  string
	}{
		{"HandedBack", testTicket(), tickets.Outbound{Kind: tickets.OutHandedBack}, "k"},
		{"UnknownKind", testTicket(), tickets.Outbound{Kind: "poked"}, "k"},
		{"MessageWithoutMessage", testTicket(), tickets.Outbound{Kind: tickets.OutMessage, Text: "hi"}, "k"},
		{"NotAWebhookConversation", other, tickets.Outbound{Kind: tickets.OutEnded}, "k"},
		{"NoTicket", nil, tickets.Outbound{Kind: tickets.OutEnded}, "k"},
		{"NoKey", testTicket(), tickets.Outbound{Kind: tickets.OutEnded}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, bot := setup(t, ClientConfig{})
			err := c.Deliver(context.Background(), tt.t, tt.out, tt.key)
			if !tickets.IsPermanent(err) {
				t.Errorf("Deliver = %v, want a permanent error", err)
			}
			if n := len(bot.Events()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
		})
	}
	var src tickets.Source = &Client{}
	if _, ok := src.(tickets.HandBacker); ok {
		t.Error("Client is a tickets.HandBacker: the chatbot cannot take chats back")
	}
}

// outcome is what an error from Deliver tells the outbox to do.
type outcome struct {
	permanent bool
	after     time.Duration // a RetryAfterError's pause, 0 for none
	ok        bool
}

func outcomeOf(err error) outcome {
	d, _ := tickets.RetryAfter(err)
	return outcome{permanent: tickets.IsPermanent(err), after: d, ok: err == nil}
}

// TestClient_NetworkErrors: no answer is transient, and the error does not quote the
// callback URL (it may carry a secret).
func TestClient_NetworkErrors(t *testing.T) {
	t.Run("Refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + "/hook?key=q-secret-123"
		srv.Close()
		c, err := NewClient(ClientConfig{CallbackURL: url, SigningSecret: testSecret}, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutEnded, At: time.Now()}, "k1")
		if got := outcomeOf(err); got != (outcome{}) {
			t.Errorf("Deliver = %v: %+v, want transient", err, got)
		}
		if strings.Contains(err.Error(), "q-secret-123") {
			t.Errorf("error quotes the URL: %v", err)
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		c, bot := setup(t, ClientConfig{Timeout: 50 * time.Millisecond})
		bot.SetDelay(time.Hour) // never answers in time
		err := c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutEnded, At: time.Now()}, "k1")
		if got := outcomeOf(err); got != (outcome{}) {
			t.Errorf("Deliver = %v: %+v, want transient", err, got)
		}
	})
}

// TestClient_RetryFor: a transient failure is permanent once RetryFor has passed since
// the event happened.
func TestClient_RetryFor(t *testing.T) {
	tests := []struct {
		name     string
		retryFor time.Duration
		status   int
		age      time.Duration // how long ago the event happened; 0: At unset
		want     outcome
	}{
		{"FreshServerError", 0, 503, time.Minute, outcome{}},
		{"OldServerError", 0, 503, 61 * time.Minute, outcome{permanent: true}},
		{"NoTimeServerError", 0, 503, 0, outcome{}},
		{"OldRateLimited", 0, 429, 2 * time.Hour, outcome{permanent: true, after: time.Second}},
		{"FreshRateLimited", 0, 429, time.Minute, outcome{after: time.Second}},
		{"ShortRetryFor", time.Minute, 500, 2 * time.Minute, outcome{permanent: true}},
		{"OldSuccess", 0, 200, 5 * time.Hour, outcome{ok: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, bot := setup(t, ClientConfig{RetryFor: tt.retryFor})
			bot.FailNext(tt.status)
			out := tickets.Outbound{Kind: tickets.OutMessage, Message: &tickets.Message{ID: "m1", Text: "hi"}}
			if tt.age != 0 {
				out.At = time.Now().Add(-tt.age)
			}
			err := c.Deliver(context.Background(), testTicket(), out, "T135/m1")
			if got := outcomeOf(err); got != tt.want {
				t.Errorf("Deliver = %v: %+v, want %+v", err, got, tt.want)
			}
			if n := len(bot.Events()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// TestClient_SameKeyOnRetry: every attempt at an event carries the same Idempotency-Key
// and event_id, each freshly signed.
func TestClient_SameKeyOnRetry(t *testing.T) {
	c, bot := setup(t, ClientConfig{})
	bot.FailNext(http.StatusBadGateway, http.StatusBadGateway)
	out := tickets.Outbound{Kind: tickets.OutAccepted, Text: "hi", At: time.Now()}
	var err error
	for range 3 {
		if err = c.Deliver(context.Background(), testTicket(), out, "ev-9"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	var keys, ids []string
	for _, e := range bot.Events() {
		testSigned(t, e)
		keys, ids = append(keys, e.Key), append(ids, e.EventID)
	}
	want := []string{"ev-9", "ev-9", "ev-9"}
	if !reflect.DeepEqual(keys, want) || !reflect.DeepEqual(ids, want) {
		t.Errorf("keys %v, event ids %v, want %v", keys, ids, want)
	}
}

func TestNewClient(t *testing.T) {
	tests := []struct {
		name string
		cfg  ClientConfig
		ok   bool
	}{
		{"OK", ClientConfig{CallbackURL: "https://bot.example.com/frontdesk", SigningSecret: testSecret}, true},
		{"HTTP", ClientConfig{CallbackURL: "http://127.0.0.1:9000/cb", SigningSecret: testSecret}, true},
		{"NoURL", ClientConfig{SigningSecret: testSecret}, false},
		{"RelativeURL", ClientConfig{CallbackURL: "/frontdesk", SigningSecret: testSecret}, false},
		{"NoHost", ClientConfig{CallbackURL: "https:///frontdesk", SigningSecret: testSecret}, false},
		{"FTP", ClientConfig{CallbackURL: "ftp://bot.example.com/", SigningSecret: testSecret}, false},
		{"NoSecret", ClientConfig{CallbackURL: "https://bot.example.com/frontdesk"}, false},
		{"ShortSecret", ClientConfig{CallbackURL: "https://bot.example.com/frontdesk", SigningSecret: "whsec_short"}, false},
		{"NegativeRetryFor", ClientConfig{CallbackURL: "https://bot.example.com/", SigningSecret: testSecret, RetryFor: -time.Second}, false},
		{"NegativeTimeout", ClientConfig{CallbackURL: "https://bot.example.com/", SigningSecret: testSecret, Timeout: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (c.retryFor != time.Hour || c.timeout != 10*time.Second) {
				t.Errorf("defaults: retry for %s, timeout %s; want 1h and 10s", c.retryFor, c.timeout)
			}
		})
	}
	if err := (ClientConfig{}).Validate(); err == nil {
		t.Error("Validate of an empty config passed")
	}
}
