package gladly

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// call is one request the fake Gladly took.
type call struct {
	Method, Path string
	Body         string
}

func (c call) String() string { return c.Method + " " + c.Path }

// failure is an answer the fake gives instead of the real one: to the next request, or
// to the next one whose "METHOD path" (under /api/v1) has prefix on.
type failure struct {
	on         string
	status     int
	retryAfter string
	body       string
}

// fakeGladly is Gladly's REST API as far as Frontdesk uses it, under testPrefix. It
// checks the API user's Basic credentials on every request, serves the conversations,
// items and customer profiles it holds, records every request with its body, and
// answers failures on demand.
type fakeGladly struct {
	t   *testing.T
	srv *httptest.Server

	mu            sync.Mutex
	conversations map[string]map[string]any
	items         map[string][]map[string]any // conversation → its items, oldest first
	profiles      map[string]map[string]any
	moved         map[string]string // customer id → the body of its 301 (a merged customer)
	movedTo       map[string]string // customer id → the Location of its 301
	limited       bool              // answer items with Gladly-Limited-Data: true
	// perSecond, when not 0, is Gladly's rate limit: per method and wall-clock second,
	// with the Ratelimit-Limit-Second and Ratelimit-Remaining-Second headers on every
	// answer and a 429 (no Retry-After) past it ("Rate Limit" in
	// https://developer.gladly.com/rest/).
	perSecond int
	second    time.Time
	counts    map[string]int
	over      int // 429s answered
	calls     []call
	failures  []failure
	notes     map[string][]string // conversation → the bodies of the notes added, in order
	// noAttachments is Gladly's documented 400 for an attachment of an item without any
	// (testdata/attachment_invalid.json).
	noAttachments string
}

func newFakeGladly(t *testing.T) *fakeGladly {
	f := &fakeGladly{t: t, conversations: map[string]map[string]any{}, items: map[string][]map[string]any{},
		profiles: map[string]map[string]any{}, moved: map[string]string{}, movedTo: map[string]string{},
		notes: map[string][]string{}, noAttachments: testdata(t, "attachment_invalid.json")}
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/conversations/{id}", f.getConversation)
	api.HandleFunc("PATCH /api/v1/conversations/{id}", f.patchConversation)
	api.HandleFunc("GET /api/v1/conversations/{id}/items", f.getItems)
	api.HandleFunc("POST /api/v1/conversations/{id}/topics", f.addTopics)
	api.HandleFunc("GET /api/v1/conversation-items/{id}", f.getItem)
	api.HandleFunc("POST /api/v1/conversation-items/{id}/reply", f.reply)
	api.HandleFunc("GET /api/v1/customer-profiles/{id}", f.getProfile)
	api.HandleFunc("GET /api/v1/conversation-items/{id}/attachments/{att}", f.getAttachment)
	api.HandleFunc("POST /api/v1/conversations/{id}/notes", f.addNote)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"no such endpoint"}]}`)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.serve(api, w, r)
	}))
	t.Cleanup(f.srv.Close)
	f.seed()
	return f
}

// seed holds the conversation of testdata/*.json: in the AI inbox, two customer messages
// (firstItem, then olderItem) and the customer's profile.
func (f *fakeGladly) seed() {
	f.conversations[convID] = map[string]any{"id": convID, "customerId": customerID, "inboxId": aiInbox,
		"status": "OPEN", "createdAt": "2026-11-21T09:14:02.990Z", "topicIds": []any{}}
	f.items[convID] = []map[string]any{
		chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi! My e-bike order #A-3301 has not shipped yet."),
		chatItem(olderItem, "CUSTOMER", "2026-11-21T09:16:40.800Z", "It was due on Monday."),
	}
	f.profiles[customerID] = map[string]any{
		"id": customerID, "name": "Lena Vogel",
		"emails":    []any{map[string]any{"original": "Lena.Vogel@example.org", "normalized": "lena.vogel@example.org"}},
		"phones":    []any{map[string]any{"original": "+49 30 1234567", "normalized": "+49301234567", "type": "MOBILE"}},
		"createdAt": "2025-03-02T10:00:00.000Z",
	}
}

// chatItem is a chat message item.
func chatItem(id, initiator, at, text string) map[string]any {
	return map[string]any{
		"id": id, "conversationId": convID, "customerId": customerID, "timestamp": at,
		"initiator": map[string]any{"id": customerID, "type": initiator},
		"content":   map[string]any{"type": "CHAT_MESSAGE", "sessionId": "sN3kWq8RTp2LvM5zHc9JdA", "messageType": "TEXT", "content": text},
	}
}

func (f *fakeGladly) serve(api http.Handler, w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != testEmail || pass != testToken {
		f.t.Errorf("%s %s: Basic credentials %q, want the API user's", r.Method, r.URL.Path, user)
		writeErrors(w, http.StatusUnauthorized, `{"errors":[{"code":"unauthorized","detail":"bad credentials"}]}`)
		return
	}
	if got := r.Header.Get("User-Agent"); got != userAgent {
		f.t.Errorf("User-Agent = %q, want %q", got, userAgent)
	}
	if !strings.HasPrefix(r.URL.Path, testPrefix+"/api/v1/") {
		f.t.Errorf("%s %s: not under %s/api/v1/", r.Method, r.URL.Path, testPrefix)
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist"}]}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			f.t.Errorf("%s %s: Content-Type %q", r.Method, r.URL.Path, ct)
		}
	}
	path := strings.TrimPrefix(r.URL.Path, testPrefix)
	f.mu.Lock()
	f.calls = append(f.calls, call{Method: r.Method, Path: strings.TrimPrefix(path, "/api/v1"), Body: string(body)})
	if f.perSecond > 0 {
		if now := time.Now().Truncate(time.Second); !now.Equal(f.second) {
			f.second, f.counts = now, map[string]int{}
		}
		f.counts[r.Method]++
		w.Header().Set("Ratelimit-Limit-Second", fmt.Sprint(f.perSecond))
		w.Header().Set("Ratelimit-Remaining-Second", fmt.Sprint(max(f.perSecond-f.counts[r.Method], 0)))
		if f.counts[r.Method] > f.perSecond {
			f.over++
			f.mu.Unlock()
			writeErrors(w, http.StatusTooManyRequests, `{"errors":[{"code":"rate_limited","detail":"too many requests"}]}`)
			return
		}
	}
	for i, fl := range f.failures {
		if fl.on != "" && !strings.HasPrefix(r.Method+" "+strings.TrimPrefix(path, "/api/v1"), fl.on) {
			continue
		}
		f.failures = append(f.failures[:i:i], f.failures[i+1:]...)
		f.mu.Unlock()
		if fl.retryAfter != "" {
			w.Header().Set("Retry-After", fl.retryAfter)
		}
		w.Header().Set("Location", "/elsewhere") // a redirect must not be followed
		writeErrors(w, fl.status, fl.body)
		return
	}
	f.mu.Unlock()
	r.URL.Path = path
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	api.ServeHTTP(w, r)
}

func writeErrors(w http.ResponseWriter, status int, body string) {
	if body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeGladly) getConversation(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conversations[r.PathValue("id")]
	if !ok {
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"conversation does not exist"}]}`)
		return
	}
	writeJSON(w, c)
}

