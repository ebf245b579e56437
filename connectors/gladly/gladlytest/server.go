package gladlytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/awaittest"
)

// maxBody bounds a request body the fake reads.
const maxBody = 4 << 20

// Server is a fake Gladly REST API listening on a local address. Its methods are safe
// for concurrent use, and the values they return are copies.
type Server struct {
	// URL is the server's root, such as http://127.0.0.1:PORT; the API is under
	// BaseURL() + "/api/v1/".
	URL string

	srv         *httptest.Server
	api         *http.ServeMux
	user, token string

	mu            sync.Mutex
	prefix        string
	conversations map[string]map[string]any
	items         map[string][]map[string]any // conversation → its items, oldest first
	profiles      map[string]map[string]any
	moved         map[string]string // customer id → the body of its 301 (a merged customer)
	movedTo       map[string]string // customer id → the Location of its 301
	downloads     map[string]string // attachment id → where its 303 sends (DownloadURL when unset)
	limited       bool              // answer items with Gladly-Limited-Data: true
	// perSecond, when not 0, is Gladly's rate limit: per method and wall-clock second,
	// with the Ratelimit-Limit-Second and Ratelimit-Remaining-Second headers on every
	// answer and a 429 (no Retry-After) past it ("Rate Limit" in
	// https://developer.gladly.com/rest/).
	perSecond int
	second    time.Time
	counts    map[string]int
	over      int // 429s answered
	calls     []Call
	changed   awaittest.Changed // told when a call is recorded
	failures  []Failure
	notes     map[string][]string // conversation → the bodies of the notes added, in order
	strays    []string
}

// New starts a fake Gladly API that takes the API user's email user and API token
// token as its Basic credentials, serving the API at its root and holding no data.
// Close it when done.
func New(user, token string) *Server {
	s := &Server{user: user, token: token, conversations: map[string]map[string]any{},
		items: map[string][]map[string]any{}, profiles: map[string]map[string]any{},
		moved: map[string]string{}, movedTo: map[string]string{}, downloads: map[string]string{},
		notes: map[string][]string{}}
	s.api = s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// SetPrefix serves the API under prefix (such as "/gladly-proxy", a proxy's path) from
// now on: a request outside it is a stray.
func (s *Server) SetPrefix(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefix = strings.TrimSuffix(prefix, "/")
}

// BaseURL is the root the connector's client is pointed at: URL and the prefix.
// GLADLY_BASE_URL takes no path, so tests that configure the connector as an operator
// does set no prefix and use URL.
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.URL + s.prefix
}

func (s *Server) routes() *http.ServeMux {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/conversations/{id}", s.getConversation)
	api.HandleFunc("PATCH /api/v1/conversations/{id}", s.patchConversation)
	api.HandleFunc("GET /api/v1/conversations/{id}/items", s.getItems)
	api.HandleFunc("POST /api/v1/conversations/{id}/topics", s.addTopics)
	api.HandleFunc("GET /api/v1/conversation-items/{id}", s.getItem)
	api.HandleFunc("POST /api/v1/conversation-items/{id}/reply", s.reply)
	api.HandleFunc("GET /api/v1/customer-profiles/{id}", s.getProfile)
	api.HandleFunc("GET /api/v1/conversation-items/{id}/attachments/{att}", s.getAttachment)
	api.HandleFunc("POST /api/v1/conversations/{id}/notes", s.addNote)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.stray(fmt.Sprintf("%s %s: no such route", r.Method, r.URL.Path))
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"no such endpoint"}]}`)
	})
	return api
}

// serve checks the credentials and the prefix, records the call, and answers the rate
// limit and failures on demand before the route.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.user || pass != s.token {
		s.stray(fmt.Sprintf("%s %s: Basic credentials %q, not the API user's", r.Method, r.URL.Path, user))
		writeErrors(w, http.StatusUnauthorized, `{"errors":[{"code":"unauthorized","detail":"bad credentials"}]}`)
		return
	}
	s.mu.Lock()
	prefix := s.prefix
	s.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, prefix+"/api/v1/") {
		s.stray(fmt.Sprintf("%s %s: not under %s/api/v1/", r.Method, r.URL.Path, prefix))
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist"}]}`)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			s.stray(fmt.Sprintf("%s %s: Content-Type %q", r.Method, r.URL.Path, ct))
		}
	}
	path := strings.TrimPrefix(r.URL.Path, prefix)
	call := Call{Method: r.Method, Path: strings.TrimPrefix(path, "/api/v1"), Body: string(body), Header: r.Header.Clone()}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.changed.Broadcast()
	if s.perSecond > 0 {
		if now := time.Now().Truncate(time.Second); !now.Equal(s.second) {
			s.second, s.counts = now, map[string]int{}
		}
		s.counts[r.Method]++
		w.Header().Set("Ratelimit-Limit-Second", fmt.Sprint(s.perSecond))
		w.Header().Set("Ratelimit-Remaining-Second", fmt.Sprint(max(s.perSecond-s.counts[r.Method], 0)))
		if s.counts[r.Method] > s.perSecond {
			s.over++
			s.mu.Unlock()
			writeErrors(w, http.StatusTooManyRequests, `{"errors":[{"code":"rate_limited","detail":"too many requests"}]}`)
			return
		}
	}
	for i, fl := range s.failures {
		if fl.On != "" && !strings.HasPrefix(call.String(), fl.On) {
			continue
		}
		s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
		s.mu.Unlock()
		if fl.RetryAfter != "" {
			w.Header().Set("Retry-After", fl.RetryAfter)
		}
		w.Header().Set("Location", "/elsewhere") // a redirect must not be followed
		writeErrors(w, fl.Status, fl.Body)
		return
	}
	s.mu.Unlock()
	r.URL.Path = path
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	s.api.ServeHTTP(w, r)
}

func (s *Server) stray(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.strays = append(s.strays, why)
}

// Strays returns what the fake held against requests, oldest first: bad credentials, a
// path outside the prefix or of no route (refused), a body sent without Content-Type
// application/json (taken).
func (s *Server) Strays() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.strays...)
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
