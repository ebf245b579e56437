package chatratest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/frontdeskhq/frontdesk/connectors/internal/awaittest"
)

// MaxTextChars is the longest text Chatra takes in one message ("plain, 1 to 5000
// characters", chatra_send_message), counted in UTF-16 code units as JavaScript does.
const MaxTextChars = 5000

// maxBody bounds a request body the fake reads.
const maxBody = 1 << 20

// Sent is the body of POST messages/ as Frontdesk sends it (chatra_send_message): the
// visitor, the text, and the team identity the message goes out under.
type Sent struct {
	ClientID     string `json:"clientId"`
	Text         string `json:"text"`
	AgentEmail   string `json:"agentEmail"`
	AgentName    string `json:"agentName"`
	ReceivedFrom string `json:"receivedFrom"`
}

// Message is a message as Chatra's REST API answers it (chatra_get_message).
type Message struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Text         string `json:"text"`
	ClientID     string `json:"clientId"`
	AgentID      string `json:"agentId"`
	CreatedAt    int64  `json:"createdAt"`
	ReceivedFrom string `json:"receivedFrom,omitempty"`
	// Edits counts the PUTs that changed it; Deleted is set by a DELETE. Neither is part
	// of Chatra's answer.
	Edits   int  `json:"-"`
	Deleted bool `json:"-"`
}

// Edit is the body of PUT messages/{id}: the message's new text, as the summary of Chatra's
// reference names it (https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_edit_message;
// the exact body is not published, so the field is the one POST messages/ takes).
type Edit struct {
	Text string `json:"text"`
}

// Request is one request the fake got under its API, with the status it was answered.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Status int
}

// Failure is an answer the fake gives instead of taking a message.
type Failure struct {
	Status     int
	RetryAfter string // the Retry-After header, if any
	Body       string // `{"error":"failed on demand"}` when empty
}

// Server is a fake Chatra REST API listening on a local address. Its methods are safe
// for concurrent use, and the values they return are copies.
type Server struct {
	// URL is the server's root, such as http://127.0.0.1:PORT; the API is under
	// APIURL().
	URL string

	srv  *httptest.Server
	auth string        // the Authorization header it takes
	done chan struct{} // closed by Close: a delayed answer stops waiting

	mu       sync.Mutex
	prefix   string
	requests []Request
	sent     []Sent
	taken    []Message         // what Chatra made of sent, in order
	changed  awaittest.Changed // told when a message is taken
	agents   map[string]string // agentEmail → the agent id Chatra gave it
	fail     []Failure         // answered before taking messages again
	failAt   map[int]Failure   // request number (from 1) → its answer
	answer   func(Message) string
	delay    time.Duration
	strays   []string
}

