package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	testSecret = "whsec_9fJ2kQ"
	// testPrefix is the path the chatbot serves its callback under: the client must keep
	// it (and the query) as given.
	testPrefix = "/api-v3/hooks"
)

// setup starts a chatbot's callback server and returns a Client pointed at
// testPrefix+"/frontdesk?src=test" on it, and the mux to register that path on (after
// the prefix is stripped). A request outside the prefix fails the test.
func setup(t *testing.T, cfg ClientConfig) (*Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	api.Handle(testPrefix+"/", http.StripPrefix(testPrefix, mux))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside %s: %s %s", testPrefix, r.Method, r.URL)
		http.Error(w, "not here", http.StatusNotFound)
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg.CallbackURL = srv.URL + testPrefix + "/frontdesk?src=test"
	cfg.SigningSecret = testSecret
	c, err := NewClient(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mux
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

func testHeader(t *testing.T, r *http.Request, header, want string) {
	t.Helper()
	if got := r.Header.Get(header); got != want {
		t.Errorf("header %s = %q, want %q", header, got, want)
	}
}

// testBody checks that the request's body holds the JSON value want, and returns it.
func testBody(t *testing.T, r *http.Request, want any) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	var got any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %s\nwant   %v", b, want)
	}
	return b
}

// testSigned checks the request's timestamp and signature, over body.
func testSigned(t *testing.T, r *http.Request, body []byte) {
	t.Helper()
	ts := r.Header.Get("X-Frontdesk-Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		t.Errorf("X-Frontdesk-Timestamp = %q, want unix seconds", ts)
	}
	if err := Verify(testSecret, r.Header.Get("X-Frontdesk-Signature"), ts, body, time.Now(), time.Minute); err != nil {
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
	guide := tickets.Attachment{URL: "https://files.example.com/guide.pdf", Name: "guide.pdf", MIME: "application/pdf"}
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
			c, mux := setup(t, ClientConfig{})
			calls := 0
			mux.HandleFunc("/frontdesk", func(w http.ResponseWriter, r *http.Request) {
				calls++
				testMethod(t, r, http.MethodPost)
				testHeader(t, r, "Content-Type", "application/json")
				testHeader(t, r, "Idempotency-Key", tt.key)
				testHeader(t, r, "User-Agent", userAgent)
				if q := r.URL.Query().Get("src"); q != "test" {
					t.Errorf("query src = %q, want test", q)
				}
				body := testBody(t, r, tt.want)
				testSigned(t, r, body)
				w.WriteHeader(http.StatusNoContent)
			})
			tt.out.At = time.Now()
			if err := c.Deliver(context.Background(), testTicket(), tt.out, tt.key); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if calls != 1 {
				t.Errorf("%d requests, want 1", calls)
			}
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
			c, mux := setup(t, ClientConfig{})
			mux.HandleFunc("/frontdesk", func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("unexpected request")
			})
			err := c.Deliver(context.Background(), tt.t, tt.out, tt.key)
			if !tickets.IsPermanent(err) {
				t.Errorf("Deliver = %v, want a permanent error", err)
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
		c, mux := setup(t, ClientConfig{Timeout: 50 * time.Millisecond})
		release := make(chan struct{})
		t.Cleanup(func() { close(release) }) // runs before the server closes
		mux.HandleFunc("/frontdesk", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			select { // never answers in time
			case <-r.Context().Done():
			case <-release:
			}
		})
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
			c, mux := setup(t, ClientConfig{RetryFor: tt.retryFor})
			attempts := 0
			mux.HandleFunc("/frontdesk", func(w http.ResponseWriter, r *http.Request) {
				attempts++
				w.WriteHeader(tt.status)
			})
			out := tickets.Outbound{Kind: tickets.OutMessage, Message: &tickets.Message{ID: "m1", Text: "hi"}}
			if tt.age != 0 {
				out.At = time.Now().Add(-tt.age)
			}
			err := c.Deliver(context.Background(), testTicket(), out, "T135/m1")
			if got := outcomeOf(err); got != tt.want {
				t.Errorf("Deliver = %v: %+v, want %+v", err, got, tt.want)
			}
			if attempts != 1 {
				t.Errorf("%d requests, want 1", attempts)
			}
		})
	}
}

// TestClient_SameKeyOnRetry: every attempt at an event carries the same Idempotency-Key
// and event_id, each freshly signed.
func TestClient_SameKeyOnRetry(t *testing.T) {
	c, mux := setup(t, ClientConfig{})
	var keys, ids []string
	mux.HandleFunc("/frontdesk", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		testSigned(t, r, b)
		var ev struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(b, &ev)
		keys, ids = append(keys, r.Header.Get("Idempotency-Key")), append(ids, ev.EventID)
		if len(keys) < 3 {
			w.WriteHeader(http.StatusBadGateway)
		}
	})
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
		{"OK", ClientConfig{CallbackURL: "https://bot.example.com/frontdesk", SigningSecret: "s"}, true},
		{"HTTP", ClientConfig{CallbackURL: "http://127.0.0.1:9000/cb", SigningSecret: "s"}, true},
		{"NoURL", ClientConfig{SigningSecret: "s"}, false},
		{"RelativeURL", ClientConfig{CallbackURL: "/frontdesk", SigningSecret: "s"}, false},
		{"NoHost", ClientConfig{CallbackURL: "https:///frontdesk", SigningSecret: "s"}, false},
		{"FTP", ClientConfig{CallbackURL: "ftp://bot.example.com/", SigningSecret: "s"}, false},
		{"NoSecret", ClientConfig{CallbackURL: "https://bot.example.com/frontdesk"}, false},
		{"NegativeRetryFor", ClientConfig{CallbackURL: "https://bot.example.com/", SigningSecret: "s", RetryFor: -time.Second}, false},
		{"NegativeTimeout", ClientConfig{CallbackURL: "https://bot.example.com/", SigningSecret: "s", Timeout: -time.Second}, false},
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