func (f *fakeGladly) getItems(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.conversations[r.PathValue("id")]; !ok {
		writeErrors(w, http.StatusNotFound, "")
		return
	}
	if f.limited {
		w.Header().Set("Gladly-Limited-Data", "true")
	}
	its := f.items[r.PathValue("id")]
	if its == nil {
		its = []map[string]any{}
	}
	writeJSON(w, its)
}

// itemByID finds an item of any conversation; f.mu is held.
func (f *fakeGladly) itemByID(id string) map[string]any {
	for _, its := range f.items {
		for _, it := range its {
			if it["id"] == id {
				return it
			}
		}
	}
	return nil
}

func (f *fakeGladly) getItem(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.itemByID(r.PathValue("id"))
	if it == nil {
		writeErrors(w, http.StatusNotFound, "")
		return
	}
	writeJSON(w, it)
}

func (f *fakeGladly) getProfile(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// A merged customer: 301 with errors[].meta{old,new} (getCustomer in
	// https://developer.gladly.com/rest/; testdata/customer_moved.json), and a Location
	// when set (the reference shows one for the customer's conversation-items).
	if body, ok := f.moved[r.PathValue("id")]; ok {
		if loc := f.movedTo[r.PathValue("id")]; loc != "" {
			w.Header().Set("Location", loc)
		}
		writeErrors(w, http.StatusMovedPermanently, body)
		return
	}
	p, ok := f.profiles[r.PathValue("id")]
	if !ok {
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"customer does not exist"}]}`)
		return
	}
	writeJSON(w, p)
}

func (f *fakeGladly) reply(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.itemByID(r.PathValue("id"))
	if it == nil {
		writeErrors(w, http.StatusNotFound, "")
		return
	}
	if init, _ := it["initiator"].(map[string]any); init["type"] != "CUSTOMER" {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"code":"invalid","detail":"you can only reply to customer messages"}]}`)
		return
	}
	var body struct {
		Content struct {
			Type, Body string
		}
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil || body.Content.Type == "" {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"content.type","code":"blank"}]}`)
		return
	}
	if n := len([]rune(body.Content.Body)); n > maxReplyChars || n == 0 {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"content.body","code":"too_long","detail":"content.body cannot be larger than 2048 characters"}]}`)
		return
	}
	w.Header().Set("Location", "/api/v1/conversation-items/rPly"+fmt.Sprint(len(f.calls)))
	w.WriteHeader(http.StatusCreated)
}

