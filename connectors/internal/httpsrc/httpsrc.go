// Package httpsrc is what the connectors that deliver to a customer's side over HTTP share:
// sending a call and reading its answer (Do), turning the answer into the outbox's retry
// rules, reading Retry-After, giving up after a while, keeping configured URLs out of
// errors, and answering inbound requests in JSON.
// It is not a connector; only packages under connectors/ can import it.
package httpsrc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Limits on the pause a 429 asks for.
const (
	DefaultRetryAfter = time.Second      // when a 429 names no pause
	MaxRetryAfter     = 10 * time.Minute // the longest pause a 429 gets
)

// Classify turns an HTTP answer of what (e.g. "webhook: callback") into what the outbox
// should do about it: nil for 2xx; a RetryAfterError for 429; a plain (transient) error for
// 408 and 5xx; a permanent error for any other status, which the same request would get
// again.
func Classify(what string, status int, h http.Header, now time.Time) error {
	err := fmt.Errorf("%s answered %d", what, status)
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusTooManyRequests:
		return &tickets.RetryAfterError{After: ParseRetryAfter(h.Get("Retry-After"), now), Err: err}
	case status == http.StatusRequestTimeout || status >= 500:
		return err
	default:
		return tickets.Permanent(err)
	}
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP date: the pause it
// asks for, at most MaxRetryAfter, or DefaultRetryAfter when it asks for none.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	var d time.Duration
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(s) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	}
	if d <= 0 {
		return DefaultRetryAfter
	}
	return min(d, MaxRetryAfter)
}

// GiveUpAfter makes a transient err permanent once retryFor has passed since at (when
// the event happened): the outbox then sets the delivery aside, and an agent message is
// marked as not delivered in Slack.
func GiveUpAfter(err error, at, now time.Time, retryFor time.Duration) error {
	if err == nil || tickets.IsPermanent(err) || at.IsZero() || now.Sub(at) <= retryFor {
		return err
	}
	return tickets.Permanent(fmt.Errorf("no delivery within %s: %w", retryFor, err))
}

// Sleep waits for d or until ctx ends, and reports whether d passed: the pause a client
// takes for a rate limit or a retry.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// WithoutURL drops the URL from an *url.Error: a configured URL may carry a secret, and
// errors reach logs and, for an agent message given up on, Slack.
func WithoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// RequestError is a request a handler refuses before it reaches the ticket service: the
// status to answer and the "error" of the JSON body.
type RequestError struct {
	Status int
	Msg    string
}

func (e *RequestError) Error() string { return e.Msg }

// BadRequest is a 400 RequestError saying what is wrong.
func BadRequest(format string, args ...any) error {
	return &RequestError{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, args...)}
}

// ErrorRule maps a domain error to the status and the body's "error"; an empty Code means
// the error's own words (without the "tickets: invalid input: " prefix).
type ErrorRule struct {
	Err    error
	Status int
	Code   string
}

// ErrorStatus is what to answer for err: a RequestError's own status, else the first rule
// err matches, else 500 "internal" (internal=true: log it; it is not the caller's doing).
func ErrorStatus(err error, rules []ErrorRule) (status int, msg string, internal bool) {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Status, re.Msg, false
	}
	for _, r := range rules {
		if !errors.Is(err, r.Err) {
			continue
		}
		if r.Code != "" {
			return r.Status, r.Code, false
		}
		return r.Status, strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": "), false
	}
	return http.StatusInternalServerError, "internal", true
}

// NoRedirects is an HTTP client that answers a redirect as it is (a third party's
// endpoint that redirects is misconfigured, and following it could send credentials on),
// over a Pooled transport.
func NoRedirects() *http.Client {
	return &http.Client{
		Transport:     Pooled(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Idle connections a Pooled transport keeps.
const (
	MaxIdleConnsPerHost = 256
	MaxIdleConns        = 2 * MaxIdleConnsPerHost
	IdleConnTimeout     = 90 * time.Second
)

// Pooled returns a transport that keeps its connections for reuse: net/http's default
// transport (its proxy settings, dial and TLS timeouts) with room for MaxIdleConnsPerHost
// idle connections per host. The default keeps 2, and a connector sends to one host with
// many calls in flight, so most calls would dial a new connection (and leave one in
// TIME_WAIT). With more calls in flight than that, each call beyond them dials a
// connection it closes after, which costs both ends CPU when they are busiest; bounding
// the connections instead (MaxConnsPerHost) cost far more here: with it set, the relay
// delivered half as many messages a second in the benchmark.
func Pooled() *http.Transport {
	var t *http.Transport
	if d, ok := http.DefaultTransport.(*http.Transport); ok {
		t = d.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	t.MaxIdleConns, t.MaxIdleConnsPerHost, t.IdleConnTimeout = MaxIdleConns, MaxIdleConnsPerHost, IdleConnTimeout
	return t
}

// ReadBody reads r's body, at most max bytes: a longer one is a 413 RequestError
// ("body_too_large"), an unreadable one a 400.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	tooLarge := &RequestError{Status: http.StatusRequestEntityTooLarge, Msg: "body_too_large"}
	if r.ContentLength > max {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge
	case err != nil:
		return nil, BadRequest("the body could not be read")
	}
	return body, nil
}
