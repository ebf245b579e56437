package chatra

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/frontdeskhq/frontdesk/tickets"
)

const testToken = "chatra_7Hq2xLw9pZkR4mTb"

// The visitors of testdata/chat_*.json and testdata/chat_*_text.json.
const (
	lena    = "Z6xWqgJ8hT3pNcK2r"
	visitor = "Yh2mQx7VbK4nRt9Ld"
)

// newTestHandler returns the handler mounted as cmd/frontdesk mounts it.
func newTestHandler(t *testing.T, tk *testTickets, cfg HandlerConfig) http.Handler {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	h, err := NewHandler(cfg, tk.Service, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(PathPrefix+"{token}", h)
	return mux
}

// testdata returns the contents of testdata/name.
func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edited returns testdata/name with fields set (a nil value deletes a field); a key
// "a.b" sets field b of object a.
func edited(t *testing.T, name string, fields map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(testdata(t, name)), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		target := m
		if obj, field, ok := strings.Cut(k, "."); ok {
			if target, _ = m[obj].(map[string]any); target == nil {
				target = map[string]any{}
				m[obj] = target
			}
			k = field
		}
		if v == nil {
			delete(target, k)
		} else {
			target[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newRequest is a well-formed webhook delivery of body; edit it to break it.
func newRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, PathPrefix+testToken, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// post delivers body and fails the test unless the answer is 200.
func post(t *testing.T, h http.Handler, body string) result {
	t.Helper()
	w := serve(h, newRequest(body))
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200 (%s)", w.Code, w.Body)
	}
	var res result
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("answer %q: %v", w.Body, err)
	}
	return res
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

func assertTexts(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("transcript:\n got %q\nwant %q", got, want)
	}
}

func TestHandler_Statuses(t *testing.T) {
	path := func(p string) func(*http.Request) {
		return func(r *http.Request) { r.URL.Path = p }
	}
	method := func(m string) func(*http.Request) {
		return func(r *http.Request) { r.Method = m }
	}
	ctype := func(v string) func(*http.Request) {
		return func(r *http.Request) {
			if v == "" {
				r.Header.Del("Content-Type")
			} else {
				r.Header.Set("Content-Type", v)
			}
		}
	}
	started := testdata(t, "chat_started.json")
	// More messages at once than the ticket service takes (tickets.MaxInboundMessages).
	flood := `{"eventName":"chatStarted","client":{"id":"Yh2mQx7VbK4nRt9Ld"},"messages":[` +
		strings.Repeat(`{"type":"client","text":"hi"},`, tickets.MaxInboundMessages) + `{"type":"client","text":"hi"}]}`
	tests := []struct {
		name string
		seed func(t *testing.T, h http.Handler)
		fail error // returned by the store from the request on
		// noTeams: the ticket service has no ticketing channel to route to.
		noTeams bool
		body    string
		edit    func(r *http.Request)
		status  int
		want    string
		// handled is true when the request must reach the ticket service (it then changes
		// something only when status < 300). When it must not, the store fails from the
		// request on, so that reaching it would answer 500.
		handled bool
	}{
		{name: "Started", body: started, status: 200, want: `{"ticket":1,"added":2}`, handled: true},
		{name: "StartedTextField", body: testdata(t, "chat_started_text.json"), status: 200, want: `{"ticket":1,"added":2}`, handled: true},
		{name: "StartedWithoutMessages", body: `{"eventName":"chatStarted","client":{"id":"Yh2mQx7VbK4nRt9Ld"}}`,
			status: 200, want: `{"ticket":1}`, handled: true},
		{name: "StartedAgain", seed: func(t *testing.T, h http.Handler) { post(t, h, started) }, body: started,
			status: 200, want: `{"ticket":1}`, handled: true},
		{name: "FragmentWithoutTicket", body: testdata(t, "chat_fragment.json"), status: 200, want: `{"ticket":1,"added":2}`, handled: true},
		{name: "FragmentTextField", seed: func(t *testing.T, h http.Handler) { post(t, h, testdata(t, "chat_started_text.json")) },
			body: testdata(t, "chat_fragment_text.json"), status: 200, want: `{"ticket":1,"added":3}`, handled: true},
		{name: "TranscriptWithoutTicket", body: testdata(t, "chat_transcript.json"), status: 200,
			want: `{"ignored":"no_open_ticket"}`, handled: true},
		{name: "Transcript", seed: func(t *testing.T, h http.Handler) { post(t, h, started) }, body: testdata(t, "chat_transcript.json"),
			status: 200, want: `{"ticket":1,"added":3,"closed":true}`, handled: true},
		{name: "UnknownEvent", body: edited(t, "chat_started.json", map[string]any{"eventName": "chatRated"}), status: 200,
			want: `{"ignored":"event"}`},
		{name: "NoEventName", body: `{"client":{"id":"x"}}`, status: 200, want: `{"ignored":"event"}`},
		{name: "ClientIDNumber", body: `{"eventName":"chatStarted","client":{"id":4821},"messages":[{"type":"client","text":"hi"}]}`,
			status: 200, want: `{"ticket":1,"added":1}`, handled: true},
		{name: "ContentTypeTextPlain", body: started, edit: ctype("text/plain; charset=utf-8"), status: 200, want: `{"ticket":1,"added":2}`, handled: true},
		{name: "ContentTypeForm", body: started, edit: ctype("application/x-www-form-urlencoded"), status: 200, want: `{"ticket":1,"added":2}`, handled: true},
		{name: "NoContentType", body: started, edit: ctype(""), status: 200, want: `{"ticket":1,"added":2}`, handled: true},

		{name: "NotConfigured", noTeams: true, body: started, status: 503, want: `{"error":"not_configured"}`, handled: true},
		{name: "DomainInvalid", body: flood, status: 400,
			want: `{"error":"1001 messages at once, more than 1000"}`, handled: true},
		{name: "Internal", fail: errors.New("store: redis: connection refused"), body: started, status: 500,
			want: `{"error":"internal"}`, handled: true},

		{name: "WrongToken", body: started, edit: path(PathPrefix + "chatra_7Hq2xLw9pZkR4mTc"), status: 404, want: `{"error":"not_found"}`},
		{name: "TokenPrefix", body: started, edit: path(PathPrefix + "chatra_7Hq2"), status: 404, want: `{"error":"not_found"}`},
		{name: "TokenLonger", body: started, edit: path(PathPrefix + testToken + "x"), status: 404, want: `{"error":"not_found"}`},
		{name: "TokenCase", body: started, edit: path(PathPrefix + strings.ToUpper(testToken)), status: 404, want: `{"error":"not_found"}`},
		{name: "GETWrongToken", body: "", edit: func(r *http.Request) { r.Method, r.URL.Path = http.MethodGet, PathPrefix+"guess" },
			status: 404, want: `{"error":"not_found"}`},
		{name: "GET", body: "", edit: method(http.MethodGet), status: 405, want: `{"error":"method_not_allowed"}`},
		{name: "PUT", body: started, edit: method(http.MethodPut), status: 405, want: `{"error":"method_not_allowed"}`},

		{name: "MalformedJSON", body: `{"eventName":"chatStarted",`, status: 400, want: `{"error":"malformed JSON: unexpected end of JSON input"}`},
		{name: "EmptyBody", body: ``, status: 400, want: `{"error":"malformed JSON: unexpected end of JSON input"}`},
		{name: "SyntaxError", body: `{"eventName":chatStarted}`, status: 400, want: `{"error":"malformed JSON at byte 14: invalid character 'c' looking for beginning of value"}`},
		{name: "TrailingGarbage", body: `{"eventName":"chatStarted"} x`, status: 400, want: `{"error":"malformed JSON: data after the top-level value"}`},
		{name: "NotAnObject", body: `["chatStarted"]`, status: 400, want: `{"error":"the body must be a JSON object"}`},
		{name: "FormEncoded", body: `eventName=chatStarted`, edit: ctype("application/x-www-form-urlencoded"), status: 400,
			want: `{"error":"malformed JSON at byte 1: invalid character 'e' looking for beginning of value"}`},
		{name: "MissingClientID", body: edited(t, "chat_started.json", map[string]any{"client.id": nil}), status: 400,
			want: `{"error":"missing field: client.id"}`},
		{name: "BlankClientID", body: edited(t, "chat_fragment.json", map[string]any{"client.id": "  "}), status: 400,
			want: `{"error":"missing field: client.id"}`},
		{name: "ClientNotObject", body: `{"eventName":"chatTranscript","client":"Z6xWqgJ8hT3pNcK2r"}`, status: 400,
			want: `{"error":"missing field: client.id"}`},
		{name: "ClientIDTooLong", body: edited(t, "chat_started.json", map[string]any{"client.id": strings.Repeat("i", 257)}), status: 400,
			want: `{"error":"field client.id is longer than 256 bytes"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTickets(t)
			if tt.noTeams {
				tk = newTicketsWithoutTeams(t)
			}
			h := newTestHandler(t, tk, HandlerConfig{})
			if tt.seed != nil {
				tt.seed(t, h)
			}
			before := len(tk.mem.Drain())
			if tt.seed != nil && before == 0 {
				t.Fatal("the seed changed nothing")
			}
			switch {
			case tt.fail != nil:
				tk.mem.Fail(tt.fail)
			case !tt.handled:
				tk.mem.Fail(errors.New("store: the ticket service was reached"))
			}
			r := newRequest(tt.body)
			if tt.edit != nil {
				tt.edit(r)
			}
			w := serve(h, r)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (body %s)", w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			assertJSON(t, w.Body.Bytes(), tt.want)
			tk.mem.Fail(nil)
			if evs := tk.mem.Drain(); tt.status >= 300 && len(evs) != 0 {
				t.Errorf("a %d changed something (%d events)", tt.status, len(evs))
			}
		})
	}
}

// TestHandler_Started checks what a chatStarted hands to the ticket service.
func TestHandler_Started(t *testing.T) {
	tk := newTickets(t, "Website", "Delivery Team")
	h := newTestHandler(t, tk, HandlerConfig{Groups: map[string]string{"Hs7bXe2QdN4mRw8Ka": "Delivery Team"}, DefaultLabel: "Website"})
	body := testdata(t, "chat_started.json")
	post(t, h, body)

	// The times are the messages' createdAt (ms since the epoch).
	first := &tickets.Message{Direction: tickets.FromCustomer, SourceMessageID: "Wm3kP8qRt2ZxYb6Ne",
		Text: "Hi! My order A-55190 still says 'processing' after a week.", At: time.UnixMilli(1763661851000).UTC()}
	want := tickets.Ticket{
		ID: "1", Number: 1, Status: tickets.StatusPending,
		Source: "chatra", ConversationID: lena,
		Customer: tickets.Customer{
			ID: lena, Name: "Lena Fischer", Email: "lena.fischer@example.com", Phone: "+49 30 1234567",
			Fields: map[string]string{
				"chatId": "pQ4nYb7RkA2sLm9Ve", "groupId": "Hs7bXe2QdN4mRw8Ka",
				"ip": "203.0.113.42", "country": "Germany", "city": "Berlin", "browser": "Firefox 133",
				"os": "Windows 11", "language": "de", "lastVisit": "2026-11-20T18:04:11Z", "visits": "4",
				"Customer ID": "C-88412", "plan": "Premium", "orders": "7", "newsletter": "true",
				"Order number": "A-55190", "Topic": "Delivery",
				"chatStartedPage.link": "https://www.acme-bikes.example/checkout", "chatStartedPage.title": "Checkout - Acme Bikes",
				"tags":                "returning, eu",
				"device.screen.width": "1920", "device.screen.height": "1080",
			},
		},
		Team:    tickets.Team{ChannelID: "CB", Label: "Delivery Team"},
		Raw:     body,
		Opening: first.Text,
		Title:   tickets.DeriveTitle(first.Text),
	}
	all := tk.all()
	if len(all) != 1 {
		t.Fatalf("%d tickets opened", len(all))
	}
	got := all[0]
	if !reflect.DeepEqual(got.Customer, want.Customer) {
		t.Errorf("customer:\n got %+v\nwant %+v", got.Customer, want.Customer)
	}
	// What the service sets itself (the times, the card) is not the handler's.
	got.CreatedAt, got.UpdatedAt, got.Card = time.Time{}, time.Time{}, tickets.Card{}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("ticket\n%+v\nwant\n%+v", *got, want)
	}
	second := tickets.Message{Direction: tickets.FromCustomer, SourceMessageID: "Tq7vL2mXc9BnRs4Hd", Text: "Can you check when it ships?",
		At: time.UnixMilli(1763661858000).UTC()}
	if msgs := tk.transcript(lena); len(msgs) != 2 || !reflect.DeepEqual(msgs[0], *first) || !reflect.DeepEqual(msgs[1], second) {
		t.Errorf("transcript %+v, want %+v and %+v", msgs, *first, second)
	}
}

// TestHandler_MissingOptionalFields: a chat that says only who the visitor is, in the
// "text" spelling, without ids, agents, group or anything about the visitor.
func TestHandler_MissingOptionalFields(t *testing.T) {
	tk := newTickets(t, "Support", "Website")
	h := newTestHandler(t, tk, HandlerConfig{})
	post(t, h, testdata(t, "chat_started_text.json"))
	got := tk.latest(visitor)
	if got == nil {
		t.Fatal("no ticket opened")
	}
	if got.Customer.ID != visitor || got.Customer.Name != "" || got.Customer.Fields != nil || got.Team.Label != "Support" {
		t.Errorf("ticket %+v, want it in the default team", got)
	}
	if msgs := tk.transcript(visitor); got.Opening != "hello?" || len(msgs) == 0 || !strings.HasPrefix(msgs[0].SourceMessageID, "h:") {
		t.Errorf("opening %q, first message %+v", got.Opening, msgs)
	}
	assertTexts(t, tk.texts(visitor), "hello?", "ok")
}

func TestHandler_GroupMapping(t *testing.T) {
	groups := map[string]string{"Hs7bXe2QdN4mRw8Ka": "Delivery Team", "Bq4wZ9": "Billing"}
	tests := []struct {
		name    string
		fields  map[string]any
		deflt   string
		want    string
		useText bool
	}{
		{"ClientGroupID", nil, "Website", "Delivery Team", false},
		{"RootGroupID", map[string]any{"client.groupId": nil, "groupId": "Bq4wZ9"}, "Website", "Billing", false},
		{"ChatGroupID", map[string]any{"client.groupId": nil, "chat.groupId": "Bq4wZ9"}, "", "Billing", false},
		{"UnmappedGroup", map[string]any{"client.groupId": "Other"}, "Website", "Website", false},
		{"NoGroup", map[string]any{"client.groupId": nil}, "Website", "Website", false},
		{"NoGroupNoDefault", map[string]any{"client.groupId": nil}, "", "Support", false}, // the default team
		{"NumericGroupID", map[string]any{"client.groupId": 42}, "", "Answer", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTickets(t, "Support", "Delivery Team", "Billing", "Website", "Answer")
			g := map[string]string{"42": "Answer"}
			for k, v := range groups {
				g[k] = v
			}
			h := newTestHandler(t, tk, HandlerConfig{Groups: g, DefaultLabel: tt.deflt})
			post(t, h, edited(t, "chat_started.json", tt.fields))
			if got := tk.latest(lena); got == nil || got.Team.Label != tt.want {
				t.Errorf("ticket %+v, want it in team %q", got, tt.want)
			}
		})
	}
}

// TestHandler_DuplicateDelivery: every event delivered twice relays each message once.
func TestHandler_DuplicateDelivery(t *testing.T) {
	tk := newTickets(t)
	h := newTestHandler(t, tk, HandlerConfig{})
	for _, name := range []string{"chat_started.json", "chat_fragment.json"} {
		first := post(t, h, testdata(t, name))
		again := post(t, h, testdata(t, name))
		if first.Added == 0 || again.Added != 0 || again.Ticket != first.Ticket {
			t.Errorf("%s: first %+v, again %+v", name, first, again)
		}
	}
	assertTexts(t, tk.texts(lena),
		"Hi! My order A-55190 still says 'processing' after a week.", "Can you check when it ships?",
		"I've asked the warehouse, it left today with DHL.", "Great, thanks!")
	if n := len(tk.all()); n != 1 {
		t.Errorf("%d tickets opened, want 1", n)
	}
}

// TestHandler_Echoes: Frontdesk's own messages come back marked with receivedFrom and
// are dropped; an agent's message written in Chatra is mirrored, once, as theirs.
func TestHandler_Echoes(t *testing.T) {
	tk := newTickets(t)
	h := newTestHandler(t, tk, HandlerConfig{})
	post(t, h, testdata(t, "chat_started.json"))
	post(t, h, testdata(t, "chat_fragment.json"))
	post(t, h, testdata(t, "chat_fragment.json"))
	post(t, h, testdata(t, "chat_transcript.json"))
	var fromChatra []tickets.Message
	for _, m := range tk.transcript(lena) {
		if strings.Contains(m.Text, "Let me look that up") {
			t.Errorf("our own echo was relayed: %+v", m)
		}
		if m.Direction == tickets.FromSourceAgent {
			fromChatra = append(fromChatra, m)
		}
	}
	want := []tickets.Message{{Direction: tickets.FromSourceAgent, SourceMessageID: "Gx2cV7mLq4HsNd9Bw",
		Author: tickets.Agent{Name: "Jonas Weber", Email: "jonas.weber@acme-bikes.example"},
		Text:   "I've asked the warehouse, it left today with DHL.", At: time.UnixMilli(1763661960000).UTC()}}
	if !reflect.DeepEqual(fromChatra, want) {
		t.Errorf("agent messages from Chatra:\n got %+v\nwant %+v", fromChatra, want)
	}

	t.Run("OtherMarker", func(t *testing.T) {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{ReceivedFrom: "acme-desk"})
		post(t, h, testdata(t, "chat_fragment.json"))
		if got := len(tk.transcript(lena)); got != 3 {
			t.Errorf("with another marker, %d messages relayed; want all 3", got)
		}
	})
	t.Run("UnnamedAgent", func(t *testing.T) {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{})
		post(t, h, testdata(t, "chat_started_text.json"))
		post(t, h, testdata(t, "chat_fragment_text.json"))
		for _, m := range tk.transcript(visitor) {
			if m.Direction == tickets.FromSourceAgent && m.Author != (tickets.Agent{Name: "Chatra agent"}) {
				t.Errorf("author = %+v, want Chatra agent", m.Author)
			}
		}
	})
}

// TestHandler_Transcript: a transcript fills the gap a lost fragment left, in order, and
// closes the ticket.
func TestHandler_Transcript(t *testing.T) {
	tk := newTickets(t)
	h := newTestHandler(t, tk, HandlerConfig{})
	post(t, h, testdata(t, "chat_started.json"))
	// chat_fragment.json is lost.
	res := post(t, h, testdata(t, "chat_transcript.json"))
	if res != (result{Ticket: 1, Added: 3, Closed: true}) {
		t.Errorf("answer %+v", res)
	}
	assertTexts(t, tk.texts(lena),
		"Hi! My order A-55190 still says 'processing' after a week.", "Can you check when it ships?",
		"I've asked the warehouse, it left today with DHL.", "Great, thanks!", "Bye!")
	got, err := tk.Get(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tickets.StatusClosed || got.CloseReason != "chat ended in Chatra" || got.ClosedBy != (tickets.Agent{}) {
		t.Errorf("ticket %s, %q by %+v; want closed by the source, chat ended in Chatra", got.Status, got.CloseReason, got.ClosedBy)
	}

	// Delivered again: nothing to do.
	if res := post(t, h, testdata(t, "chat_transcript.json")); res != (result{Ignored: "no_open_ticket"}) {
		t.Errorf("transcript again: %+v", res)
	}
	// The visitor writes again: a new ticket.
	if res := post(t, h, testdata(t, "chat_fragment.json")); res.Ticket != 2 {
		t.Errorf("a fragment after the transcript: %+v, want ticket 2", res)
	}
}

func TestHandler_TranscriptCloses(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]any
		closed bool
	}{
		{"NoStatus", nil, true},
		{"StatusEnded", map[string]any{"status": "ended"}, true},
		{"ChatStatusClosed", map[string]any{"chat.status": "Closed"}, true},
		{"StateFinished", map[string]any{"state": "finished"}, true},
		{"StatusIdle", map[string]any{"status": "idle"}, false},
		{"ChatStateActive", map[string]any{"chat.state": "active"}, false},
		{"ClosedFalse", map[string]any{"chat.closed": false}, false},
		{"EndedTrue", map[string]any{"ended": true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTickets(t)
			h := newTestHandler(t, tk, HandlerConfig{})
			post(t, h, testdata(t, "chat_started.json"))
			res := post(t, h, edited(t, "chat_transcript.json", tt.fields))
			got, err := tk.Get(context.Background(), "1")
			if err != nil {
				t.Fatal(err)
			}
			if res.Closed != tt.closed || (got.Status == tickets.StatusClosed) != tt.closed {
				t.Errorf("answer %+v, ticket %s; want closed=%v", res, got.Status, tt.closed)
			}
			if res.Added != 3 {
				t.Errorf("added %d, want 3", res.Added)
			}
		})
	}
}

// TestHandler_DerivedIDs: without Chatra's ids, two equal visitor messages are both
// kept, and a transcript still adds only what is missing.
func TestHandler_DerivedIDs(t *testing.T) {
	t.Run("IdenticalMessagesKept", func(t *testing.T) {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{})
		post(t, h, testdata(t, "chat_started_text.json"))
		post(t, h, testdata(t, "chat_fragment_text.json"))
		ok := `{"eventName":"chatFragment","client":{"id":"Yh2mQx7VbK4nRt9Ld"},"messages":[{"type":"client","text":"ok"},{"type":"client","text":"ok"}]}`
		if res := post(t, h, ok); res.Added != 2 {
			t.Errorf("two more oks: added %d, want 2", res.Added)
		}
		assertTexts(t, tk.texts(visitor), "hello?", "ok", "Hi, how can I help?", "ok", "", "ok", "ok")
		ids := map[string]bool{}
		for _, m := range tk.transcript(visitor) {
			if ids[m.SourceMessageID] {
				t.Errorf("id %s twice", m.SourceMessageID)
			}
			ids[m.SourceMessageID] = true
		}
	})
	t.Run("TranscriptMatchesFragments", func(t *testing.T) {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{})
		post(t, h, testdata(t, "chat_started_text.json"))
		post(t, h, testdata(t, "chat_fragment_text.json"))
		res := post(t, h, testdata(t, "chat_transcript_text.json"))
		if res.Added != 2 || !res.Closed {
			t.Errorf("transcript: %+v, want 2 added (the last two) and closed", res)
		}
		assertTexts(t, tk.texts(visitor), "hello?", "ok", "Hi, how can I help?", "ok", "",
			"Thanks, that helps. Refund is on its way.", "ok")
	})
	t.Run("TranscriptFillsGap", func(t *testing.T) {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{})
		post(t, h, testdata(t, "chat_started_text.json"))
		res := post(t, h, testdata(t, "chat_transcript_text.json"))
		if res.Added != 5 {
			t.Errorf("transcript: added %d, want 5", res.Added)
		}
		assertTexts(t, tk.texts(visitor), "hello?", "ok", "Hi, how can I help?", "ok", "",
			"Thanks, that helps. Refund is on its way.", "ok")
	})
	t.Run("TimestampsMakeRedeliveryHarmless", func(t *testing.T) {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{})
		post(t, h, testdata(t, "chat_started_text.json"))
		frag := `{"eventName":"chatFragment","client":{"id":"Yh2mQx7VbK4nRt9Ld"},"messages":[` +
			`{"type":"client","text":"ok","createdAt":1763662100000},{"type":"client","text":"ok","createdAt":1763662104000}]}`
		post(t, h, frag)
		if res := post(t, h, frag); res.Added != 0 {
			t.Errorf("redelivered fragment: added %d, want 0", res.Added)
		}
		assertTexts(t, tk.texts(visitor), "hello?", "ok", "ok", "ok")
	})
}

func TestHandler_Attachments(t *testing.T) {
	tk := newTickets(t)
	h := newTestHandler(t, tk, HandlerConfig{})
	post(t, h, testdata(t, "chat_started_text.json"))
	post(t, h, testdata(t, "chat_fragment_text.json"))
	msgs := tk.transcript(visitor)
	want := []tickets.Attachment{{URL: "https://files.chatra.example/u/Yh2mQx7VbK4nRt9Ld/receipt.png", Name: "receipt.png", MIME: "image/png"}}
	if got := msgs[len(msgs)-1]; got.Text != "" || !reflect.DeepEqual(got.Attachments, want) {
		t.Errorf("last message %+v, want the receipt", got)
	}

	t.Run("Shapes", func(t *testing.T) {
		m := parseMessage(map[string]any{
			"type":        "client",
			"file":        "https://x.example/a.pdf",
			"files":       []any{map[string]any{"link": "https://x.example/b.png", "fileName": "b.png", "mimeType": "image/png"}},
			"attachments": []any{map[string]any{"url": "javascript:alert(1)"}, map[string]any{"url": "/relative.png"}, 7},
			"attachment":  map[string]any{"href": "http://x.example/c"},
		})
		want := []tickets.Attachment{{URL: "https://x.example/a.pdf"}, {URL: "http://x.example/c"},
			{URL: "https://x.example/b.png", Name: "b.png", MIME: "image/png"}}
		if !reflect.DeepEqual(m.attachments, want) {
			t.Errorf("attachments %+v, want %+v", m.attachments, want)
		}
	})
}

// TestHandler_Raw: the body is kept on the ticket when it fits; a larger one is left off
// (clipped, it would not be JSON), and the ticket is opened all the same.
func TestHandler_Raw(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	tk := newTickets(t)
	h, err := NewHandler(HandlerConfig{Token: testToken}, tk.Service, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(PathPrefix+"{token}", h)
	big := edited(t, "chat_started.json", map[string]any{"client.history": strings.Repeat("p", tickets.MaxRawBytes)})
	post(t, mux, big)
	if all := tk.all(); len(all) != 1 || all[0].Raw != "" {
		t.Fatalf("opened %d; want 1 ticket, with no raw", len(all))
	}
	if logs.FilterMessage("raw payload too large to keep on the ticket").Len() != 1 {
		t.Errorf("logs %v", logs.All())
	}
}

// TestHandler_BodyLimit: a body of exactly 1 MiB is read; one byte more is refused, whether
// or not the request says its length up front.
func TestHandler_BodyLimit(t *testing.T) {
	pad := func(n int) string {
		s := `{"eventName":"chatRated"}`
		return s + strings.Repeat(" ", n-len(s)) // white space after a JSON value is allowed
	}
	tests := []struct {
		name    string
		body    string
		unknown bool // hide the length (chunked)
		status  int
	}{
		{"Exactly1MiB", pad(1 << 20), false, 200},
		{"OneByteOver", pad(1<<20 + 1), false, 413},
		{"OneByteOverChunked", pad(1<<20 + 1), true, 413},
		{"FarOverChunked", pad(3 << 20), true, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTickets(t)
			r := newRequest(tt.body)
			if tt.unknown {
				r.Body = io.NopCloser(io.MultiReader(strings.NewReader(tt.body)))
				r.ContentLength = -1
			}
			w := serve(newTestHandler(t, tk, HandlerConfig{}), r)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			if tt.status == 413 {
				assertJSON(t, w.Body.Bytes(), `{"error":"body_too_large"}`)
			}
		})
	}
}

// TestHandler_Logs: nothing the visitor or an agent wrote, nothing about the visitor, and
// not the token reaches the logs, even when the event fails.
func TestHandler_Logs(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	tk := newTickets(t)
	h, err := NewHandler(HandlerConfig{Token: testToken}, tk.Service, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(PathPrefix+"{token}", h)
	for _, name := range []string{"chat_started.json", "chat_fragment.json", "chat_transcript.json"} {
		post(t, mux, testdata(t, name))
	}
	tk.mem.Fail(errors.New("store: redis: i/o timeout"))
	for _, name := range []string{"chat_started.json", "chat_fragment.json", "chat_transcript.json"} {
		if w := serve(mux, newRequest(testdata(t, name))); w.Code != 500 {
			t.Fatalf("status = %d (%s)", w.Code, w.Body)
		}
	}
	r := newRequest(testdata(t, "chat_started.json"))
	r.URL.Path = PathPrefix + testToken + "-wrong"
	serve(mux, r)
	if logs.FilterMessage("event failed").Len() != 3 {
		t.Errorf("want 3 error logs, got %v", logs.All())
	}
	for _, e := range logs.All() {
		line := fmt.Sprint(e.Message, e.ContextMap())
		for _, secret := range []string{"A-55190", "DHL", "Great", "Lena", "lena.fischer", "203.0.113", testToken} {
			if strings.Contains(line, secret) {
				t.Errorf("log leaks %q: %s", secret, line)
			}
		}
	}
}

func TestNewHandler(t *testing.T) {
	f := newTickets(t).Service
	tests := []struct {
		name string
		cfg  HandlerConfig
		tk   Tickets
		ok   bool
	}{
		{"OK", HandlerConfig{Token: testToken}, f, true},
		{"WithGroups", HandlerConfig{Token: testToken, Groups: map[string]string{"g1": "Billing"}, DefaultLabel: "Support"}, f, true},
		{"NoToken", HandlerConfig{}, f, false},
		{"ShortToken", HandlerConfig{Token: "abcdefghijklmno"}, f, false},
		{"TokenWithSlash", HandlerConfig{Token: "abcdefgh/ijklmnop"}, f, false},
		{"TokenWithSpace", HandlerConfig{Token: "abcdefgh ijklmnop"}, f, false},
		{"TokenWithPercent", HandlerConfig{Token: "abcdefgh%20jklmnop"}, f, false},
		{"TokenWithQuestionMark", HandlerConfig{Token: "abcdefgh?ijklmnop"}, f, false},
		{"TokenWithPunctuation", HandlerConfig{Token: "abc+def!ghi$jkl.mn~op"}, f, true},
		{"EmptyGroupLabel", HandlerConfig{Token: testToken, Groups: map[string]string{"g1": " "}}, f, false},
		{"MarkerWithSpace", HandlerConfig{Token: testToken, ReceivedFrom: " frontdesk"}, f, false},
		{"NilTickets", HandlerConfig{Token: testToken}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHandler(tt.cfg, tt.tk, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (h == nil || h.marker != DefaultReceivedFrom) {
				t.Fatalf("handler %+v", h)
			}
			if err != nil && tt.cfg.Token != "" && strings.Contains(err.Error(), tt.cfg.Token) {
				t.Errorf("error quotes the token: %v", err)
			}
		})
	}
}

func TestParseGroups(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		err  string
	}{
		{"", map[string]string{}, ""},
		{"Hs7bXe2QdN4mRw8Ka=Support Team", map[string]string{"Hs7bXe2QdN4mRw8Ka": "Support Team"}, ""},
		{" g1 = Support Team , g2=Billing,", map[string]string{"g1": "Support Team", "g2": "Billing"}, ""},
		{"g1=Support=Team", map[string]string{"g1": "Support=Team"}, ""},
		{"g1=Support,sk_live_secret", nil, "pair 2 is not groupId=label"},
		{"=Support", nil, "pair 1 has no group id"},
		{"g1=", nil, "pair 1 has no label"},
		{"g1=A,g2=B,g1=C", nil, "pair 3 repeats the group id of pair 1"},
	}
	for _, tt := range tests {
		got, err := ParseGroups(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseGroups(%q) = %v, want an error with %q", tt.in, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "sk_live") {
				t.Errorf("error quotes the input: %v", err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseGroups(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestHandler_NoToken: mounted without the {token} wildcard (or reached with an empty
// one), the handler finds no token and answers 404 like for a wrong one.
func TestHandler_NoToken(t *testing.T) {
	tk := newTickets(t)
	tk.mem.Fail(errors.New("store: the ticket service was reached"))
	h, err := NewHandler(HandlerConfig{Token: testToken}, tk.Service, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	w := serve(h, newRequest(testdata(t, "chat_started.json")))
	if w.Code != http.StatusNotFound {
		t.Errorf("status = %d, want 404", w.Code)
	}
	assertJSON(t, w.Body.Bytes(), `{"error":"not_found"}`)
	tk.mem.Fail(nil)
	if evs := tk.mem.Drain(); len(evs) != 0 {
		t.Errorf("the ticket service changed something: %d events", len(evs))
	}
}

// TestHandler_TokenInPath: a token with punctuation matches as typed and percent-encoded.
func TestHandler_TokenInPath(t *testing.T) {
	const token = "abc+def!ghi$jkl.mn~op"
	for _, target := range []string{PathPrefix + token, PathPrefix + "abc+def%21ghi%24jkl.mn~op"} {
		tk := newTickets(t)
		h := newTestHandler(t, tk, HandlerConfig{Token: token})
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(testdata(t, "chat_started.json")))
		if w := serve(h, r); w.Code != http.StatusOK {
			t.Errorf("%s: status = %d (%s)", target, w.Code, w.Body)
		}
	}
}
