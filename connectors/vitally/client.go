package vitally

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// maxBody bounds an answer read from Vitally.
const maxBody = 4 << 20

// client calls Vitally's REST API at one base URL with one secret. Every request passes
// through the process's gate, which keeps the account under its rate limit.
type client struct {
	base string // no trailing slash
	auth string // the Authorization header
	hc   *http.Client
	gate *gate
}

// authHeader is the Basic header for secret: Vitally's secret is the user name and the
// password is empty. A secret given as the whole header Vitally shows ("Basic ...") is
// used as it is.
func authHeader(secret string) string {
	secret = strings.TrimSpace(secret)
	if len(secret) > 6 && strings.EqualFold(secret[:6], "basic ") {
		return "Basic " + strings.TrimSpace(secret[6:])
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(secret+":"))
}

// apiError is an answer other than 2xx.
type apiError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *apiError) Error() string {
	msg := ""
	if e.Message != "" {
		msg = ": " + e.Message
	}
	return fmt.Sprintf("vitally: %s %s answered %d%s", e.Method, e.Path, e.Status, msg)
}

// statusOf is the HTTP status of a Vitally error, or 0.
func statusOf(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// do sends a request and decodes a 2xx answer's JSON into out (when not nil). Errors follow
// the outbox's rules: 429 waits for RateLimit-Reset; 401, 403, 408 and 5xx are retried
// (an admin may fix the secret; an outage ends), 400 and other 4xx are permanent. The
// path, never the base URL, appears in errors.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return tickets.Permanent(fmt.Errorf("vitally: encode %s %s: %w", method, path, err))
		}
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	if err := c.gate.wait(ctx); err != nil {
		return err
	}
	what := "vitally: " + method + " " + path
	resp, err := httpsrc.Do(ctx, c.hc, httpsrc.Request{
		Method: method, URL: u, What: what, Body: b, MaxBody: maxBody, Answered: c.gate.done,
		Header: http.Header{"Authorization": {c.auth}, "Accept": {"application/json"}},
	})
	switch {
	case err != nil:
		return err
	case resp.ReadErr != nil:
		return fmt.Errorf("%s: read answer: %w", what, resp.ReadErr)
	case resp.Status < 200 || resp.Status > 299:
		return classify(&apiError{Method: method, Path: path, Status: resp.Status, Message: errorMessage(resp.Body)}, resp.Header)
	case out == nil:
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("%s: undecodable answer: %w", what, err)
	}
	return nil
}

// classify wraps e in what the outbox should do about it.
func classify(e *apiError, h http.Header) error {
	switch s := e.Status; {
	case s == http.StatusTooManyRequests:
		return &tickets.RetryAfterError{After: resetOf(h), Err: e}
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		// The secret is wrong or was rolled: retried (slowly) so nothing is lost while an
		// admin puts the new one in.
		return &tickets.RetryAfterError{After: time.Minute, Err: e}
	case s == http.StatusRequestTimeout || s >= 500:
		return e
	default:
		return tickets.Permanent(e)
	}
}

// errorMessage is the message of Vitally's error body {"statusCode":..,"message":".."},
// clipped; "" when there is none.
func errorMessage(raw []byte) string {
	var b struct {
		Message any `json:"message"`
	}
	if json.Unmarshal(raw, &b) != nil || b.Message == nil {
		return ""
	}
	s, ok := b.Message.(string)
	if !ok {
		m, _ := json.Marshal(b.Message)
		s = string(m)
	}
	return tickets.Clip(s, 300)
}

// resetOf is the pause RateLimit-Reset asks for (seconds), at least a second.
func resetOf(h http.Header) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("RateLimit-Reset")))
	if err != nil || n < 1 {
		return time.Second
	}
	return min(time.Duration(n)*time.Second, httpsrc.MaxRetryAfter)
}

// gate keeps this process's requests within Vitally's rate limit (by default 1000 a
// minute, a sliding window shared by everyone using the account). It believes the
// RateLimit-Remaining and RateLimit-Reset headers of the latest answer, less the requests
// still in flight, and keeps a reserve for other processes: when the window is nearly
// full, requests wait for RateLimit-Reset, up to maxWait; beyond that a request fails with
// a RetryAfterError so that the outbox waits instead. Until an answer has told it the
// state of the window, one request at a time goes out to find out.
type gate struct {
	mu        sync.Mutex
	known     bool      // an answer has told us the state of the window
	remaining int       // RateLimit-Remaining of the latest answer
	resetAt   time.Time // when the oldest request in that window leaves it
	inFlight  int       // requests sent and not yet answered
	reserve   int
	maxWait   time.Duration
	now       func() time.Time
	sleep     func(context.Context, time.Duration) bool
}

// newGate returns a gate keeping reserve requests of the window free.
func newGate(reserve int, maxWait time.Duration) *gate {
	return &gate{reserve: reserve, maxWait: maxWait, now: time.Now, sleep: httpsrc.Sleep}
}

// probeWait is how long a request waits while another finds out the window's state.
const probeWait = 10 * time.Millisecond

// wait blocks until a request may be sent, and counts it in flight; done must follow.
func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		now := g.now()
		if g.known && !g.resetAt.After(now) && g.remaining-g.inFlight <= g.reserve {
			g.known = false // the window has moved on since: find out again
		}
		var d time.Duration
		switch {
		case !g.known && g.inFlight == 0, g.known && g.remaining-g.inFlight > g.reserve:
			g.inFlight++
			g.mu.Unlock()
			return nil
		case !g.known:
			d = probeWait
		default:
			d = g.resetAt.Sub(now)
		}
		g.mu.Unlock()
		if d > g.maxWait {
			return &tickets.RetryAfterError{After: d, Err: errors.New("vitally: rate limit reached")}
		}
		if !g.sleep(ctx, d) {
			return ctx.Err()
		}
	}
}

// done ends a request counted by wait, learning the window's state from its answer (nil
// when the request failed).
func (g *gate) done(resp *http.Response) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	if resp == nil {
		return
	}
	rem, err1 := strconv.Atoi(strings.TrimSpace(resp.Header.Get("RateLimit-Remaining")))
	reset, err2 := strconv.Atoi(strings.TrimSpace(resp.Header.Get("RateLimit-Reset")))
	if err1 != nil || err2 != nil {
		if !g.known && resp.StatusCode != http.StatusTooManyRequests {
			// No headers at all: nothing to go by but 429s.
			g.known, g.remaining, g.resetAt = true, 1<<30, g.now().Add(time.Hour)
		}
		return
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		rem = 0
	}
	g.known, g.remaining = true, rem
	g.resetAt = g.now().Add(time.Duration(max(reset, 1)) * time.Second)
}
