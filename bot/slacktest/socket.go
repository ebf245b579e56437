package slacktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxAckSize is the size from which Slack silently drops a Socket Mode response.
const maxAckSize = 20480

// conn is one open Socket Mode WebSocket.
type conn struct {
	id   int
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla allows one writer at a time
	done chan struct{}
	once sync.Once
}

func (c *conn) send(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveSocket is the Socket Mode endpoint that apps.connections.open points at.
func (s *Sim) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	used, known := s.tickets[ticket]
	if known && !used {
		s.tickets[ticket] = true
	}
	s.mu.Unlock()
	if !known || used {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	// The connection is registered (so DropConnections sees it) before hello is
	// written, and holds its write lock until then so that no envelope goes first.
	c := &conn{ws: ws, done: make(chan struct{})}
	c.wmu.Lock()
	s.mu.Lock()
	s.ids.counter++
	c.id = s.ids.counter
	n := len(s.conns) + 1
	closed, refuse := s.closed, s.closed || n > s.opts.maxConns
	if !refuse {
		s.conns = append(s.conns, c)
		s.notify()
	}
	s.mu.Unlock()
	if refuse {
		c.wmu.Unlock()
		if closed {
			c.close()
			return
		}
		_ = c.send(obj{"type": "disconnect", "reason": "too_many_websockets",
			"debug_info": obj{"host": "applink-sim"}})
		c.close()
		return
	}
	_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err = ws.WriteJSON(obj{
		"type": "hello", "num_connections": n,
		"connection_info": obj{"app_id": AppID},
		"debug_info": obj{"host": "applink-sim", "build_number": 1,
			"approximate_connection_time": 18060},
	})
	c.wmu.Unlock()
	if err != nil {
		s.dropConn(c)
		return
	}
	s.wg.Add(1)
	go s.ping(c)
	s.read(c)
}

// ping sends a PING control frame every ping interval, as Slack does.
func (s *Sim) ping(c *conn) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)) != nil {
				return
			}
		}
	}
}

// read records the acks that arrive on c until it closes.
func (s *Sim) read(c *conn) {
	defer s.dropConn(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		// The ack arrived when its frame was read, not when the simulator's lock, which
		// every Web API call takes, let it be recorded.
		s.handleAck(c, data, time.Now())
	}
}

func (s *Sim) handleAck(c *conn, data []byte, arrived time.Time) {
	if len(data) >= maxAckSize {
		s.errorf("an ack of %d bytes arrived; Slack silently drops Socket Mode responses from %d bytes", len(data), maxAckSize)
		return
	}
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
		s.errorf("the app sent a Socket Mode frame that is not an ack: %s", data)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byEnvID[a.EnvelopeID]
	switch {
	case e == nil:
		s.errorf("the app acked unknown envelope %s", a.EnvelopeID)
	case e.ack != nil:
		s.logf("the app acked envelope %s twice", a.EnvelopeID)
	default:
		e.ack = &Ack{EnvelopeID: e.ID, Type: e.Type, Payload: a.Payload,
			Latency: arrived.Sub(e.sentAt), Conn: c.id}
		s.notify()
	}
}

// dropConn forgets a closed connection; the events_api envelopes it carried without an
// ack are redelivered, as Slack retries them.
func (s *Sim) dropConn(c *conn) {
	c.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns = slices.DeleteFunc(s.conns, func(x *conn) bool { return x == c })
	for _, e := range s.envelopes {
		if e.connID == c.id && e.ack == nil && !e.superseded && !e.sentAt.IsZero() {
			e.superseded = true
			if e.Type == "events_api" && !s.closed {
				s.redeliverLater(e)
			}
		}
	}
	s.notify()
}

