package chatra

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/inboundtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// fakeTickets is an in-memory Tickets keeping the service's edge behaviour: one open
// ticket per conversation; a message relayed at most once per ticket, direction and
// SourceMessageID (the first message of Open too); only FromCustomer and FromSourceAgent
// taken from a source; ErrNotFound without an open ticket. fail, when set, is returned by
// every call and nothing changes.
type fakeTickets struct {
	mu      sync.Mutex
	seq     int64
	open    map[string]*tickets.Ticket // conversation → open ticket
	byID    map[tickets.ID]*tickets.Ticket
	msgs    map[tickets.ID][]tickets.Message
	seen    map[string]bool // ticket + direction + source message id
	calls   []string        // every call, by method name
	changes int             // every call that changed something
	fail    error

	opened []tickets.OpenRequest
}

func newFakeTickets() *fakeTickets {
	return &fakeTickets{open: map[string]*tickets.Ticket{}, byID: map[tickets.ID]*tickets.Ticket{},
		msgs: map[tickets.ID][]tickets.Message{}, seen: map[string]bool{}}
}

// add appends m to t's transcript unless it was seen; f.mu is held.
func (f *fakeTickets) add(t *tickets.Ticket, m tickets.Message) bool {
	k := fmt.Sprintf("%s\x00%s\x00%s", t.ID, m.Direction, m.SourceMessageID)
	if m.SourceMessageID != "" && f.seen[k] {
		return false
	}
	f.seen[k] = true
	f.msgs[t.ID] = append(f.msgs[t.ID], m)
	f.changes++
	return true
}

func (f *fakeTickets) Open(_ context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Open")
	if f.fail != nil {
		return nil, false, f.fail
	}
	if len(req.Raw) > tickets.MaxRawBytes {
		return nil, false, fmt.Errorf("%w: raw too large", tickets.ErrInvalid)
	}
	if t, ok := f.open[req.ConversationID]; ok {
		c := *t
		return &c, false, nil
	}
	if req.First != nil && req.First.Direction != tickets.FromCustomer {
		return nil, false, fmt.Errorf("%w: the first message must come from the customer", tickets.ErrInvalid)
	}
	f.seq++
	t := &tickets.Ticket{ID: tickets.ID(fmt.Sprintf("T%d", f.seq)), Number: f.seq, Source: req.Source,
		ConversationID: req.ConversationID, Customer: req.Customer, Status: tickets.StatusPending, Raw: req.Raw}
	f.open[req.ConversationID], f.byID[t.ID] = t, t
	f.opened = append(f.opened, req)
	f.changes++
	if req.First != nil {
		f.add(t, *req.First)
	}
	c := *t
	return &c, true, nil
}

// Inbound is the handler's one call, carried out on the steps below.
func (f *fakeTickets) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	return inboundtest.Apply(ctx, f, in)
}

// Rate is not one of Chatra's: its webhooks carry no ratings.
func (f *fakeTickets) Rate(context.Context, string, string, int, string) (*tickets.Ticket, error) {
	return nil, fmt.Errorf("chatra rates nothing")
}

func (f *fakeTickets) SourceMessage(_ context.Context, source, conv string, m tickets.Message) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "SourceMessage")
	if f.fail != nil {
		return nil, false, f.fail
	}
	if m.Direction != tickets.FromCustomer && m.Direction != tickets.FromSourceAgent {
		return nil, false, fmt.Errorf("%w: direction %q", tickets.ErrInvalid, m.Direction)
	}
	if m.Text == "" && len(m.Attachments) == 0 {
		return nil, false, fmt.Errorf("%w: empty message", tickets.ErrInvalid)
	}
	t, ok := f.open[conv]
	if !ok || source != Source {
		return nil, false, tickets.ErrNotFound
	}
	c := *t
	return &c, f.add(t, m), nil
}

func (f *fakeTickets) SourceClosed(_ context.Context, source, conv, reason string) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "SourceClosed")
	if f.fail != nil {
		return nil, f.fail
	}
	t, ok := f.open[conv]
	if !ok || source != Source {
		return nil, tickets.ErrNotFound
	}
	f.changes++
	delete(f.open, conv)
	t.Status, t.CloseReason = tickets.StatusClosed, reason
	c := *t
	return &c, nil
}

func (f *fakeTickets) Transcript(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Transcript")
	if f.fail != nil {
		return nil, f.fail
	}
	if _, ok := f.byID[id]; !ok {
		return nil, tickets.ErrNotFound
	}
	return append([]tickets.Message(nil), f.msgs[id]...), nil
}

