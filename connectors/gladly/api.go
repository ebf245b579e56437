package gladly

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// userAgent is sent with every call.
const userAgent = "Frontdesk-Gladly/1"

// Limits on what is read of Gladly's answers: a conversation's items (up to 1000, with
// their texts) may be large; an error body is short.
const (
	maxAnswerBytes = 16 << 20
	maxErrorBytes  = 64 << 10
)

// call sends one request to Gladly's API, as the API user, and decodes a 2xx answer's
// JSON into out (when not nil). what names the call in errors ("gladly: reply"): short,
// since Slack shows the start of an error to agents, and free of ids and text. path is
// relative to the API root, escaped. Errors follow the outbox's rules
// (httpsrc.Classify): a *tickets.RetryAfterError for 429 (Gladly sends no Retry-After:
// a second), a plain error for a network
// failure, 408 or 5xx, a permanent one for any other status; the message carries
// Gladly's errors[] (attr: code: detail) when the answer has them. Calls are paced under
// Gladly's rate limit first (pacer).
func (c *Client) call(ctx context.Context, method, what, path string, in, out any) (http.Header, error) {
	max := int64(maxErrorBytes)
	if out != nil {
		max = maxAnswerBytes
	}
	resp, err := c.send(ctx, method, what, path, in, max)
	if err != nil {
		return nil, err
	}
	if err := httpsrc.Classify(what, resp.Status, resp.Header, c.now()); err != nil {
		if says := gladlySays(resp.Body); says != "" {
			err = fmt.Errorf("%w: Gladly says %s", err, says)
		}
		if resp.Status == http.StatusMovedPermanently {
			err = &movedError{NewID: movedTo(resp.Body), Location: resp.Header.Get("Location"), err: err}
		}
		return resp.Header, err
	}
	if out != nil {
		if err := json.NewDecoder(bytes.NewReader(resp.Body)).Decode(out); err != nil {
			if resp.ReadErr != nil {
				err = resp.ReadErr
			}
			// A proxy's page or a cut answer: worth another try, until RetryFor.
			return resp.Header, fmt.Errorf("%s: unreadable answer: %w", what, err)
		}
	}
	return resp.Header, nil
}

// send sends one request to Gladly's API, as the API user, with in as its JSON body (when
// not nil), once the pacer lets it go and within c.timeout, and returns Gladly's answer,
// whatever its status, with at most max bytes of a 2xx body and maxErrorBytes of another;
// redirects are not followed. Errors: the pacer's, a body that does not encode
// (permanent), a network failure (transient).
func (c *Client) send(ctx context.Context, method, what, path string, in any, max int64) (httpsrc.Response, error) {
	if err := c.pace.wait(ctx, method); err != nil {
		return httpsrc.Response{}, err
	}
	return httpsrc.Do(ctx, c.hc, httpsrc.Request{
		Method: method, URL: c.base + path, What: what, JSON: in,
		MaxBody: max, MaxErrorBody: maxErrorBytes, Timeout: c.timeout,
		Header:   http.Header{"Authorization": {c.basicAuth()}, "Accept": {"application/json"}, "User-Agent": {userAgent}},
		Answered: func(resp *http.Response) { c.pace.observe(method, resp) },
	})
}

// basicAuth is the Authorization header of the API user (HTTP Basic: email and token).
func (c *Client) basicAuth() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.email+":"+c.token))
}

// Limits on what Gladly's error details add to an error message (it reaches Slack).
const (
	maxErrorDetails    = 5
	maxErrorDetailSize = 300
)

// apiErrors is the body of Gladly's failed answers (developer.gladly.com/rest, Error Handling):
// {"errors":[{"attr":"assignee.inboxId","code":"blank","detail":"..."}]}.
type apiErrors struct {
	Errors []struct {
		Attr   string          `json:"attr"`
		Code   string          `json:"code"`
		Detail string          `json:"detail"`
		Meta   json.RawMessage `json:"meta"`
	} `json:"errors"`
}

// movedError is a 301: the resource has a new id, e.g. a customer merged into another
// ("moved", with meta.new; https://developer.gladly.com/rest/#operation/getCustomer).
// It wraps the permanent error Classify made of the answer.
type movedError struct {
	NewID    string // errors[].meta.new, when the answer has it
	Location string // the Location header, when there is one
	err      error
}

func (e *movedError) Error() string { return e.err.Error() }
func (e *movedError) Unwrap() error { return e.err }

// movedTo is the new id a 301's body names (errors[].meta.new), or "".
func movedTo(body []byte) string {
	var e apiErrors
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	for _, d := range e.Errors {
		var meta struct {
			New string `json:"new"`
		}
		if json.Unmarshal(d.Meta, &meta) == nil && strings.TrimSpace(meta.New) != "" {
			return strings.TrimSpace(meta.New)
		}
	}
	return ""
}

// gladlySays renders the errors[] of body as "attr: code: detail; ...", or "" when body
// holds none. It keeps to a few short entries: the text ends up in Slack.
func gladlySays(body []byte) string {
	var e apiErrors
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	for i, d := range e.Errors {
		if i == maxErrorDetails {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Errors)-i))
			break
		}
		var fs []string
		for _, f := range []string{d.Attr, d.Code, d.Detail} {
			if f = strings.TrimSpace(f); f != "" {
				fs = append(fs, f)
			}
		}
		if len(fs) > 0 {
			parts = append(parts, tickets.Clip(strings.Join(fs, ": "), maxErrorDetailSize))
		}
	}
	return strings.Join(parts, "; ")
}