func (f *fakeGladly) addTopics(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.conversations[r.PathValue("id")]; !ok {
		writeErrors(w, http.StatusNotFound, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeGladly) patchConversation(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conversations[r.PathValue("id")]
	if !ok {
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"conversation does not exist"}]}`)
		return
	}
	var u struct {
		Assignee *struct {
			InboxID string  `json:"inboxId"`
			AgentID *string `json:"agentId"`
		} `json:"assignee"`
		Status *struct {
			Value string `json:"value"`
		} `json:"status"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &u); err != nil {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"code":"invalid","detail":"malformed body"}]}`)
		return
	}
	if u.Assignee != nil {
		if u.Assignee.InboxID == "" {
			writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"assignee.inboxId","code":"blank","detail":"'inboxId' cannot be blank when updating assignee"}]}`)
			return
		}
		c["inboxId"] = u.Assignee.InboxID
		delete(c, "agentId")
		if u.Assignee.AgentID != nil && *u.Assignee.AgentID != "" {
			c["agentId"] = *u.Assignee.AgentID
		}
	}
	if u.Status != nil {
		c["status"] = u.Status.Value
	}
	w.WriteHeader(http.StatusNoContent)
}

// downloadURL is where the fake's attachment att downloads from: Gladly documents only
// "URL to download the attachment content" in the 303's Location, no example.
func downloadURL(att string) string {
	return "https://attachments.gladly-files.example/" + att + "?X-Amz-Expires=300&X-Amz-Signature=f00d"
}

// getAttachment is "Get Attachment" (https://developer.gladly.com/rest/#operation/getAttachment):
// 303 See Other to the file; 400 with the documented body when the item's content has no
// attachments; 404 when the item or the attachment is not there.
func (f *fakeGladly) getAttachment(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.itemByID(r.PathValue("id"))
	if it == nil {
		writeErrors(w, http.StatusNotFound, "")
		return
	}
	content, _ := it["content"].(map[string]any)
	atts, _ := content["attachments"].([]any)
	if len(atts) == 0 {
		writeErrors(w, http.StatusBadRequest, f.noAttachments)
		return
	}
	for _, a := range atts {
		if a, _ := a.(map[string]any); a["id"] == r.PathValue("att") {
			w.Header().Set("Location", downloadURL(r.PathValue("att")))
			w.WriteHeader(http.StatusSeeOther)
			return
		}
	}
	writeErrors(w, http.StatusNotFound, "")
}

// addNote is "Add Note" (https://developer.gladly.com/rest/#operation/addNoteToConversation):
// 201 with the note's relative Location, as documented
// (/api/v1/conversations/{id}/notes/{noteId}). Gladly's example body is
// {"content":{"body":…}} while its schema lists body at the top level: both are taken.
// A blank body is a 400 with code blank (the codes of "Error Handling", same reference).
func (f *fakeGladly) addNote(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	conv := r.PathValue("id")
	if _, ok := f.conversations[conv]; !ok {
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"conversation does not exist"}]}`)
		return
	}
	var in struct {
		Body    string `json:"body"`
		Content struct {
			Body string `json:"body"`
		} `json:"content"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &in); err != nil {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"code":"invalid","detail":"malformed body"}]}`)
		return
	}
	body := in.Content.Body
	if body == "" {
		body = in.Body
	}
	if strings.TrimSpace(body) == "" {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"content.body","code":"blank","detail":"body cannot be blank"}]}`)
		return
	}
	f.notes[conv] = append(f.notes[conv], body)
	w.Header().Set("Location", fmt.Sprintf("/api/v1/conversations/%s/notes/nT%dxQm4RLv8KwP2zBc7JdA", conv, len(f.notes[conv])))
	w.WriteHeader(http.StatusCreated)
}

// notesOf returns the bodies of the notes added to conversation conv.
func (f *fakeGladly) notesOf(conv string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.notes[conv]...)
}

// failNext makes the next request (or the next whose "METHOD path" starts with on) fail.
func (f *fakeGladly) failNext(fl failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fl)
}

// recorded returns the requests taken so far.
func (f *fakeGladly) recorded() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// called returns the requests taken so far as "METHOD path".
func (f *fakeGladly) called() []string {
	var out []string
	for _, c := range f.recorded() {
		out = append(out, c.String())
	}
	return out
}

func (f *fakeGladly) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// setItems replaces the conversation's items.
func (f *fakeGladly) setItems(conv string, its ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[conv] = its
}

// itemsOf returns the items of testdata/name, a JSON array of items as Gladly lists them.
func itemsOf(t *testing.T, name string) []map[string]any {
	t.Helper()
	var its []map[string]any
	if err := json.Unmarshal([]byte(testdata(t, name)), &its); err != nil {
		t.Fatal(err)
	}
	return its
}

// setConversation changes fields of the conversation.
func (f *fakeGladly) setConversation(conv string, fields map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range fields {
		if v == nil {
			delete(f.conversations[conv], k)
		} else {
			f.conversations[conv][k] = v
		}
	}
}

// setup returns a Client pointed at a fake Gladly under testPrefix.
func setup(t *testing.T, edit func(*Config)) (*Client, *fakeGladly) {
	t.Helper()
	f := newFakeGladly(t)
	cfg := testConfig(f.srv.URL + testPrefix)
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, f
}
