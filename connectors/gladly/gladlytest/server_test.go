package gladlytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
)

const (
	user  = "frontdesk-api@acme-bikes.example"
	token = "gld_tok_4Xq9LmR2vT8pWz"
)

// do sends a request to the fake with the API user's credentials, without following
// redirects, and returns the answer and its body.
func do(t *testing.T, method, url, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth(user, token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func newServer(t *testing.T) *gladlytest.Server {
	s := gladlytest.New(user, token)
	s.SetPrefix("/gladly-proxy")
	t.Cleanup(s.Close)
	at := time.Date(2026, 11, 21, 9, 14, 3, 0, time.UTC)
	s.AddConversation(gladlytest.Conversation("conv-1", "cust-1", "inbox-ai", at))
	s.AddProfile(gladlytest.Profile("cust-1", "Lena Vogel", "lena@example.org", at))
	s.SetItems("conv-1", gladlytest.ChatItem("conv-1", "cust-1", "item-1", "CUSTOMER", at.Format(time.RFC3339), "Hi!"))
	return s
}

// TestServer_Routes: each route answers as Gladly documents, and what the client changed
// shows.
func TestServer_Routes(t *testing.T) {
	s := newServer(t)
	api := s.BaseURL() + "/api/v1"
	if res, body := do(t, "GET", api+"/conversations/conv-1/items", ""); res.StatusCode != 200 || !strings.Contains(body, `"Hi!"`) {
		t.Errorf("items = %d %s", res.StatusCode, body)
	}
	if res, _ := do(t, "POST", api+"/conversation-items/item-1/reply", `{"content":{"type":"CHAT_MESSAGE","body":"On it"}}`); res.StatusCode != 201 {
		t.Errorf("reply = %d", res.StatusCode)
	}
	if res, _ := do(t, "POST", api+"/conversation-items/item-1/reply", `{"content":{"type":"CHAT_MESSAGE","body":"`+strings.Repeat("x", gladlytest.MaxReplyChars+1)+`"}}`); res.StatusCode != 400 {
		t.Errorf("a long reply = %d, want 400", res.StatusCode)
	}
	if res, _ := do(t, "PATCH", api+"/conversations/conv-1", `{"assignee":{"inboxId":"inbox-humans","agentId":null},"status":{"value":"OPEN","force":true}}`); res.StatusCode != 204 {
		t.Errorf("patch = %d", res.StatusCode)
	}
	if in := s.Conversation("conv-1")["inboxId"]; in != "inbox-humans" {
		t.Errorf("the conversation is in %v", in)
	}
	if res, _ := do(t, "POST", api+"/conversations/conv-1/notes", `{"content":{"body":"Handed off"}}`); res.StatusCode != 201 ||
		!strings.HasPrefix(res.Header.Get("Location"), "/api/v1/conversations/conv-1/notes/") {
		t.Errorf("note = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if got := s.Notes("conv-1"); len(got) != 1 || got[0] != "Handed off" {
		t.Errorf("notes %q", got)
	}
	if res, body := do(t, "GET", api+"/conversation-items/item-1/attachments/a1", ""); res.StatusCode != 400 || body != gladlytest.NoAttachmentsBody {
		t.Errorf("attachment of an item without = %d %s", res.StatusCode, body)
	}
	it := gladlytest.ChatItem("conv-1", "cust-1", "item-2", "CUSTOMER", "2026-11-21T09:15:00Z", "a file")
	it["content"].(map[string]any)["attachments"] = []any{map[string]any{"id": "a1", "contentType": "image/png"}}
	s.AddItem("conv-1", it)
	if res, _ := do(t, "GET", api+"/conversation-items/item-2/attachments/a1", ""); res.StatusCode != 303 || res.Header.Get("Location") != gladlytest.DownloadURL("a1") {
		t.Errorf("attachment = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	s.SetDownload("a1", "http://files.example/a1")
	if res, _ := do(t, "GET", api+"/conversation-items/item-2/attachments/a1", ""); res.Header.Get("Location") != "http://files.example/a1" {
		t.Errorf("attachment sends to %s", res.Header.Get("Location"))
	}
	s.Move("cust-1", `{"errors":[{"code":"moved","meta":{"old":"cust-1","new":"cust-2"}}]}`, "")
	if res, _ := do(t, "GET", api+"/customer-profiles/cust-1", ""); res.StatusCode != 301 {
		t.Errorf("a merged customer = %d", res.StatusCode)
	}
	if got := s.Called(); len(got) != 9 || got[0] != "GET /conversations/conv-1/items" {
		t.Errorf("calls %q", got)
	}
	if strays := s.Strays(); len(strays) != 0 {
		t.Errorf("strays %q", strays)
	}
}

// TestServer_Refuses: credentials, the prefix and the routes are checked; failures on
// demand and the rate limit come before the route.
func TestServer_Refuses(t *testing.T) {
	s := newServer(t)
	req, _ := http.NewRequest("GET", s.BaseURL()+"/api/v1/conversations/conv-1", nil)
	req.SetBasicAuth(user, "wrong")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 401 {
		t.Errorf("bad credentials = %v %v", res, err)
	}
	if res, _ := do(t, "GET", s.URL+"/api/v1/conversations/conv-1", ""); res.StatusCode != 404 {
		t.Errorf("outside the prefix = %d", res.StatusCode)
	}
	if res, _ := do(t, "DELETE", s.BaseURL()+"/api/v1/conversations/conv-1", ""); res.StatusCode != 404 {
		t.Errorf("no such route = %d", res.StatusCode)
	}
	if n := len(s.Strays()); n != 3 {
		t.Errorf("%d strays, want 3: %q", n, s.Strays())
	}
	s.FailNext(gladlytest.Failure{On: "PATCH ", Status: 503})
	s.FailNext(gladlytest.Failure{Status: 429, RetryAfter: "7"})
	if res, _ := do(t, "GET", s.BaseURL()+"/api/v1/conversations/conv-1", ""); res.StatusCode != 429 || res.Header.Get("Retry-After") != "7" {
		t.Errorf("second failure first, for a GET = %d", res.StatusCode)
	}
	if res, _ := do(t, "PATCH", s.BaseURL()+"/api/v1/conversations/conv-1", `{}`); res.StatusCode != 503 {
		t.Errorf("PATCH = %d", res.StatusCode)
	}
	s.SetRateLimit(1)
	res, _ := do(t, "GET", s.BaseURL()+"/api/v1/conversations/conv-1", "")
	res2, _ := do(t, "GET", s.BaseURL()+"/api/v1/conversations/conv-1", "")
	limited := 0
	for _, r := range []*http.Response{res, res2} {
		if r.StatusCode == 429 {
			limited++
		}
	}
	if res.Header.Get("Ratelimit-Limit-Second") != "1" || s.TooMany() != limited {
		t.Errorf("rate limit: %d %d, %d over", res.StatusCode, res2.StatusCode, s.TooMany())
	}
}

// TestWebhook_Send: events go as Gladly's webhooks send them.
func TestWebhook_Send(t *testing.T) {
	var got *http.Request
	var ev map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		_ = json.NewDecoder(r.Body).Decode(&ev)
	}))
	defer srv.Close()
	at := time.Date(2026, 11, 21, 9, 14, 3, 512e6, time.UTC)
	h := gladlytest.Webhook{URL: srv.URL + "/connectors/gladly/webhook", Account: "acct-1", User: "u", Password: "p"}
	code, err := h.Send(context.Background(), gladlytest.MessageReceived("ev-1", "conv-1", "cust-1", "item-1", "inbox-ai", at))
	if err != nil || code != 200 {
		t.Fatalf("Send = %d, %v", code, err)
	}
	u, p, _ := got.BasicAuth()
	if got.Header.Get("X-Account-Identifier") != "acct-1" || u != "u" || p != "p" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	content := ev["content"].(map[string]any)
	if ev["type"] != "CONTACT/MESSAGE_RECEIVED" || ev["timestamp"] != "2026-11-21T09:14:03.512Z" || content["messageId"] != "item-1" ||
		content["context"].(map[string]any)["assignee"].(map[string]any)["inboxId"] != "inbox-ai" {
		t.Errorf("event %v", ev)
	}
}
