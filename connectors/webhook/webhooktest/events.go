package webhooktest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/awaittest"
)

// Event is one attempt at delivering an event that passed the signature check: the
// fields every event has (docs/webhook.md, "Outbound"), the whole body, and how the
// chatbot answered.
type Event struct {
	At     time.Time // when it arrived
	Status int       // what the chatbot answered
	Method string
	Path   string      // the path it was POSTed to
	Query  string      // the raw query, without "?"
	Header http.Header // the request's headers
	Key    string      // the Idempotency-Key header
	Body   []byte      // the raw body
	// Fields is the body decoded: numbers are float64, objects map[string]any.
	Fields map[string]any

	Type      string
	EventID   string
	Ticket    int64
	Member    string
	Channel   string
	App       string
	Text      string
	MessageID string
}

// OK reports whether the chatbot took the attempt (answered 2xx).
func (e Event) OK() bool { return e.Status >= 200 && e.Status < 300 }

// decode reads a callback's body; ok is false when it is not a JSON object.
func decode(body []byte) (Event, bool) {
	var fields map[string]any
	if json.Unmarshal(body, &fields) != nil || fields == nil {
		return Event{}, false
	}
	str := func(k string) string { s, _ := fields[k].(string); return s }
	n, _ := fields["ticket"].(float64)
	return Event{Body: body, Fields: fields, Type: str("type"), EventID: str("event_id"), Ticket: int64(n),
		Member: str("member"), Channel: str("channel"), App: str("app"), Text: str("text"),
		MessageID: str("message_id")}, true
}

// Problems counts what a chatbot following docs/webhook.md would hold against Frontdesk.
type Problems struct {
	BadSignature int // requests that failed the signature or timestamp check (answered 401)
	BadBody      int // requests whose body was not a JSON object (answered 400)
	BadKey       int // attempts whose Idempotency-Key was missing or not their event_id
}

// Problems returns the problems seen so far.
func (c *Chatbot) Problems() Problems {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.problems
}

// Events returns every attempt recorded so far, in arrival order, whatever it was
// answered.
func (c *Chatbot) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

// Delivered returns the attempts of type typ ("" for any) that the chatbot took (2xx),
// the first one of each event_id, in arrival order: the events a chatbot that
// deduplicates by event_id acts on.
func (c *Chatbot) Delivered(typ string) []Event {
	var out []Event
	seen := map[string]bool{}
	for _, e := range c.Events() {
		if (typ == "" || e.Type == typ) && e.OK() && !seen[e.EventID] {
			seen[e.EventID] = true
			out = append(out, e)
		}
	}
	return out
}

// Attempts returns the Idempotency-Key of every attempt at event eventID, in order.
func (c *Chatbot) Attempts(eventID string) []string {
	var keys []string
	for _, e := range c.Events() {
		if e.EventID == eventID {
			keys = append(keys, e.Key)
		}
	}
	return keys
}

// Counts returns how many attempts of each event type came, whatever they were answered.
func (c *Chatbot) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.types)
}

// AcceptedAt is when the chatbot took ticket's first LIVE_CHAT_ACCEPTED (zero: not yet).
func (c *Chatbot) AcceptedAt(ticket int64) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accepted[ticket]
}

// Await waits up to timeout for an attempt the chatbot took (2xx) that match accepts,
// looking at those recorded already too, and returns the first; ok is false when none
// came in time.
func (c *Chatbot) Await(timeout time.Duration, match func(Event) bool) (ev Event, ok bool) {
	return awaittest.Await(timeout, func() ([]Event, <-chan struct{}) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return slices.Clone(c.events), c.changed.C()
	}, func(e Event) bool { return e.OK() && match(e) })
}
