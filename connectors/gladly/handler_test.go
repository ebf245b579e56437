package gladly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// handledFixtures are the testdata files of the handled events, with their event ids.
var handledFixtures = map[string]string{
	"contact_message_received.json":      "eV1qXm7RTa3KwN9pLz2BcA",
	"message_received.json":              "eW5tNq2LRb8KxM4pVz6DcA",
	"conversation_closed.json":           "eX3rLm9QTc6KwP2nBz8FdA",
	"conversation_assignee_updated.json": "eY8kPn4RTd2LwQ7mCz3GdA",
	"conversation_status_updated.json":   "eZ2mQr6KTf9LwS3nDz7HdA",
}

// newTestHandler returns the handler mounted as cmd/frontdesk mounts it.
func newTestHandler(t *testing.T, q Queue, edit func(*Config)) http.Handler {
	t.Helper()
	cfg := testConfig("https://acme.us-1.gladly.com")
	if edit != nil {
		edit(&cfg)
	}
	h, err := newHandler(cfg, q, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("newHandler: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	return mux
}

// newRequest is a well-formed webhook delivery of body; edit it to break it.
func newRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Account-Identifier", testAccount)
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// assertJSON fails unless got and want hold the same JSON value.
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s, want %s", bytes.TrimSpace(got), want)
	}
}

func TestHandler_Authentication(t *testing.T) {
	const user, pass = "gladly-hooks", "w3bh00k-pa55-Xq9L"
	body := func(t *testing.T) string { return testdata(t, "contact_message_received.json") }
	tests := []struct {
		name  string
		basic bool
		edit  func(*http.Request)
		want  int
	}{
		{"Right", false, func(*http.Request) {}, http.StatusOK},
		{"MissingAccount", false, func(r *http.Request) { r.Header.Del("X-Account-Identifier") }, http.StatusUnauthorized},
		{"WrongAccount", false, func(r *http.Request) { r.Header.Set("X-Account-Identifier", "acct_guess") }, http.StatusUnauthorized},
		{"AccountPrefix", false, func(r *http.Request) { r.Header.Set("X-Account-Identifier", testAccount[:10]) }, http.StatusUnauthorized},
		{"AccountOtherCase", false, func(r *http.Request) { r.Header.Set("X-Account-Identifier", strings.ToUpper(testAccount)) }, http.StatusUnauthorized},
		{"BasicRight", true, func(r *http.Request) { r.SetBasicAuth(user, pass) }, http.StatusOK},
		{"BasicMissing", true, func(*http.Request) {}, http.StatusUnauthorized},
		{"BasicWrongPassword", true, func(r *http.Request) { r.SetBasicAuth(user, "guess") }, http.StatusUnauthorized},
		{"BasicWrongUser", true, func(r *http.Request) { r.SetBasicAuth("admin", pass) }, http.StatusUnauthorized},
		{"BasicEmpty", true, func(r *http.Request) { r.SetBasicAuth("", "") }, http.StatusUnauthorized},
		{"BasicRightWrongAccount", true, func(r *http.Request) {
			r.SetBasicAuth(user, pass)
			r.Header.Set("X-Account-Identifier", "acct_guess")
		}, http.StatusUnauthorized},
		{"BasicNotConfigured", false, func(r *http.Request) { r.SetBasicAuth("anyone", "anything") }, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := newFakeQueue()
			h := newTestHandler(t, q, func(c *Config) {
				if tc.basic {
					c.WebhookUser, c.WebhookPassword = user, pass
				}
			})
			r := newRequest(body(t))
			tc.edit(r)
			w := serve(h, r)
			if w.Code != tc.want {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tc.want, w.Body)
			}
			if tc.want != http.StatusUnauthorized {
				return
			}
			assertJSON(t, w.Body.Bytes(), `{"error":"unauthorized"}`)
			if n := len(q.queued()); n != 0 {
				t.Errorf("%d events queued by a refused request", n)
			}
			if got := w.Header().Get("WWW-Authenticate"); tc.basic != (got != "") {
				t.Errorf("WWW-Authenticate = %q", got)
			}
		})
	}
}

func TestHandler_Ping(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, nil)
	w := serve(h, newRequest(testdata(t, "ping.json")))
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200 (%s)", w.Code, w.Body)
	}
	assertJSON(t, w.Body.Bytes(), `{"ok":true}`)
	if len(q.queued()) != 0 {
		t.Error("PING was queued")
	}

	r := newRequest(testdata(t, "ping.json"))
	r.Header.Del("X-Account-Identifier")
	if w := serve(h, r); w.Code != http.StatusUnauthorized {
		t.Errorf("PING without the account header: status %d, want 401", w.Code)
	}
}