// transcript returns the messages of the conversation's latest ticket.
func (f *fakeTickets) transcript(conv string) []tickets.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var last *tickets.Ticket
	for _, t := range f.byID {
		if t.ConversationID == conv && (last == nil || t.Number > last.Number) {
			last = t
		}
	}
	if last == nil {
		return nil
	}
	return append([]tickets.Message(nil), f.msgs[last.ID]...)
}

// texts returns the texts of the conversation's latest ticket, in order.
func (f *fakeTickets) texts(conv string) []string {
	var out []string
	for _, m := range f.transcript(conv) {
		out = append(out, m.Text)
	}
	return out
}

// counts returns how many calls and changes the fake has seen.
func (f *fakeTickets) counts() (calls, changes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls), f.changes
}

// The REST fake below is shaped from what Chatra publishes; a source is named beside each
// fact. Chatra's own reference (https://chatra.com/help/api/, REST API: data format,
// authorization, errors, rate limiting, messages) could be read only as a table of
// contents, so the facts come from summaries of it and from working callers:
//
//   - POST /api/messages/ with Authorization "Chatra.Simple <public>:<secret>" and a JSON
//     body clientId, text (plain, 1 to 5000 characters), and agentEmail + agentName +
//     receivedFrom instead of agentId (an unknown email makes Chatra create an agent):
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_send_message
//   - "Returns the new message with its id": same page. A message is "type (agent or
//     client), text, visitor id, agent id, timestamp (ms) and receivedFrom", and its id
//     is what GET, PUT and DELETE /messages/{id} take:
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_get_message,
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_edit_message,
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_delete_message
//   - The time's field name, createdAt (ms since the epoch), is the one Chatra's webhook
//     messages use (the Corrections box of the project's connectors.md research, checked
//     against Chatra's pages); its name in the REST answer is not confirmed.
//   - Webhook bodies carry client.id, client.chatId, agents[].id and messages[].type and
//     .text (a working consumer's spec:
//     https://github.com/belya/support20/blob/6fc4c7deae3f9c07f0adcaabaed5ec273227a96e/spec/controllers/chatra_controller_spec.rb),
//     and each message its id, text and createdAt (Corrections box, as above).
//
// Ids look like the ones in those callers: 17 letters and digits.

// restMessage is a message as Chatra's REST API answers it (chatra_get_message, above).
type restMessage struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Text         string `json:"text"`
	ClientID     string `json:"clientId"`
	AgentID      string `json:"agentId"`
	CreatedAt    int64  `json:"createdAt"`
	ReceivedFrom string `json:"receivedFrom,omitempty"`
}

// fakeChatra is Chatra's REST API as far as the Client uses it: POST messages/ under
// testPrefix, with the Chatra.Simple header. It records the messages it takes, answers
// each with the new message and its id, and answers fail's statuses first, one a
// request. answer, when set, replaces the answer's body (for shapes the docs are silent
// on).
type fakeChatra struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	messages []messageBody
	taken    []restMessage     // what Chatra made of messages, in order
	agents   map[string]string // agentEmail → the agent id Chatra gave it
	requests int
	fail     []int       // statuses to answer before taking messages again
	failOn   map[int]int // request number → status to answer
	header   []string    // Retry-After for each fail, when set
	answer   func(m restMessage) string
}

