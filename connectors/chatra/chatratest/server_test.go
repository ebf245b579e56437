package chatratest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/chatra/chatratest"
)

// post sends body to the fake's messages/ with auth, and returns the status, the
// answer's headers and body.
func post(t *testing.T, s *chatratest.Server, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"messages/", strings.NewReader(body))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

const (
	auth = "Chatra.Simple pk_1:sk_1"
	good = `{"clientId":"v-1","text":"It left today.","agentEmail":"team@example.com","agentName":"Support","receivedFrom":"frontdesk"}`
)

// TestServer_TakesMessages: a message is answered with the new message and its id, and
// echoed back by the webhook Echo builds.
func TestServer_TakesMessages(t *testing.T) {
	s := chatratest.New("pk_1", "sk_1")
	defer s.Close()
	code, _, body := post(t, s, auth, good)
	var m chatratest.Message
	if err := json.Unmarshal([]byte(body), &m); err != nil || code != 200 || m.ID != chatratest.MessageID(1) ||
		m.Type != "agent" || m.ClientID != "v-1" || m.CreatedAt != chatratest.CreatedAt(1) || m.AgentID == "" {
		t.Fatalf("answer %d %s", code, body)
	}
	post(t, s, auth, good)
	if ids := s.IDs(); len(ids) != 2 || ids[1] != chatratest.MessageID(2) || s.Taken()[1].AgentID != m.AgentID {
		t.Errorf("ids %q, taken %+v: one agent per email", ids, s.Taken())
	}
	var echo map[string]any
	if err := json.Unmarshal([]byte(s.Echo(0, true)), &echo); err != nil {
		t.Fatal(err)
	}
	msg := echo["messages"].([]any)[0].(map[string]any)
	if echo["eventName"] != "chatFragment" || echo["client"].(map[string]any)["id"] != "v-1" || msg["id"] != m.ID ||
		msg["receivedFrom"] != "frontdesk" {
		t.Errorf("echo %v", echo)
	}
	if strings.Contains(s.Echo(0, false), "receivedFrom") {
		t.Error("an unmarked echo names receivedFrom")
	}
	if got, ok := s.Await(time.Second, func(m chatratest.Message) bool { return m.ID == chatratest.MessageID(2) }); !ok || got.Text != "It left today." {
		t.Errorf("Await = %+v, %v", got, ok)
	}
	if len(s.Strays()) != 0 {
		t.Errorf("strays %q", s.Strays())
	}
}

// TestServer_Refuses: what Chatra would not take is answered 4xx and listed; failures on
// demand come first.
func TestServer_Refuses(t *testing.T) {
	s := chatratest.New("pk_1", "sk_1")
	defer s.Close()
	s.SetPrefix("/proxy/api")
	for name, c := range map[string]struct {
		auth, body string
		want       int
	}{
		"WrongKeys":      {"Chatra.Simple pk_1:nope", good, 401},
		"UnknownField":   {auth, strings.Replace(good, `"clientId"`, `"agentId":"a","clientId"`, 1), 400},
		"TooLong":        {auth, strings.Replace(good, "It left today.", strings.Repeat("x", chatratest.MaxTextChars+1), 1), 400},
		"EmptyText":      {auth, strings.Replace(good, "It left today.", "", 1), 400},
		"NoReceivedFrom": {auth, strings.Replace(good, `"frontdesk"`, `""`, 1), 400},
	} {
		if code, _, _ := post(t, s, c.auth, c.body); code != c.want {
			t.Errorf("%s = %d, want %d", name, code, c.want)
		}
	}
	if n := len(s.Strays()); n != 5 {
		t.Errorf("%d strays, want 5: %q", n, s.Strays())
	}
	res, err := http.Post(s.URL+"/api/messages/", "application/json", strings.NewReader(good))
	if err != nil || res.StatusCode != 404 {
		t.Errorf("outside the prefix: %v %v", res, err)
	}
	s.FailAt(len(s.Requests())+2, chatratest.Failure{Status: 502})
	s.FailNext(chatratest.Failure{Status: 429, RetryAfter: "3"})
	code, h, _ := post(t, s, auth, good)
	if code != 429 || h.Get("Retry-After") != "3" || h.Get("Location") == "" {
		t.Errorf("first failure = %d %v", code, h)
	}
	if code, _, _ := post(t, s, auth, good); code != 502 {
		t.Errorf("failure at = %d", code)
	}
	s.SetAnswer(func(chatratest.Message) string { return `{}` })
	if code, _, body := post(t, s, auth, good); code != 200 || body != `{}` || len(s.Sent()) != 1 {
		t.Errorf("after the failures = %d %s, %d sent", code, body, len(s.Sent()))
	}
}

// TestSend: a webhook goes as JSON, without credentials.
func TestSend(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	body := chatratest.Webhook{EventName: "chatStarted", Client: chatratest.Client{ID: "v-1"},
		Messages: []chatratest.WebhookMessage{{ID: "m-1", Type: "client", Text: "Hi"}}}.JSON()
	code, answer, err := chatratest.Send(context.Background(), nil, srv.URL+"/connectors/chatra/webhook/tok", body)
	if err != nil || code != 200 || string(answer) != `{"ok":true}` {
		t.Fatalf("Send = %d %s %v", code, answer, err)
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("Authorization") != "" {
		t.Errorf("headers %v", got.Header)
	}
}

// TestServer_Delay: a held answer outlasts a client's timeout, and Close does not wait
// for it.
func TestServer_Delay(t *testing.T) {
	s := chatratest.New("pk_1", "sk_1")
	s.SetDelay(time.Hour)
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"messages/", strings.NewReader(good))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	if _, err := (&http.Client{Timeout: 50 * time.Millisecond}).Do(req); err == nil {
		t.Error("the held answer came in time")
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the held answer")
	}
}
