package slacktest

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// fault makes the next n calls of a method fail with an HTTP status.
type fault struct {
	n          int
	status     int
	retryAfter time.Duration
}

// RateLimit makes the next n calls of method answer HTTP 429 with a Retry-After header
// (whole seconds, at least 1) and {"ok":false,"error":"ratelimited"}, as Slack does.
func (s *Sim) RateLimit(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = &fault{n: n, status: http.StatusTooManyRequests, retryAfter: retryAfter}
}

// FailWith makes the next n calls of method answer the HTTP status (e.g. 500, 503)
// with an HTML body, as Slack's front end does when something is down.
func (s *Sim) FailWith(method string, n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = &fault{n: n, status: status}
}

// takeFault consumes one pending failure of method. Call with s.mu held.
func (s *Sim) takeFault(method string) (status int, retryAfter string, ok bool) {
	f := s.faults[method]
	if f == nil || f.n <= 0 {
		return 0, "", false
	}
	f.n--
	secs := max(1, int(math.Ceil(f.retryAfter.Seconds())))
	return f.status, strconv.Itoa(secs), true
}