func newFakeChatra(t *testing.T) *fakeChatra {
	f := &fakeChatra{t: t, agents: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc(testPrefix+"messages/", f.message)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside %smessages/: %s %s", testPrefix, r.Method, r.URL)
		http.Error(w, `{"error":"not here"}`, http.StatusNotFound)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// fakeID is the n-th id of kind ('M' message, 'A' agent) in Chatra's style.
func fakeID(kind byte, n int) string { return fmt.Sprintf("%cq%015d", kind, n) }

// fakeCreatedAt is when the fake takes its n-th message, in ms since the epoch.
func fakeCreatedAt(n int) int64 { return 1763661900000 + int64(n)*1000 }

func (f *fakeChatra) message(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	testMethod(f.t, r, http.MethodPost)
	testHeader(f.t, r, "Authorization", "Chatra.Simple "+testPublic+":"+testSecret)
	testHeader(f.t, r, "Content-Type", "application/json")
	testHeader(f.t, r, "User-Agent", userAgent)
	if r.URL.Path != testPrefix+"messages/" {
		f.t.Errorf("path = %s, want %smessages/", r.URL.Path, testPrefix)
	}
	if status := f.failOn[f.requests]; status != 0 {
		f.fail = append([]int{status}, f.fail...)
	}
	if len(f.fail) > 0 {
		status := f.fail[0]
		f.fail = f.fail[1:]
		if len(f.header) > 0 {
			if f.header[0] != "" {
				w.Header().Set("Retry-After", f.header[0])
			}
			f.header = f.header[1:]
		}
		w.Header().Set("Location", "/elsewhere") // a redirect must not be followed
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"error":"failed on demand"}`)
		return
	}
	var m messageBody
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		f.t.Errorf("body: %v", err)
	}
	if n := chars(m.Text); n < 1 || n > maxTextChars {
		f.t.Errorf("text of %d characters: Chatra takes 1 to %d", n, maxTextChars)
	}
	if m.AgentEmail == "" || m.AgentName == "" || m.ReceivedFrom == "" {
		f.t.Errorf("agentEmail, agentName and receivedFrom go together: %+v", m)
	}
	agentID, ok := f.agents[m.AgentEmail]
	if !ok { // Chatra creates an agent for an email it does not know
		agentID = fakeID('A', len(f.agents)+1)
		f.agents[m.AgentEmail] = agentID
	}
	f.messages = append(f.messages, m)
	n := len(f.messages)
	rm := restMessage{ID: fakeID('M', n), Type: typeAgent, Text: m.Text, ClientID: m.ClientID, AgentID: agentID,
		CreatedAt: fakeCreatedAt(n), ReceivedFrom: m.ReceivedFrom}
	f.taken = append(f.taken, rm)
	body, _ := json.Marshal(rm)
	if f.answer != nil {
		body = []byte(f.answer(rm))
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// echo is the chatFragment webhook in which Chatra shows the i-th message it took
// (counting from 0), with our receivedFrom when marked is set; whether Chatra echoes
// receivedFrom is not confirmed, so tests try both. It holds only confirmed fields.
func (f *fakeChatra) echo(i int, marked bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.taken[i]
	msg := map[string]any{"id": m.ID, "type": m.Type, "text": m.Text, "createdAt": m.CreatedAt}
	if marked {
		msg["receivedFrom"] = m.ReceivedFrom
	}
	b, err := json.Marshal(map[string]any{"eventName": eventFragment, "client": map[string]any{"id": m.ClientID},
		"agents": []any{map[string]any{"id": m.AgentID}}, "messages": []any{msg}})
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

// ids returns the ids of the messages the fake took, in order.
func (f *fakeChatra) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, m := range f.taken {
		ids = append(ids, m.ID)
	}
	return ids
}

// failAt makes request n (counting from 1) fail with status.
func (f *fakeChatra) failAt(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn == nil {
		f.failOn = map[int]int{}
	}
	f.failOn[n] = status
}

// failNext makes the next requests fail with statuses.
func (f *fakeChatra) failNext(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, statuses...)
}

func (f *fakeChatra) sent() []messageBody {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]messageBody(nil), f.messages...)
}

func (f *fakeChatra) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// fakeSeen is the store's Seen and Known in memory (store.Redis: SET NX with a TTL, and
// EXISTS, shared by every replica): first is true the first time an id is recorded in a
// scope; Known records nothing. Nothing expires. fail, when set, is returned and nothing
// is recorded.
type fakeSeen struct {
	mu    sync.Mutex
	ids   map[string]time.Duration // scope + " " + id → ttl
	calls int
	fail  error
}

func newFakeSeen() *fakeSeen { return &fakeSeen{ids: map[string]time.Duration{}} }

func (s *fakeSeen) Seen(_ context.Context, scope, id string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return false, s.fail
	}
	k := scope + " " + id
	if _, ok := s.ids[k]; ok {
		return false, nil
	}
	s.ids[k] = ttl
	return true, nil
}

func (s *fakeSeen) Known(_ context.Context, scope, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return false, s.fail
	}
	_, ok := s.ids[scope+" "+id]
	return ok, nil
}

// has reports whether id was recorded in scope, and for how long.
func (s *fakeSeen) has(scope, id string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl, ok := s.ids[scope+" "+id]
	return ttl, ok
}

// count returns how many calls the fake took.
func (s *fakeSeen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}