func TestHandler_Queues(t *testing.T) {
	for name, id := range handledFixtures {
		t.Run(name, func(t *testing.T) {
			q := newFakeQueue()
			h := newTestHandler(t, q, nil)
			body := testdata(t, name)
			w := serve(h, newRequest(body))
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200 (%s)", w.Code, w.Body)
			}
			assertJSON(t, w.Body.Bytes(), `{"queued":true}`)
			want := []tickets.Event{{Type: tickets.EventInbound, Source: Source, ConversationID: convID, Payload: body}}
			if got := q.queued(); !reflect.DeepEqual(got, want) {
				t.Errorf("queued %+v, want %+v", got, want)
			}
			if !q.seen[Source+"\x00"+id] {
				t.Errorf("not queued under event id %s", id)
			}
		})
	}
}

func TestHandler_Duplicate(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, nil)
	body := testdata(t, "contact_message_received.json")
	serve(h, newRequest(body))
	w := serve(h, newRequest(body))
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200 (%s)", w.Code, w.Body)
	}
	assertJSON(t, w.Body.Bytes(), `{"duplicate":true}`)
	if n := len(q.queued()); n != 1 {
		t.Errorf("%d events queued, want 1", n)
	}
}

func TestHandler_Ignored(t *testing.T) {
	for name, body := range map[string]string{
		"ConversationCreated": testdata(t, "conversation_created.json"),
		"AgentLoggedIn":       `{"id":"eA1","type":"AGENT_STATUS/LOGGED_IN","timestamp":"2026-11-21T08:00:00Z","initiator":{"id":"x","type":"AGENT"},"content":{"agentId":"x","occurredAt":"2026-11-21T08:00:00Z"}}`,
		"OddContent":          `{"id":"eA2","type":"TASK/CREATED","content":{"assignee":"not an object","conversationId":7}}`,
		"NoContent":           `{"id":"eA3","type":"CUSTOMER_PROFILE/UPDATED"}`,
		"AutomationMessage":   `{"id":"eA4","type":"AUTOMATION/MESSAGE_RECEIVED","content":{"sessionId":"s1"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			q := newFakeQueue()
			w := serve(newTestHandler(t, q, nil), newRequest(body))
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200 (%s)", w.Code, w.Body)
			}
			assertJSON(t, w.Body.Bytes(), `{"ignored":true}`)
			if len(q.queued()) != 0 {
				t.Error("an ignored event was queued")
			}
		})
	}
}

func TestHandler_Refused(t *testing.T) {
	msg := func(t *testing.T, fields map[string]any) string {
		return edited(t, "contact_message_received.json", fields)
	}
	tests := []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		error  string // "" to skip the check
	}{
		{"Get", func(t *testing.T) *http.Request {
			r := newRequest("")
			r.Method = http.MethodGet
			return r
		}, http.StatusMethodNotAllowed, "method_not_allowed"},
		{"TooLarge", func(t *testing.T) *http.Request {
			return newRequest(msg(t, map[string]any{"padding": strings.Repeat("x", maxBodyBytes)}))
		}, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"TooLargeUnannounced", func(t *testing.T) *http.Request {
			r := newRequest(msg(t, map[string]any{"padding": strings.Repeat("x", maxBodyBytes)}))
			r.ContentLength = -1
			return r
		}, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"NotJSON", func(t *testing.T) *http.Request { return newRequest("type=PING") }, http.StatusBadRequest, "malformed JSON"},
		{"Array", func(t *testing.T) *http.Request { return newRequest(`[{"type":"PING"}]`) }, http.StatusBadRequest, "must be a JSON object"},
		{"Trailing", func(t *testing.T) *http.Request { return newRequest(`{"type":"PING"} {}`) }, http.StatusBadRequest, "malformed JSON: data after the top-level value"},
		{"Empty", func(t *testing.T) *http.Request { return newRequest("") }, http.StatusBadRequest, "malformed JSON"},
		{"NoID", func(t *testing.T) *http.Request { return newRequest(msg(t, map[string]any{"id": nil})) }, http.StatusBadRequest, "the event has no id"},
		{"NoType", func(t *testing.T) *http.Request { return newRequest(msg(t, map[string]any{"type": nil})) }, http.StatusBadRequest, "the event has no type"},
		{"NumericID", func(t *testing.T) *http.Request { return newRequest(msg(t, map[string]any{"id": 42})) }, http.StatusBadRequest, "field id must be a string"},
		{"NoConversation", func(t *testing.T) *http.Request {
			return newRequest(msg(t, map[string]any{"content.conversationId": nil}))
		}, http.StatusBadRequest, "a CONTACT/MESSAGE_RECEIVED event needs content.conversationId"},
		{"NoContent", func(t *testing.T) *http.Request {
			return newRequest(edited(t, "conversation_closed.json", map[string]any{"content": nil}))
		}, http.StatusBadRequest, "a CONVERSATION/CLOSED event needs content"},
		{"ContentNotObject", func(t *testing.T) *http.Request {
			return newRequest(msg(t, map[string]any{"content": "cV8nRq3XTm5LwK2pJz9HaA"}))
		}, http.StatusBadRequest, "content: must be a JSON object"},
		{"ConversationNotString", func(t *testing.T) *http.Request {
			return newRequest(msg(t, map[string]any{"content.conversationId": 7}))
		}, http.StatusBadRequest, "content: field conversationId must be a string"},
		{"LongConversation", func(t *testing.T) *http.Request {
			return newRequest(msg(t, map[string]any{"content.conversationId": strings.Repeat("c", 257)}))
		}, http.StatusBadRequest, "the conversation id is longer than 256 bytes"},
		{"LongID", func(t *testing.T) *http.Request {
			return newRequest(msg(t, map[string]any{"id": strings.Repeat("e", 257)}))
		}, http.StatusBadRequest, "the event id is longer than 256 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := newFakeQueue()
			w := serve(newTestHandler(t, q, nil), tc.req(t))
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tc.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("answer %q: %v", w.Body, err)
			}
			if tc.error != "" && body.Error != tc.error {
				t.Errorf("error = %q, want %q", body.Error, tc.error)
			}
			if len(q.queued()) != 0 {
				t.Error("a refused request was queued")
			}
			if tc.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q", w.Header().Get("Allow"))
			}
		})
	}
}

func TestHandler_QueueErrors(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		body   string
	}{
		{errors.New("redis: connection refused"), http.StatusInternalServerError, `{"error":"internal"}`},
		{fmt.Errorf("%w: store: event id too long", tickets.ErrInvalid), http.StatusBadRequest, `{"error":"store: event id too long"}`},
	} {
		q := newFakeQueue()
		q.fail = tc.err
		w := serve(newTestHandler(t, q, nil), newRequest(testdata(t, "conversation_closed.json")))
		if w.Code != tc.status {
			t.Errorf("%v: status = %d, want %d", tc.err, w.Code, tc.status)
		}
		assertJSON(t, w.Body.Bytes(), tc.body)
	}
}

// TestHandler_Logs checks that no log line holds a secret or a request's body.
func TestHandler_Logs(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	q := newFakeQueue()
	cfg := testConfig("https://acme.gladly.com")
	cfg.WebhookUser, cfg.WebhookPassword = "gladly-hooks", "w3bh00k-pa55-Xq9L"
	h, err := newHandler(cfg, q, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	marker := "SECRET-CUSTOMER-TEXT"
	for _, edit := range []func(*http.Request){
		func(r *http.Request) { r.SetBasicAuth(cfg.WebhookUser, cfg.WebhookPassword) },
		func(r *http.Request) { r.SetBasicAuth(cfg.WebhookUser, "wrong-"+marker) },
	} {
		r := newRequest(edited(t, "contact_message_received.json", map[string]any{"content.note": marker}))
		edit(r)
		serve(h, r)
	}
	q.fail = errors.New("redis down")
	r := newRequest(edited(t, "conversation_closed.json", map[string]any{"content.note": marker}))
	r.SetBasicAuth(cfg.WebhookUser, cfg.WebhookPassword)
	serve(h, r)
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, e := range logs.All() {
		line := fmt.Sprint(e.Message, e.ContextMap())
		for _, secret := range []string{marker, testAccount, cfg.WebhookPassword} {
			if strings.Contains(line, secret) {
				t.Errorf("log line %q holds %q", line, secret)
			}
		}
	}
}

func TestNewHandler(t *testing.T) {
	if _, err := newHandler(testConfig("https://acme.gladly.com"), nil, nil); err == nil {
		t.Error("newHandler took no queue")
	}
	if _, err := newHandler(testConfig("https://acme.gladly.com"), newFakeQueue(), nil); err != nil {
		t.Errorf("newHandler with a nil logger: %v", err)
	}
}
