package webhooktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
)

const secret = "signing-secret-0123456789"

// callback POSTs body to the chatbot as Frontdesk does, signed at ts with key, and
// returns the status (0 when none came).
func callback(t *testing.T, bot *webhooktest.Chatbot, key string, ts time.Time, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, bot.CallbackURL()+"?src=test", bytes.NewBufferString(body))
	sec := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Frontdesk-Timestamp", sec)
	req.Header.Set("X-Frontdesk-Signature", webhooktest.Sign(key, sec, []byte(body)))
	var ev struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal([]byte(body), &ev)
	req.Header.Set("Idempotency-Key", ev.EventID)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

const accepted = `{"type":"LIVE_CHAT_ACCEPTED","event_id":"7/1700000000000-0","ticket":135,"member":"64f1c0ffee0a1b2c3d4e5f60",` +
	`"channel":"whatsapp-852","app":"acme-support-bot","text":"You are now chatting with Alice.","agent":{"name":"Alice"}}`

// TestChatbot_Checks: a callback signed as docs/webhook.md says is taken and recorded;
// a bad signature, an old timestamp or a body that is not an object is refused and
// counted.
func TestChatbot_Checks(t *testing.T) {
	bot := webhooktest.New(secret)
	defer bot.Close()
	if code := callback(t, bot, secret, time.Now(), accepted); code != http.StatusOK {
		t.Fatalf("a good callback = %d", code)
	}
	for name, c := range map[string]struct {
		key  string
		ts   time.Time
		body string
		want int
	}{
		"WrongSecret": {"other-secret-0123456789", time.Now(), accepted, 401},
		"Stale":       {secret, time.Now().Add(-6 * time.Minute), accepted, 401},
		"Future":      {secret, time.Now().Add(6 * time.Minute), accepted, 401},
		"NotObject":   {secret, time.Now(), `[1,2]`, 400},
	} {
		if code := callback(t, bot, c.key, c.ts, c.body); code != c.want {
			t.Errorf("%s = %d, want %d", name, code, c.want)
		}
	}
	if got, want := bot.Problems(), (webhooktest.Problems{BadSignature: 3, BadBody: 1}); got != want {
		t.Errorf("Problems = %+v, want %+v", got, want)
	}
	evs := bot.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events recorded, want 1", len(evs))
	}
	e := evs[0]
	if e.Type != "LIVE_CHAT_ACCEPTED" || e.EventID != "7/1700000000000-0" || e.Ticket != 135 || e.Member != "64f1c0ffee0a1b2c3d4e5f60" ||
		e.Channel != "whatsapp-852" || e.App != "acme-support-bot" || e.Text != "You are now chatting with Alice." ||
		e.Path != webhooktest.CallbackPath || e.Query != "src=test" || e.Method != http.MethodPost || !e.OK() ||
		e.Key != e.EventID || e.Fields["agent"].(map[string]any)["name"] != "Alice" {
		t.Errorf("recorded %+v", e)
	}
	if bot.AcceptedAt(135).IsZero() || bot.Counts()["LIVE_CHAT_ACCEPTED"] != 1 || bot.Connections() == 0 {
		t.Errorf("AcceptedAt %v, Counts %v, Connections %d", bot.AcceptedAt(135), bot.Counts(), bot.Connections())
	}
}

