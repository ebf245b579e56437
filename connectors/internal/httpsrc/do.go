package httpsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Request is one call a connector makes to a third party's HTTP API, for Do.
type Request struct {
	Method string
	// URL is where the request goes. It never appears in Do's errors: it may carry a
	// secret.
	URL string
	// What names the call in errors ("webhook: callback"): short, and free of URLs, ids and
	// text.
	What string
	// Header is sent as it is (Do does not change it); Content-Type is added when the
	// request has a body and Header has none.
	Header http.Header
	// Body is sent as it is, as application/json; a nil Body and a nil JSON send none.
	Body []byte
	// JSON, when not nil and Body is nil, is encoded as the body.
	JSON any
	// MaxBody bounds what is read of a 2xx answer's body, MaxErrorBody (MaxBody when 0)
	// that of any other answer. A longer body is cut there and marked Truncated.
	MaxBody, MaxErrorBody int64
	// Timeout, when not 0, bounds the call, its answer's body read included.
	Timeout time.Duration
	// Answered, when not nil, is called once per Do, as soon as the answer's status and
	// header are there and before its body is read, or with nil when there is no answer
	// (the request could not be encoded, built or sent): what a rate limiter that counts
	// requests in flight and reads rate-limit headers needs. It must not read the body.
	Answered func(*http.Response)
}

// Response is an answer Do had: its status, its header and the start of its body.
type Response struct {
	Status int
	Header http.Header
	// Body is the answer's body, at most Request.MaxBody (or MaxErrorBody) bytes.
	Body []byte
	// Truncated reports that the body was longer than the bound: Body is its start, and the
	// rest was not read.
	Truncated bool
	// ReadErr is why the body could not be read to its end (Body holds what was), without
	// the URL; whether it matters is the caller's call (the status was answered).
	ReadErr error

	url *url.URL // the request's, for Location
}

// Location is the URL the answer's Location header names, resolved against the request's
// URL, as http.Response.Location does. Its errors never name the request's URL.
func (r Response) Location() (*url.URL, error) {
	resp := http.Response{Header: r.Header, Request: &http.Request{URL: r.url}}
	loc, err := resp.Location()
	return loc, WithoutURL(err)
}

// Do sends r with hc and reads the answer, within ctx: the build, send and bounded read
// the connectors' HTTP clients share. What the answer's status means (Classify, or a
// vendor's own rules) is left to the caller. Errors are r.What's and never name r.URL: a
// body that does not encode or a request that cannot be built is permanent; a failure to
// send or to get an answer (network, timeout, ctx ended) is a plain (transient) error.
// An answer, whatever its status, is no error; a body that could not be read to its end
// is Response.ReadErr.
func Do(ctx context.Context, hc *http.Client, r Request) (Response, error) {
	answered := func(resp *http.Response) {
		if r.Answered != nil {
			r.Answered(resp)
		}
	}
	body := r.Body
	if body == nil && r.JSON != nil {
		b, err := json.Marshal(r.JSON)
		if err != nil {
			answered(nil)
			return Response{}, tickets.Permanent(fmt.Errorf("%s: encode: %w", r.What, err))
		}
		body = b
	}
	if r.Timeout != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, rd)
	if err != nil {
		answered(nil)
		return Response{}, tickets.Permanent(fmt.Errorf("%s: %w", r.What, WithoutURL(err)))
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	answered(resp)
	if err != nil {
		return Response{}, fmt.Errorf("%s: %w", r.What, WithoutURL(err))
	}
	defer resp.Body.Close()
	max := r.MaxBody
	if r.MaxErrorBody != 0 && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		max = r.MaxErrorBody
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	out := Response{Status: resp.StatusCode, Header: resp.Header, Body: b, ReadErr: WithoutURL(err), url: req.URL}
	if int64(len(b)) > max {
		out.Body, out.Truncated = b[:max], true
	}
	return out, nil
}
