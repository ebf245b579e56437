package slacktest

import "time"

// AckStats sums up how the app acknowledged the envelopes written to it so far, e.g. to
// check under load or faults that every envelope was still acked within Slack's 3 s.
type AckStats struct {
	// Written counts the envelopes written to a socket (redeliveries included).
	Written int
	// Acked counts those acknowledged; Late those of them acknowledged after the ack
	// deadline (WithAckDeadline, 3 s by default).
	Acked, Late int
	// Dropped counts those whose connection closed before their ack (events_api ones
	// were redelivered, each as a new envelope). An ack that comes later for one of them
	// (over a new connection: slack-go keeps the acks it could not write) does not
	// count as an ack.
	Dropped int
	// Unacked counts those still waiting for an ack on an open connection; Overdue those
	// of them written longer ago than the ack deadline.
	Unacked, Overdue int
	// Queued counts the envelopes not written yet (no connection was open).
	Queued int
	// Max is the slowest ack's latency.
	Max time.Duration
}

// AckStats reports how the app has acknowledged the envelopes so far.
func (s *Sim) AckStats() AckStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st AckStats
	now := time.Now()
	for _, e := range s.envelopes {
		switch {
		case e.sentAt.IsZero():
			st.Queued++
			continue
		case e.superseded:
			st.Dropped++
		case e.ack != nil:
			st.Acked++
			if e.ack.Latency > s.opts.ackDeadline {
				st.Late++
			}
			st.Max = max(st.Max, e.ack.Latency)
		default:
			st.Unacked++
			if now.Sub(e.sentAt) > s.opts.ackDeadline {
				st.Overdue++
			}
		}
		st.Written++
	}
	return st
}
