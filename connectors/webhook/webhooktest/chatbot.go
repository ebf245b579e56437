package webhooktest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/awaittest"
)

// maxBody bounds a request body the fake reads (the bound of docs/webhook.md's example).
const maxBody = 2 << 20

// CallbackPath is the path of CallbackURL. The fake takes callbacks on any path and
// records it (Event.Path), so a test may give Frontdesk URL plus a path and query of its
// own.
const CallbackPath = "/frontdesk/events"

// Chatbot is a fake chatbot's callback endpoint listening on a local address. Its
// methods are safe for concurrent use, and the values they return are copies.
type Chatbot struct {
	// URL is the server's root, such as http://127.0.0.1:PORT, without a trailing slash.
	URL string

	srv    *httptest.Server
	secret string
	done   chan struct{} // closed by Close: a delayed answer stops waiting
	conns  atomic.Int64

	onEvent   func(Event)
	noRecords bool

	mu       sync.Mutex
	events   []Event
	changed  awaittest.Changed // told when an event is recorded
	types    map[string]int
	accepted map[int64]time.Time
	problems Problems
	failNext []int
	fail     func(Event) int
	delay    time.Duration
}

// Option changes how New sets a Chatbot up.
type Option func(*Chatbot)

// OnEvent has f called with every attempt that passes the checks, in the handler's
// goroutine before it is answered, without the Chatbot's lock (the benchmark marks agent
// messages arrived with it). Event.Status is not known yet then, and with WithoutRecords
// Event.Header is the request's own, valid only during the call.
func OnEvent(f func(Event)) Option { return func(c *Chatbot) { c.onEvent = f } }

// WithoutRecords keeps only Counts, AcceptedAt, Problems and Connections, not the
// attempts themselves (Events, Delivered and Await see none): for a benchmark that sends
// many thousands.
func WithoutRecords() Option { return func(c *Chatbot) { c.noRecords = true } }

// New starts a fake chatbot whose callbacks Frontdesk signs with secret. Close it when
// done.
func New(secret string, opts ...Option) *Chatbot {
	c := &Chatbot{secret: secret, done: make(chan struct{}),
		types: map[string]int{}, accepted: map[int64]time.Time{}}
	for _, o := range opts {
		o(c)
	}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(c.serve))
	c.srv.Config.ReadHeaderTimeout = 10 * time.Second
	c.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			c.conns.Add(1)
		}
	}
	c.srv.Start()
	c.URL = c.srv.URL
	return c
}

// Close shuts the server down, cutting short any answer SetDelay holds back.
func (c *Chatbot) Close() {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	c.srv.Close()
}

// CallbackURL is what Frontdesk's WEBHOOK_CALLBACK_URL is set to: URL + CallbackPath.
func (c *Chatbot) CallbackURL() string { return c.URL + CallbackPath }

// Connections returns how many TCP connections the server has accepted.
func (c *Chatbot) Connections() int64 { return c.conns.Load() }

// FailNext answers the next attempts with statuses, one each, in order, before FailWith's
// rule and whatever the event.
func (c *Chatbot) FailNext(statuses ...int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failNext = append(c.failNext, statuses...)
}

// FailWith sets the rule for the other attempts: rule returns a status to answer instead
// of 200, or 0 to take the event. It is called under the Chatbot's lock, one attempt at a
// time, in arrival order. nil takes everything.
func (c *Chatbot) FailWith(rule func(Event) int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = rule
}

// SetDelay holds every answer back d from now on, or until Frontdesk gives up waiting
// (its timeout is 10 seconds) or Close. 0 answers at once.
func (c *Chatbot) SetDelay(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delay = d
}

func (c *Chatbot) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if !verified(c.secret, r.Header.Get("X-Frontdesk-Timestamp"), r.Header.Get("X-Frontdesk-Signature"), body, at) {
		c.mu.Lock()
		c.problems.BadSignature++
		c.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	ev, ok := decode(body)
	if !ok {
		c.mu.Lock()
		c.problems.BadBody++
		c.mu.Unlock()
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	ev.At, ev.Method, ev.Path, ev.Query = at, r.Method, r.URL.Path, r.URL.RawQuery
	ev.Header, ev.Key = r.Header, r.Header.Get("Idempotency-Key")
	if !c.noRecords {
		ev.Header = r.Header.Clone()
	}
	if c.onEvent != nil {
		c.onEvent(ev)
	}

	c.mu.Lock()
	ev.Status = http.StatusOK
	switch {
	case len(c.failNext) > 0:
		ev.Status, c.failNext = c.failNext[0], c.failNext[1:]
	case c.fail != nil:
		if s := c.fail(ev); s != 0 {
			ev.Status = s
		}
	}
	c.record(ev)
	delay := c.delay
	c.mu.Unlock()

	if !awaittest.Sleep(delay, r.Context().Done(), c.done) {
		return
	}
	if !ev.OK() {
		http.Error(w, "try again later", ev.Status)
		return
	}
	w.WriteHeader(ev.Status)
}

// record notes ev; c.mu is held.
func (c *Chatbot) record(ev Event) {
	c.types[ev.Type]++
	if ev.Key == "" || ev.Key != ev.EventID {
		c.problems.BadKey++
	}
	if ev.Type == "LIVE_CHAT_ACCEPTED" && ev.OK() {
		if _, ok := c.accepted[ev.Ticket]; !ok {
			c.accepted[ev.Ticket] = ev.At
		}
	}
	if c.noRecords {
		return
	}
	c.events = append(c.events, ev)
	c.changed.Broadcast()
}
