package slacktest

import (
	"maps"
	"slices"
	"sort"
	"time"
)

// This file is for programs that follow a busy workspace as it goes (a load driver): they
// read what happened since they last looked instead of waiting with Expect*, and bound
// the simulator's memory with Forget.

// CallsFrom returns the Web API calls recorded from position i on, in the order they
// were answered, and the position to read from next time. Positions count from the
// start, or from the last Forget.
func (s *Sim) CallsFrom(i int) ([]Call, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i = min(max(i, 0), len(s.calls))
	out := make([]Call, 0, len(s.calls)-i)
	for _, c := range s.calls[i:] {
		c.Params = maps.Clone(c.Params)
		out = append(out, c)
	}
	return out, len(s.calls)
}

// Delivery is what has become of one Socket Mode envelope so far.
type Delivery struct {
	EnvelopeID string
	Type       string    // "events_api" or "interactive"
	Written    time.Time // when it was written to a socket; zero while queued
	Acked      bool
	Latency    time.Duration // from the write to the ack, when acked
	Dropped    bool          // its connection closed before the ack (events are redelivered)
}

// DeliveriesFrom reports on the envelopes queued from position i on, in order, and the
// position after the last. Envelopes not acked yet are reported as they stand; read the
// same positions again later to see them acked. Positions count from the start, or from
// the last Forget.
func (s *Sim) DeliveriesFrom(i int) ([]Delivery, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i = min(max(i, 0), len(s.envelopes))
	out := make([]Delivery, 0, len(s.envelopes)-i)
	for _, e := range s.envelopes[i:] {
		d := Delivery{EnvelopeID: e.ID, Type: e.Type, Written: e.sentAt, Dropped: e.superseded}
		if e.ack != nil {
			d.Acked, d.Latency = true, e.ack.Latency
		}
		out = append(out, d)
	}
	return out, len(s.envelopes)
}

// MessagesAfter lists the channel's messages (replies included) whose ts is later than
// ts, in order; "" lists them all. Called again with the last ts it returned, it reads
// each message once however long the channel gets.
func (c *Channel) MessagesAfter(ts string) []*Message {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	ch := c.sim.channels[c.ID]
	if ch == nil {
		return nil
	}
	after := int64(-1)
	if ts != "" {
		after = tsMicros(ts)
	}
	first := sort.Search(len(ch.msgs), func(i int) bool { return tsMicros(ch.msgs[i].ts) > after })
	out := make([]*Message, 0, len(ch.msgs)-first)
	for _, m := range ch.msgs[first:] {
		out = append(out, &Message{sim: c.sim, Channel: c, TS: m.ts})
	}
	return out
}

// TopView is the modal on top of the user's screen now, or nil: for a program that polls
// instead of waiting with ExpectView.
func (u *User) TopView() *View {
	s := u.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	stack := s.stacks[u.ID]
	if len(stack) == 0 {
		return nil
	}
	return &View{sim: s, ID: stack[len(stack)-1], User: u}
}

// Forget drops what the simulator keeps only to answer Expect*, Calls, Acks and the
// strictness checks about the past: every output the bot produced so far (consumed or
// not), the record of Web API calls, and the envelopes acknowledged or dropped. What the
// workspace holds (channels, messages, views) stays, and so do envelopes still in
// flight. A long run calls it between phases to keep memory bounded; the positions of
// CallsFrom and DeliveriesFrom start again from 0.
func (s *Sim) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outs = nil
	s.calls = nil
	live := s.envelopes[:0:0]
	for _, e := range s.envelopes {
		if e.ack == nil && !e.superseded {
			live = append(live, e)
		} else {
			delete(s.byEnvID, e.ID)
		}
	}
	s.envelopes = slices.Clip(live)
	s.notify()
}
