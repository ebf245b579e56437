package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeChatra is Chatra's REST API as far as Frontdesk uses it: POST /api/messages/.
type fakeChatra struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	sent []map[string]any
}

func newFakeChatra(t *testing.T) *fakeChatra {
	c := &fakeChatra{t: t}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/messages/" {
			t.Errorf("Chatra got %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Chatra.Simple pub-key:secret-key" {
			t.Errorf("Chatra got Authorization %q", got)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("Chatra got a bad body: %v", err)
		}
		c.mu.Lock()
		c.sent = append(c.sent, m)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"msg-1"}`))
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// expect waits for a message to visitor clientID whose text contains text.
func (c *fakeChatra) expect(clientID, text string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, m := range c.sent {
			if m["clientId"] == clientID && strings.Contains(m["text"].(string), text) {
				c.mu.Unlock()
				return m
			}
		}
		c.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("Chatra never got %q for %s; got %v", text, clientID, c.sent)
	return nil
}

const chatraToken = "chatra-hook-0123456789"

func chatraWebhook(t *testing.T, addr string, body string) int {
	t.Helper()
	res, err := http.Post("http://"+addr+"/connectors/chatra/webhook/"+chatraToken, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestChatra_Story: a website visitor's Chatra chat is answered from Slack.
func TestChatra_Story(t *testing.T) {
	t.Parallel()
	chatra := newFakeChatra(t)
	w := newWorld(t, map[string]string{
		"CHATRA_WEBHOOK_TOKEN": chatraToken, "CHATRA_PUBLIC_KEY": "pub-key", "CHATRA_SECRET_KEY": "secret-key",
		"CHATRA_AGENT_EMAIL": "team@example.com", "CHATRA_API_URL": chatra.srv.URL + "/api/",
		"CHATRA_GROUPS": "grp-billing=Billing",
	})
	addr := w.d.ln.Addr().String()
	if code := chatraWebhook(t, addr, `{"eventName":"chatStarted","client":{"id":"v-1","chatId":"c-1","displayedName":"Vera",
		"email":"vera@example.com","groupId":"grp-billing","info":{"plan":"pro"}},"agents":[],
		"messages":[{"id":"m-1","type":"client","message":"Hi, is my order shipped?"}]}`); code != http.StatusOK {
		t.Fatalf("chatStarted = %d", code)
	}
	card := w.billing.ExpectMessage("Ticket #1", "Vera", "Chatra", "Hi, is my order shipped?")
	dm := w.priya.ExpectDM("Ticket #1")
	if code := chatraWebhook(t, addr, `{"eventName":"chatStarted","client":{"id":"v-1"}}`); code != http.StatusOK {
		t.Fatalf("a repeated chatStarted = %d", code)
	}
	w.dan.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-vera")
	inbox.ExpectMessage("Live chat", "vera@example.com", "plan", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hi, is my order shipped?")
	chatra.expect("v-1", "You are now chatting with an agent")

	reply := w.dan.Post(inbox, "Yes, it left this morning")
	sent := chatra.expect("v-1", "Yes, it left this morning")
	if sent["agentEmail"] != "team@example.com" || sent["receivedFrom"] == nil {
		t.Errorf("sent %v: agent names are hidden, so the team identity answers, marked as ours", sent)
	}
	reply.ExpectReaction("white_check_mark")
	// Chatra echoes our message back, and the visitor answers.
	chatraWebhook(t, addr, `{"eventName":"chatFragment","client":{"id":"v-1"},"messages":[
		{"type":"agent","text":"Yes, it left this morning","receivedFrom":"`+sent["receivedFrom"].(string)+`"},
		{"id":"m-2","type":"client","text":"Great, thanks!"}]}`)
	inbox.ExpectMessage("Great, thanks!")
	// A colleague answers from Chatra's own app: Slack shows it, marked, and it is not sent back.
	chatraWebhook(t, addr, `{"eventName":"chatFragment","client":{"id":"v-1"},"agents":[{"id":"a-7","name":"Sam"}],
		"messages":[{"id":"m-3","type":"agent","agentId":"a-7","message":"Your tracking number is 123"}]}`)
	inbox.ExpectMessage("Your tracking number is 123")
	mirroredAs := ""
	for _, c := range w.sim.Calls("chat.postMessage") {
		if strings.Contains(c.Params["text"], "Your tracking number is 123") {
			mirroredAs = c.Params["username"]
		}
	}
	if mirroredAs != "Sam (in Chatra)" {
		t.Errorf("the Chatra agent's message was posted as %q, want \"Sam (in Chatra)\"", mirroredAs)
	}

	w.dan.Shortcut(reply, "live_chat_control")
	v := w.dan.ExpectView("Live Chat Control")
	w.dan.Submit(v, map[string]any{"lcc_action": "End the live chat"})
	card.ExpectUpdate("Closed by")
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	inbox.ExpectArchived()
	chatra.expect("v-1", "This chat has ended")
	chatra.mu.Lock()
	defer chatra.mu.Unlock()
	for _, m := range chatra.sent {
		if strings.Contains(m["text"].(string), "tracking number") {
			t.Errorf("the Chatra agent's own message was sent back to Chatra: %v", m)
		}
	}
}
