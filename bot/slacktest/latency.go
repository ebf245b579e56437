package slacktest

import (
	"context"
	"time"
)

// WithLatency makes every Web API call take d longer, as a slow network or a busy Slack
// would: half of d passes before the call takes effect and half after, before the answer
// is written (so a post can be visible in the channel before its poster hears "ok").
// Socket Mode frames are not delayed. SetLatency changes it while the simulator runs.
func WithLatency(d time.Duration) Option { return func(o *options) { o.latency = d } }

// SetLatency changes the latency added to Web API calls from the next call on (0: none).
func (s *Sim) SetLatency(d time.Duration) { s.latency.Store(int64(max(d, 0))) }

// lag is the latency to add to a Web API call now.
func (s *Sim) lag() time.Duration { return time.Duration(s.latency.Load()) }

// sleepCtx waits for d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
