package gladlytest

import (
	"net/http"
	"slices"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/awaittest"
)

// Call is one request the fake took (its credentials and path were right).
type Call struct {
	Method string
	Path   string // under /api/v1, such as /conversations/{id}
	Body   string
	Header http.Header
}

// String is "METHOD path".
func (c Call) String() string { return c.Method + " " + c.Path }

// Failure is an answer the fake gives instead of the real one: to the next request, or to
// the next one whose "METHOD path" (path under /api/v1) starts with On.
type Failure struct {
	On         string
	Status     int
	RetryAfter string // the Retry-After header, if any
	Body       string
}

// FailNext queues f. Failures are answered in the order queued, each once, after the rate
// limit.
func (s *Server) FailNext(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// Calls returns the requests taken so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Called returns the requests taken so far as "METHOD path".
func (s *Server) Called() []string {
	var out []string
	for _, c := range s.Calls() {
		out = append(out, c.String())
	}
	return out
}

// Reset forgets the requests taken so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Await waits up to timeout for a request taken that match accepts, looking at those
// taken already too, and returns the first; ok is false when none came in time.
func (s *Server) Await(timeout time.Duration, match func(Call) bool) (c Call, ok bool) {
	return awaittest.Await(timeout, func() ([]Call, <-chan struct{}) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Clone(s.calls), s.changed.C()
	}, match)
}

// SetRateLimit answers more than perSecond requests of one method within a wall-clock
// second 429, with the rate-limit headers on every answer; 0 turns the limit off.
func (s *Server) SetRateLimit(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perSecond = perSecond
}

// TooMany returns how many requests the rate limit answered 429.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.over
}
