//go:build faults

package faults

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	hookToken  = "faults-chatbot-token-0123456789"
	hookSecret = "faults-signing-secret-0123456789"
	hookApp    = "faults-bot"
	hookLine   = "faults-line"
)

// attempt is one POST Frontdesk made to the chatbot's callback URL.
type attempt struct {
	at        time.Time
	status    int // what the chatbot answered
	typ       string
	eventID   string
	key       string // the Idempotency-Key header
	ticket    int64
	member    string
	text      string
	messageID string
}

func (a attempt) ok() bool { return a.status >= 200 && a.status < 300 }

// chatbot is the chatbot's callback endpoint: it checks every signature as
// docs/webhook.md says, records every attempt, and answers 200 unless fail says otherwise.
type chatbot struct {
	srv *httptest.Server

	mu       sync.Mutex
	attempts []attempt
	badSig   int
	badBody  int
	fail     func(a attempt) int // a status to answer instead of 200, or 0
}

func newChatbot(t *testing.T) *chatbot {
	c := &chatbot{}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *chatbot) url() string { return c.srv.URL + "/frontdesk/events" }

// failWith sets the rule for failing attempts (nil: take everything).
func (c *chatbot) failWith(f func(a attempt) int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = f
}

func (c *chatbot) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if !verified(r, body) {
		c.mu.Lock()
		c.badSig++
		c.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev struct {
		Type      string `json:"type"`
		EventID   string `json:"event_id"`
		Ticket    int64  `json:"ticket"`
		Member    string `json:"member"`
		Text      string `json:"text"`
		MessageID string `json:"message_id"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		c.mu.Lock()
		c.badBody++
		c.mu.Unlock()
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	a := attempt{at: time.Now(), status: http.StatusOK, typ: ev.Type, eventID: ev.EventID,
		key: r.Header.Get("Idempotency-Key"), ticket: ev.Ticket, member: ev.Member, text: ev.Text, messageID: ev.MessageID}
	c.mu.Lock()
	if c.fail != nil {
		if s := c.fail(a); s != 0 {
			a.status = s
		}
	}
	c.attempts = append(c.attempts, a)
	c.mu.Unlock()
	if !a.ok() {
		http.Error(w, "try again later", a.status)
		return
	}
	w.WriteHeader(a.status)
}

// verified checks the request as docs/webhook.md tells chatbots to: a timestamp within
// 5 minutes and sha256=hex(HMAC-SHA256(secret, timestamp + "." + raw body)).
func verified(r *http.Request, body []byte) bool {
	ts := r.Header.Get("X-Frontdesk-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(r.Header.Get("X-Frontdesk-Signature")), []byte(want))
}

// all returns every attempt so far, in arrival order.
func (c *chatbot) all() []attempt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]attempt(nil), c.attempts...)
}

// delivered returns the attempts of type typ answered 2xx, first one per event_id, in
// arrival order.
func (c *chatbot) delivered(typ string) []attempt {
	var out []attempt
	seen := map[string]bool{}
	for _, a := range c.all() {
		if a.typ == typ && a.ok() && !seen[a.eventID] {
			seen[a.eventID] = true
			out = append(out, a)
		}
	}
	return out
}

// problems counts the requests that failed the signature check or did not parse, and
// the attempts whose Idempotency-Key was not their event_id.
func (c *chatbot) problems() (badSig, badBody, badKey int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.attempts {
		if a.key != a.eventID || a.key == "" {
			badKey++
		}
	}
	return c.badSig, c.badBody, badKey
}