// TestChatbot_FailsOnDemand: FailNext's statuses come first, then FailWith's rule;
// Delivered lists each event once, as taken.
func TestChatbot_FailsOnDemand(t *testing.T) {
	bot := webhooktest.New(secret)
	defer bot.Close()
	bot.FailNext(http.StatusBadGateway)
	bot.FailWith(func(e webhooktest.Event) int {
		if e.Type == "AGENT_MESSAGE" {
			return http.StatusServiceUnavailable
		}
		return 0
	})
	msg := `{"type":"AGENT_MESSAGE","event_id":"7/1700000000000-1","ticket":135,"text":"hello"}`
	var got []int
	for _, body := range []string{accepted, accepted, msg, accepted} {
		got = append(got, callback(t, bot, secret, time.Now(), body))
	}
	if want := []int{502, 200, 503, 200}; !slices.Equal(got, want) {
		t.Errorf("answers %v, want %v", got, want)
	}
	if d := bot.Delivered(""); len(d) != 1 || d[0].Type != "LIVE_CHAT_ACCEPTED" {
		t.Errorf("Delivered = %+v, want the acceptance once", d)
	}
	if keys := bot.Attempts("7/1700000000000-0"); len(keys) != 3 {
		t.Errorf("Attempts = %q, want 3", keys)
	}
	if _, ok := bot.Await(50*time.Millisecond, func(e webhooktest.Event) bool { return e.Type == "AGENT_MESSAGE" }); ok {
		t.Error("Await found an event the chatbot refused")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		bot.FailWith(nil)
		callback(t, bot, secret, time.Now(), msg)
	}()
	if e, ok := bot.Await(5*time.Second, func(e webhooktest.Event) bool { return e.Type == "AGENT_MESSAGE" }); !ok || e.Text != "hello" {
		t.Errorf("Await = %+v, %v", e, ok)
	}
}

// TestChatbot_Delay: a held answer outlasts a client's timeout, and Close does not wait
// for it.
func TestChatbot_Delay(t *testing.T) {
	bot := webhooktest.New(secret)
	bot.SetDelay(time.Hour)
	hc := &http.Client{Timeout: 50 * time.Millisecond}
	req, _ := http.NewRequest(http.MethodPost, bot.CallbackURL(), bytes.NewBufferString(accepted))
	sec := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Frontdesk-Timestamp", sec)
	req.Header.Set("X-Frontdesk-Signature", webhooktest.Sign(secret, sec, []byte(accepted)))
	if _, err := hc.Do(req); err == nil {
		t.Error("the held answer came in time")
	}
	closed := make(chan struct{})
	go func() { bot.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the held answer")
	}
	if p := bot.Problems(); p.BadKey != 1 {
		t.Errorf("Problems = %+v, want the missing Idempotency-Key counted", p)
	}
}

// TestChatbot_WithoutRecords: counts are kept, the attempts are not; OnEvent sees each.
func TestChatbot_WithoutRecords(t *testing.T) {
	var seen atomic.Int32
	bot := webhooktest.New(secret, webhooktest.WithoutRecords(), webhooktest.OnEvent(func(e webhooktest.Event) {
		seen.Add(1)
	}))
	defer bot.Close()
	callback(t, bot, secret, time.Now(), accepted)
	if len(bot.Events()) != 0 || bot.Counts()["LIVE_CHAT_ACCEPTED"] != 1 || bot.AcceptedAt(135).IsZero() || seen.Load() != 1 {
		t.Errorf("events %d, counts %v, accepted %v, seen %d", len(bot.Events()), bot.Counts(), bot.AcceptedAt(135), seen.Load())
	}
}

// TestSend: the chatbot's events go to Path with its token, as JSON.
func TestSend(t *testing.T) {
	var got *http.Request
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"ticket":1,"status":"pending"}`))
	}))
	defer srv.Close()
	a, err := webhooktest.Send(context.Background(), nil, srv.URL, "chatbot-token-0123456789",
		map[string]any{"type": "LIVE_CHAT_REQUEST", "member": "m-1", "channel": "wa", "app": "bot"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != http.StatusAccepted || a.Body["ticket"] != 1.0 || a.Header.Get("Retry-After") != "3" {
		t.Errorf("answer %+v", a)
	}
	if got.URL.Path != webhooktest.Path || got.Header.Get("Authorization") != "Bearer chatbot-token-0123456789" ||
		got.Header.Get("Content-Type") != "application/json" || body["type"] != "LIVE_CHAT_REQUEST" {
		t.Errorf("sent %s %v %v", got.URL.Path, got.Header, body)
	}
}
