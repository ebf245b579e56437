package vitallytest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default rate limit of the fake, Vitally's documented one.
const (
	DefaultRateLimit  = 1000
	DefaultRateWindow = time.Minute
)

// MaxBodyBytes is the largest request body the fake takes; a larger one is answered 413.
const MaxBodyBytes = 1 << 20

// Request is one request the fake received, with the status it was answered.
type Request struct {
	Method string
	Path   string
	Query  string // the raw query, without "?"
	Status int
	Body   []byte
}

// Server is a fake Vitally REST API listening on a local address. Its methods are safe
// for concurrent use, and the values they return are copies.
type Server struct {
	// URL is the base URL of the API, such as http://127.0.0.1:PORT, without a trailing
	// slash; every route is under URL + "/resources/".
	URL string

	srv    *httptest.Server
	secret string
	mux    *http.ServeMux

	mu  sync.Mutex
	now func() time.Time

	// Rate limiting.
	limit       int
	window      time.Duration
	hits        []time.Time // the requests counted in the window, oldest first
	maxInWindow int
	tooMany     int
	forced      int

	// Outages.
	refuseSchema int
	down         int
	failNext     int
	failStatus   int

	// Data.
	seq       map[string]int
	ids       map[string]bool
	orgs      []Organization
	accounts  []Account
	users     []User
	objects   []CustomObject
	fields    []CustomField
	instances []Instance
	writes    map[string]int

	requests []Request
}

// New starts a fake Vitally API that accepts the API secret secret. Close it when done.
func New(secret string) *Server {
	s := &Server{
		secret: secret,
		now:    time.Now,
		limit:  DefaultRateLimit,
		window: DefaultRateWindow,
		seq:    map[string]int{},
		ids:    map[string]bool{},
		writes: map[string]int{},
	}
	s.mux = s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, waiting for the requests it is answering.
func (s *Server) Close() { s.srv.Close() }

// Secret returns the API secret the server accepts.
func (s *Server) Secret() string { return s.secret }

// SetRateLimit lets at most limit requests in any window of the given length. It
// panics when limit is below 1 or window is not positive.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	if limit < 1 || window <= 0 {
		panic(fmt.Sprintf("vitallytest: bad rate limit %d per %v", limit, window))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.window = limit, window
}

// ForceTooMany answers the next n authorized requests 429 Too Many Requests, whatever
// the window holds.
func (s *Server) ForceTooMany(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = n
}

// SetDown answers every request with status, changing nothing, until SetDown(0).
func (s *Server) SetDown(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = status
}

// FailNext answers the next n requests with status, changing nothing.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failStatus = n, status
}

// TooMany returns how many requests were answered 429, forced or not.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooMany
}

// MaxInWindow returns the most requests the rate limit window ever held.
func (s *Server) MaxInWindow() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInWindow
}

// Requests returns every request received, in order, including the rejected ones.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Count returns how many requests were received with the given method (any method when
// empty) and a path starting with pathPrefix, whatever they were answered.
func (s *Server) Count(method, pathPrefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// Writes returns how many POST and PUT requests on the instances of the custom object
// objectID succeeded.
func (s *Server) Writes(objectID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes[objectID]
}

// setClock makes the server read the time from now; tests use it to move time by hand.
func (s *Server) setClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// serve answers one request: it records it, applies outages, the rate limit and
// authentication, and then routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, tooLarge, err := readBody(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body})
	sw := &statusWriter{ResponseWriter: w}
	defer func(i int) { s.requests[i].Status = sw.status() }(len(s.requests) - 1)
	if !s.admit(sw, r) {
		return
	}
	switch {
	case tooLarge:
		writeError(sw, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes))
	case err != nil:
		writeError(sw, http.StatusBadRequest, "cannot read body: "+err.Error())
	default:
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mux.ServeHTTP(sw, r)
	}
}

// admit sets the rate limit headers and answers the request itself when the API is
// down or failing, when it is over the rate limit and when it is not authorized. It
// reports whether the request goes on to its route. s.mu is held.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	now := s.now()
	s.expire(now)
	switch {
	case s.down != 0:
		s.setRateHeaders(w, now, 0)
		writeError(w, s.down, http.StatusText(s.down))
	case s.failNext > 0:
		s.failNext--
		s.setRateHeaders(w, now, 0)
		writeError(w, s.failStatus, http.StatusText(s.failStatus))
	case len(s.hits) >= s.limit:
		s.tooMany++
		s.setRateHeaders(w, now, 1)
		writeError(w, http.StatusTooManyRequests, "Too Many Requests")
	case !s.authorized(r):
		s.hit(now)
		s.setRateHeaders(w, now, 0)
		writeError(w, http.StatusUnauthorized, "Unauthorized")
	case s.forced > 0:
		s.forced--
		s.tooMany++
		s.setRateHeaders(w, now, 1)
		writeError(w, http.StatusTooManyRequests, "Too Many Requests")
	default:
		s.hit(now)
		s.setRateHeaders(w, now, 0)
		return true
	}
	return false
}

// authorized reports whether r carries Basic credentials with the secret as the
// username and an empty password.
func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return ok && user+":"+pass == s.secret+":"
}

// expire drops the requests that have left the window. s.mu is held.
func (s *Server) expire(now time.Time) {
	i := 0
	for i < len(s.hits) && now.Sub(s.hits[i]) >= s.window {
		i++
	}
	s.hits = s.hits[i:]
}

// hit counts a request made at now in the window. s.mu is held.
func (s *Server) hit(now time.Time) {
	s.hits = append(s.hits, now)
	s.maxInWindow = max(s.maxInWindow, len(s.hits))
}

// setRateHeaders sets the RateLimit-* headers for the window as it is at now, with a
// RateLimit-Reset of at least minReset seconds. s.mu is held.
func (s *Server) setRateHeaders(w http.ResponseWriter, now time.Time, minReset int) {
	windowSecs := max(1, ceilSeconds(s.window))
	reset := 0
	if len(s.hits) > 0 {
		reset = ceilSeconds(s.hits[0].Add(s.window).Sub(now))
	}
	h := w.Header()
	h.Set("RateLimit-Limit", fmt.Sprintf("%d, %d;window=%d", s.limit, s.limit, windowSecs))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, s.limit-len(s.hits))))
	h.Set("RateLimit-Reset", strconv.Itoa(max(minReset, reset)))
}

// ceilSeconds returns d in whole seconds, rounded up, and 0 for a d that is not
// positive.
func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// readBody reads up to MaxBodyBytes of body, reporting whether it holds more.
func readBody(body io.Reader) (data []byte, tooLarge bool, err error) {
	data, err = io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if len(data) > MaxBodyBytes {
		return data[:MaxBodyBytes], true, nil
	}
	return data, false, err
}

// statusWriter remembers the status a response was written with.
type statusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader remembers code and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write writes p, as a 200 response when no status was written.
func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// status returns the status written, 200 when none was.
func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
