package slacktest

import (
	"encoding/json"
	"time"
)

// Envelope is one Socket Mode message for the app: an events_api event or an
// interactive payload. Its exported fields never change.
type Envelope struct {
	ID           string
	Type         string // "events_api" or "interactive"
	Payload      json.RawMessage
	RetryAttempt int
	RetryReason  string
	EventID      string // events_api: the event_id inside the payload

	// guarded by Sim.mu
	sentAt     time.Time
	connID     int
	ack        *Ack
	superseded bool // redelivered because its connection dropped before the ack
}

// Ack is the app's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	Type       string // the envelope's type
	Payload    json.RawMessage
	Latency    time.Duration // from the envelope's write to the ack's arrival
	Conn       int           // the connection that carried both
}

// ResponseAction is the ack payload's response_action ("errors", "update", "push",
// "clear"), or "" for a plain ack.
func (a Ack) ResponseAction() string {
	var p struct {
		ResponseAction string `json:"response_action"`
	}
	_ = json.Unmarshal(a.Payload, &p)
	return p.ResponseAction
}

// Errors is the ack payload's errors (block_id → message) of response_action errors.
func (a Ack) Errors() map[string]string {
	var p struct {
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(a.Payload, &p)
	return p.Errors
}

func (e *Envelope) wire() obj {
	o := obj{
		"envelope_id": e.ID, "type": e.Type, "payload": e.Payload,
		"accepts_response_payload": e.Type == "interactive",
	}
	if e.Type == "events_api" {
		o["retry_attempt"] = e.RetryAttempt
		o["retry_reason"] = e.RetryReason
	}
	return o
}

// enqueue queues an envelope for delivery, in order. Call with s.mu held.
func (s *Sim) enqueue(typ string, payload obj, eventID string) *Envelope {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic("slacktest: payload does not marshal: " + err.Error())
	}
	e := &Envelope{ID: uuid(), Type: typ, Payload: raw, EventID: eventID}
	s.queueEnvelope(e)
	return e
}

func (s *Sim) queueEnvelope(e *Envelope) {
	s.envelopes = append(s.envelopes, e)
	s.byEnvID[e.ID] = e
	s.queue = append(s.queue, e)
	s.notify()
}

// Redeliver sends an envelope again, as Slack retries one it thinks failed: a new
// envelope_id, retry_attempt one higher, retry_reason "timeout", the same payload
// (and so the same event_id).
func (s *Sim) Redeliver(e *Envelope) *Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.redeliver(e, "timeout")
}

func (s *Sim) redeliver(e *Envelope, reason string) *Envelope {
	n := &Envelope{
		ID: uuid(), Type: e.Type, Payload: e.Payload, EventID: e.EventID,
		RetryAttempt: e.RetryAttempt + 1, RetryReason: reason,
	}
	s.queueEnvelope(n)
	return n
}

// Envelopes lists every envelope queued so far, in order.
func (s *Sim) Envelopes() []*Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Envelope(nil), s.envelopes...)
}

// LastEnvelope is the envelope queued last, or nil.
func (s *Sim) LastEnvelope() *Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.envelopes) == 0 {
		return nil
	}
	return s.envelopes[len(s.envelopes)-1]
}

// Acks lists every ack received, in arrival order.
func (s *Sim) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ack
	for _, e := range s.envelopes {
		if e.ack != nil {
			out = append(out, *e.ack)
		}
	}
	return out
}

// AckLatencies lists the latency of every ack received.
func (s *Sim) AckLatencies() []time.Duration {
	var out []time.Duration
	for _, a := range s.Acks() {
		out = append(out, a.Latency)
	}
	return out
}

// ExpectAck waits for the app to ack the envelope within the ack deadline after it was
// written (and for it to be written at all within the Expect timeout), failing the
// test otherwise.
func (s *Sim) ExpectAck(e *Envelope) Ack {
	s.t.Helper()
	a, ok := s.awaitAck(e)
	if !ok {
		s.t.Fatalf("slacktest: %s envelope %s was not acked within %v", e.Type, e.ID, s.opts.ackDeadline)
	}
	return a
}

// awaitAck waits for the ack of e: until ackDeadline after it was written, and at most
// the Expect timeout for it to be written.
func (s *Sim) awaitAck(e *Envelope) (Ack, bool) {
	limit := time.Now().Add(s.opts.timeout)
	for {
		s.mu.Lock()
		if e.ack != nil {
			a := *e.ack
			s.mu.Unlock()
			return a, true
		}
		sent, ch := e.sentAt, s.changed
		s.mu.Unlock()
		deadline := limit
		if !sent.IsZero() {
			deadline = sent.Add(s.opts.ackDeadline)
		}
		d := time.Until(deadline)
		if d <= 0 {
			return Ack{}, false
		}
		t := time.NewTimer(d)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
}
