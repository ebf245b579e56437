package slacktest

import (
	"fmt"
	"strings"
	"time"
)

// expectOutput waits for an unconsumed output in scope that matches and consumes it;
// on timeout it fails the test, listing the unconsumed outputs in scope.
func (s *Sim) expectOutput(what string, scope, match func(o *output) bool) *output {
	s.t.Helper()
	var got *output
	found := s.waitFor(s.opts.timeout, func() bool {
		got = s.take(func(o *output) bool { return scope(o) && match(o) })
		return got != nil
	})
	if found {
		return got
	}
	s.mu.Lock()
	list := s.pending(scope)
	s.mu.Unlock()
	s.t.Fatalf("slacktest: %s: not seen within %v; unconsumed there:\n%s", what, s.opts.timeout, list)
	return nil
}

// expectState waits until cond holds, failing the test with what otherwise.
func (s *Sim) expectState(what string, cond func() bool) {
	s.t.Helper()
	if !s.waitFor(s.opts.timeout, cond) {
		s.t.Fatalf("slacktest: %s: not seen within %v", what, s.opts.timeout)
	}
}

func quote(subs []string) string { return fmt.Sprintf("%q", subs) }

// checkUnacked fails the test for every events_api envelope written to a socket that
// is still open but never acked, after giving each its ack deadline.
func (s *Sim) checkUnacked() {
	s.mu.Lock()
	var wait []*Envelope
	for _, e := range s.envelopes {
		if e.Type == "events_api" && e.ack == nil && !e.superseded && !e.sentAt.IsZero() {
			wait = append(wait, e)
		}
	}
	s.mu.Unlock()
	var lines []string
	for _, e := range wait {
		s.mu.Lock()
		deadline := e.sentAt.Add(s.opts.ackDeadline)
		s.mu.Unlock()
		s.waitFor(time.Until(deadline), func() bool { return e.ack != nil || e.superseded })
		s.mu.Lock()
		if e.ack == nil && !e.superseded {
			lines = append(lines, fmt.Sprintf("\t%s %s (event %s)", e.Type, e.ID, e.EventID))
		}
		s.mu.Unlock()
	}
	if len(lines) > 0 {
		s.errorf("the app never acked %d envelope(s); Slack would retry them:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}