// dispatch writes queued envelopes, in order, round-robin over the open connections.
func (s *Sim) dispatch() {
	defer s.wg.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for !s.closed && (len(s.queue) == 0 || len(s.conns) == 0) {
			s.cond.Wait()
		}
		if s.closed {
			return
		}
		e := s.queue[0]
		s.queue = s.queue[1:]
		c := s.conns[s.rr%len(s.conns)]
		s.rr++
		if held := s.takeHold(e); held != nil {
			// On the newest connection's wire until it closes (HoldInFlight).
			e.sentAt, e.connID = time.Now(), s.conns[len(s.conns)-1].id
			close(held)
			s.notify()
			continue
		}
		e.sentAt, e.connID = time.Now(), c.id
		if s.takeLoss(e) {
			// The connection dies with this envelope on the wire (LoseInFlight): it
			// never arrives, and dropConn has Slack send it again.
			s.mu.Unlock()
			c.close()
			s.mu.Lock()
			s.notify()
			continue
		}
		wire := e.wire()
		s.mu.Unlock()
		err := c.send(wire)
		s.mu.Lock()
		if err != nil && e.ack == nil && !e.superseded {
			e.sentAt, e.connID = time.Time{}, 0
			s.queue = append([]*Envelope{e}, s.queue...)
			s.conns = slices.DeleteFunc(s.conns, func(x *conn) bool { return x == c })
			go c.close()
		}
		s.notify()
	}
}

// LoseInFlight makes the connection die as the next events_api envelope that match
// accepts is written to it: the envelope is lost on the wire, the app's connection ends
// (it reconnects through apps.connections.open) and Slack sends the envelope again once
// the retry delay (WithRetryDelay) has passed since it was written, after the envelopes
// queued meanwhile. Each call loses one envelope.
func (s *Sim) LoseInFlight(match func(*Envelope) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losses = append(s.losses, match)
}

// hold is a HoldInFlight: which envelope to hold, and the channel closed once held.
type hold struct {
	match func(*Envelope) bool
	held  chan struct{}
}

// HoldInFlight makes the next events_api envelope that match accepts stay on the wire of
// the connection opened last, as if its network stalled: it counts as written to that
// connection but never arrives. When the connection closes (the app stops, say), Slack
// sends it again once the retry delay (WithRetryDelay) has passed since it was written.
// The returned channel is closed once an envelope is held. Each call holds one envelope.
func (s *Sim) HoldInFlight(match func(*Envelope) bool) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := hold{match: match, held: make(chan struct{})}
	s.holds = append(s.holds, h)
	return h.held
}

// takeHold returns the channel of the hold that takes e (HoldInFlight), forgetting the
// hold, or nil. Call with s.mu held.
func (s *Sim) takeHold(e *Envelope) chan struct{} {
	if e.Type != "events_api" || e.RetryAttempt > 0 {
		return nil
	}
	for i, h := range s.holds {
		if h.match(e) {
			s.holds = slices.Delete(s.holds, i, i+1)
			return h.held
		}
	}
	return nil
}

// takeLoss reports whether e is to be lost (LoseInFlight), forgetting the loss that took
// it. Call with s.mu held.
func (s *Sim) takeLoss(e *Envelope) bool {
	if e.Type != "events_api" || e.RetryAttempt > 0 {
		return false
	}
	for i, match := range s.losses {
		if match(e) {
			s.losses = slices.Delete(s.losses, i, i+1)
			return true
		}
	}
	return false
}

// Connections is the number of open Socket Mode connections.
func (s *Sim) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// ExpectConnections waits until n Socket Mode connections are open.
func (s *Sim) ExpectConnections(n int) {
	s.t.Helper()
	if !s.waitFor(s.opts.timeout, func() bool { return len(s.conns) == n }) {
		s.t.Fatalf("slacktest: want %d Socket Mode connections, have %d", n, s.Connections())
	}
}

// DropConnections closes every socket abruptly, as a network failure would; the
// socketmode client reconnects through apps.connections.open.
func (s *Sim) DropConnections() {
	s.mu.Lock()
	conns := slices.Clone(s.conns)
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.waitFor(s.opts.timeout, func() bool {
		for _, c := range conns {
			if slices.Contains(s.conns, c) {
				return false
			}
		}
		return true
	})
}

// Disconnect sends every socket a disconnect message with the reason ("warning",
// "refresh_requested", "link_disabled"…); slack-go then reconnects.
func (s *Sim) Disconnect(reason string) {
	s.mu.Lock()
	conns := slices.Clone(s.conns)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.send(obj{"type": "disconnect", "reason": reason,
			"debug_info": obj{"host": "applink-sim"}})
	}
}