// New starts a fake Chatra API that takes the API keys public and secret, under /api/.
// Close it when done.
func New(public, secret string) *Server {
	s := &Server{auth: "Chatra.Simple " + public + ":" + secret, prefix: "/api/",
		done:   make(chan struct{}),
		agents: map[string]string{}, failAt: map[int]Failure{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, cutting short any answer SetDelay holds back.
func (s *Server) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.srv.Close()
}

// SetDelay holds every answer back d from now on, or until the client gives up or
// Close; 0 answers at once.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetPrefix serves the API under prefix (such as "/chatra-proxy/api/", a proxy's path)
// instead of /api/ from now on.
func (s *Server) SetPrefix(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefix = strings.TrimSuffix(prefix, "/") + "/"
}

// APIURL is what the connector's APIURL (CHATRA_API_URL) is set to: URL and the prefix.
func (s *Server) APIURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.URL + s.prefix
}

// MessageID is the id the fake gives the n-th message it takes (from 1), in Chatra's
// style.
func MessageID(n int) string { return id('M', n) }

// CreatedAt is when the fake takes its n-th message, in ms since the epoch.
func CreatedAt(n int) int64 { return 1763661900000 + int64(n)*1000 }

// id is the n-th id of kind ('M' message, 'A' agent) in Chatra's style.
func id(kind byte, n int) string { return fmt.Sprintf("%cq%015d", kind, n) }

// chars counts s in UTF-16 code units, as JavaScript does.
func chars(s string) int { return len(utf16.Encode([]rune(s))) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	status, out := s.take(w.Header(), r, body)
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if !awaittest.Sleep(delay, r.Context().Done(), s.done) {
		return
	}
	writeJSON(w, status, out)
}

// take decides the answer to a request with body, records it, and sets the answer's
// headers in h.
func (s *Server) take(h http.Header, r *http.Request, body []byte) (status int, out string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgID, under := strings.CutPrefix(r.URL.Path, s.prefix+"messages/")
	if !under || strings.Contains(msgID, "/") {
		s.strays = append(s.strays, fmt.Sprintf("%s %s: outside %smessages/", r.Method, r.URL.Path, s.prefix))
		return http.StatusNotFound, `{"error":"not here"}`
	}
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	req := &s.requests[len(s.requests)-1]
	answer := func(status int, body string) (int, string) {
		req.Status = status
		return status, body
	}
	if msgID == "" && r.Method != http.MethodPost || msgID != "" && r.Method != http.MethodPut && r.Method != http.MethodDelete {
		s.strays = append(s.strays, r.Method+" "+strings.TrimPrefix(r.URL.Path, s.prefix))
		return answer(http.StatusMethodNotAllowed, `{"error":"method not allowed"}`)
	}
	if got := r.Header.Get("Authorization"); got != s.auth {
		s.strays = append(s.strays, fmt.Sprintf("Authorization %q", mask(got)))
		return answer(http.StatusUnauthorized, `{"error":"unauthorized"}`)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && r.Method != http.MethodDelete {
		s.strays = append(s.strays, "Content-Type "+ct)
	}
	if f, ok := s.failAt[len(s.requests)]; ok {
		s.fail = append([]Failure{f}, s.fail...)
	}
	if len(s.fail) > 0 {
		f := s.fail[0]
		s.fail = s.fail[1:]
		if f.RetryAfter != "" {
			h.Set("Retry-After", f.RetryAfter)
		}
		h.Set("Location", "/elsewhere") // a redirect must not be followed
		return answer(f.Status, cmp.Or(f.Body, `{"error":"failed on demand"}`))
	}
	if msgID != "" {
		return answer(s.change(r.Method, msgID, body))
	}
	var m Sent
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		s.strays = append(s.strays, "body: "+err.Error())
		return answer(http.StatusBadRequest, `{"error":"bad body"}`)
	}
	if n := chars(m.Text); n < 1 || n > MaxTextChars {
		s.strays = append(s.strays, fmt.Sprintf("text of %d characters: Chatra takes 1 to %d", n, MaxTextChars))
		return answer(http.StatusBadRequest, `{"error":"text"}`)
	}
	if m.AgentEmail == "" || m.AgentName == "" || m.ReceivedFrom == "" {
		s.strays = append(s.strays, fmt.Sprintf("agentEmail, agentName and receivedFrom go together: %+v", m))
		return answer(http.StatusBadRequest, `{"error":"agent"}`)
	}
	agentID, ok := s.agents[m.AgentEmail]
	if !ok { // Chatra creates an agent for an email it does not know
		agentID = id('A', len(s.agents)+1)
		s.agents[m.AgentEmail] = agentID
	}
	s.sent = append(s.sent, m)
	n := len(s.sent)
	rm := Message{ID: MessageID(n), Type: "agent", Text: m.Text, ClientID: m.ClientID, AgentID: agentID,
		CreatedAt: CreatedAt(n), ReceivedFrom: m.ReceivedFrom}
	s.taken = append(s.taken, rm)
	s.changed.Broadcast()
	b, _ := json.Marshal(rm)
	if s.answer != nil {
		return answer(http.StatusOK, s.answer(rm))
	}
	return answer(http.StatusOK, string(b))
}

// change edits (PUT) or deletes (DELETE) message id, answering the message as it now is
// (https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_edit_message,
// https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_delete_message). A
// message it does not have, or has deleted, is 404: the fake's choice, unpublished.
func (s *Server) change(method, id string, body []byte) (int, string) {
	i := slices.IndexFunc(s.taken, func(m Message) bool { return m.ID == id })
	if i < 0 || s.taken[i].Deleted {
		return http.StatusNotFound, `{"error":"message not found"}`
	}
	m := &s.taken[i]
	if method == http.MethodDelete {
		m.Deleted = true
		s.changed.Broadcast()
		return http.StatusOK, `{"ok":true}`
	}
	var e Edit
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		s.strays = append(s.strays, "edit body: "+err.Error())
		return http.StatusBadRequest, `{"error":"bad body"}`
	}
	if n := chars(e.Text); n < 1 || n > MaxTextChars {
		s.strays = append(s.strays, fmt.Sprintf("edit of %d characters: Chatra takes 1 to %d", n, MaxTextChars))
		return http.StatusBadRequest, `{"error":"text"}`
	}
	m.Text = e.Text
	m.Edits++
	s.changed.Broadcast()
	b, _ := json.Marshal(m)
	return http.StatusOK, string(b)
}

// Message returns message id as it now is (edited, deleted).
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.taken, func(m Message) bool { return m.ID == id })
	if i < 0 {
		return Message{}, false
	}
	return s.taken[i], true
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// mask keeps the scheme of an Authorization header, not its keys.
func mask(auth string) string {
	if i := strings.IndexByte(auth, ' '); i > 0 {
		return auth[:i] + " …"
	}
	return "…"
}

// FailNext answers the next requests with fs, one each, before taking messages again.
func (s *Server) FailNext(fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, fs...)
}

// FailAt answers request n (counting from 1, every request under messages/) with f.
func (s *Server) FailAt(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt[n] = f
}

// SetAnswer makes the body of the answer to a message taken answer(the message), for
// shapes the docs are silent on; nil answers the message as JSON.
func (s *Server) SetAnswer(answer func(Message) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = answer
}

// Requests returns the requests made under messages/, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Sent returns the bodies of the messages taken, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Taken returns the messages Chatra made of what it took, in order.
func (s *Server) Taken() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.taken...)
}

// IDs returns the ids of the messages taken, in order.
func (s *Server) IDs() []string {
	var ids []string
	for _, m := range s.Taken() {
		ids = append(ids, m.ID)
	}
	return ids
}

// Strays returns what the fake held against requests, oldest first: see the package
// comment.
func (s *Server) Strays() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.strays...)
}

// Await waits up to timeout for a message taken that match accepts, looking at those
// taken already too, and returns the first; ok is false when none came in time.
func (s *Server) Await(timeout time.Duration, match func(Message) bool) (m Message, ok bool) {
	return awaittest.Await(timeout, func() ([]Message, <-chan struct{}) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Clone(s.taken), s.changed.C()
	}, match)
}
