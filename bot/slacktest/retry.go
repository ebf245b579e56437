package slacktest

import "time"

// WithRetryDelay makes the simulator send an events_api envelope whose connection
// dropped before its ack again d after it was first written (at once if that time has
// passed), as Slack retries an event whose ack is late: events queued meanwhile go
// first. By default it is sent again at once, ahead of anything queued later.
func WithRetryDelay(d time.Duration) Option { return func(o *options) { o.retryDelay = d } }

// redeliverLater redelivers e, which was lost with its connection, when the retry delay
// after its write has passed. Call with s.mu held.
func (s *Sim) redeliverLater(e *Envelope) {
	wait := time.Until(e.sentAt.Add(s.opts.retryDelay))
	if s.opts.retryDelay <= 0 || wait <= 0 {
		s.redeliver(e, "timeout")
		return
	}
	time.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closed {
			s.redeliver(e, "timeout")
		}
	})
}
