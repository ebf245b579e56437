package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/gladly"
)

// fakeGladly is Gladly's REST API as far as Frontdesk uses it: one conversation per
// customer, their chat items, their profiles; it records what Frontdesk changes.
type fakeGladly struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	items map[string][]map[string]any // conversation → items, oldest first
	calls []string                    // "METHOD path body", in order
	files map[string]string           // attachment id → where Gladly's 303 sends its download
}

func newFakeGladly(t *testing.T) *fakeGladly {
	f := &fakeGladly{t: t, items: map[string][]map[string]any{}, files: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSONFake(w, map[string]any{"id": r.PathValue("id"), "customerId": "cust-" + r.PathValue("id"),
			"inboxId": "inbox-ai", "status": "OPEN"})
	})
	mux.HandleFunc("GET /api/v1/conversations/{id}/items", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSONFake(w, f.items[r.PathValue("id")])
	})
	mux.HandleFunc("GET /api/v1/conversation-items/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, its := range f.items {
			for _, it := range its {
				if it["id"] == r.PathValue("id") {
					writeJSONFake(w, it)
					return
				}
			}
		}
		http.Error(w, `{"errors":[{"code":"not_exist"}]}`, http.StatusNotFound)
	})
	mux.HandleFunc("GET /api/v1/customer-profiles/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSONFake(w, map[string]any{"id": r.PathValue("id"), "name": "Gus",
			"emails": []map[string]any{{"original": "gus@example.com"}}})
	})
	record := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path+" "+string(body))
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("POST /api/v1/conversation-items/{id}/reply", record)
	mux.HandleFunc("PATCH /api/v1/conversations/{id}", record)
	mux.HandleFunc("POST /api/v1/conversations/{id}/topics", record)
	// "Add Note": 201 with the note's Location; "Get Attachment": 303 to the file
	// (https://developer.gladly.com/rest/#operation/addNoteToConversation, #operation/getAttachment).
	mux.HandleFunc("POST /api/v1/conversations/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path+" "+string(body))
		f.mu.Unlock()
		w.Header().Set("Location", r.URL.Path+"/HVFDjpu1SCKJlDR7rRKkCQ")
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /api/v1/conversation-items/{id}/attachments/{att}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path+" ")
		to := f.files[r.PathValue("att")]
		f.mu.Unlock()
		if to == "" {
			http.Error(w, `{"errors":[{"code":"not_exist"}]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Location", to)
		w.WriteHeader(http.StatusSeeOther)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "bot@acme.example" || pass != "gladly-token" {
			t.Errorf("Gladly got %s %s without the API user's credentials", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSONFake(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// customerSays adds a customer chat item to conversation conv and returns its id.
func (f *fakeGladly) customerSays(conv, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := fmt.Sprintf("item-%s-%d", conv, len(f.items[conv])+1)
	f.items[conv] = append(f.items[conv], map[string]any{
		"id": id, "conversationId": conv, "customerId": "cust-" + conv,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"initiator": map[string]any{"id": "cust-" + conv, "type": "CUSTOMER"},
		"content":   map[string]any{"type": "CHAT_MESSAGE", "content": text},
	})
	return id
}

// expect waits for a recorded call containing every one of want.
func (f *fakeGladly) expect(want ...string) string {
	f.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, c := range f.calls {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(c, w)
			}
			if ok {
				f.mu.Unlock()
				return c
			}
		}
		f.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatalf("Gladly never got %q; got %q", want, f.calls)
	return ""
}

// gladlyEvent POSTs a webhook event as Gladly would and returns the status.
func gladlyEvent(t *testing.T, addr, account, typ, conv, item string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"id": "ev-" + item, "type": typ, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"content": map[string]any{"channel": "CHAT", "conversationId": conv, "customerId": "cust-" + conv,
			"messageId": item, "context": map[string]any{"assignee": map[string]any{"inboxId": "inbox-ai"}}},
	})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+gladly.Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Account-Identifier", account)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func gladlyVars(f *fakeGladly, sla string) map[string]string {
	return map[string]string{
		"GLADLY_BASE_URL": f.srv.URL, "GLADLY_AGENT_EMAIL": "bot@acme.example", "GLADLY_API_TOKEN": "gladly-token",
		"GLADLY_AGENT_ID": "agent-bot", "GLADLY_AI_INBOX_ID": "inbox-ai", "GLADLY_HANDOFF_INBOX_ID": "inbox-humans",
		"GLADLY_ACCOUNT_ID": "acct-secret-1", "GLADLY_SLA": sla,
	}
}

// TestGladly_Story: a conversation in Gladly's AI inbox is worked from Slack and handed off.
func TestGladly_Story(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "0"))
	addr := w.d.ln.Addr().String()
	item := g.customerSays("conv-1", "My parcel never arrived")
	if code := gladlyEvent(t, addr, "wrong", "CONTACT/MESSAGE_RECEIVED", "conv-1", item); code != http.StatusUnauthorized {
		t.Fatalf("wrong X-Account-Identifier = %d, want 401", code)
	}
	for range 2 { // a repeated delivery changes nothing twice
		if code := gladlyEvent(t, addr, "acct-secret-1", "CONTACT/MESSAGE_RECEIVED", "conv-1", item); code != http.StatusOK {
			t.Fatalf("message event = %d", code)
		}
	}
	card := w.support.ExpectMessage("Ticket #1", "Gus", "My parcel never arrived")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	inbox.ExpectMessage("Live chat", "gus@example.com", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("My parcel never arrived")
	g.expect("POST /api/v1/conversation-items/"+item+"/reply", "You are now chatting with an agent")

	later := g.customerSays("conv-1", "Any news?")
	gladlyEvent(t, addr, "acct-secret-1", "CONTACT/MESSAGE_RECEIVED", "conv-1", later)
	inbox.ExpectMessage("Any news?")
	reply := w.alice.Post(inbox, "It is on its way")
	g.expect("POST /api/v1/conversation-items/"+later+"/reply", "It is on its way")
	reply.ExpectReaction("white_check_mark")

	w.alice.Shortcut(reply, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(v, map[string]any{"lcc_action": "Hand back to Gladly"}); len(ack.Errors()) > 0 {
		t.Fatalf("hand-off refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by", "handed back to gladly")
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("handed the chat back to Gladly")
	inbox.ExpectArchived()
	patch := g.expect("PATCH /api/v1/conversations/conv-1")
	var body map[string]any
	if err := json.Unmarshal([]byte(patch[strings.Index(patch, "{"):]), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"assignee": map[string]any{"inboxId": "inbox-humans", "agentId": nil},
		"status": map[string]any{"value": "OPEN", "force": true}}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("hand-off PATCH = %v, want %v", body, want)
	}
}

// TestGladly_SLAHandsOffUnpicked: nobody picks within GLADLY_SLA; the conversation goes
// to Gladly's human inbox and the card says so.
func TestGladly_SLAHandsOffUnpicked(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "1s"))
	addr := w.d.ln.Addr().String()
	item := g.customerSays("conv-9", "Hello?")
	gladlyEvent(t, addr, "acct-secret-1", "CONTACT/MESSAGE_RECEIVED", "conv-9", item)
	card := w.support.ExpectMessage("Ticket #1", "Gus")
	dm := w.priya.ExpectDM("Ticket #1")
	card.ExpectUpdate("no one picked it within 1s", "handed back to gladly")
	dm.ExpectUpdate("no one picked it")
	g.expect("PATCH /api/v1/conversations/conv-9", `"inboxId":"inbox-humans"`)
}
