package gladly

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/connectors/internal/keyrate"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Gladly limits each organisation to 10 requests a second per HTTP method, counted over
// every client using the organisation's API tokens, and says where the current second
// stands in the Ratelimit-Limit-Second and Ratelimit-Remaining-Second headers of its
// answers; a 429 carries no Retry-After ("Rate Limit" in
// https://developer.gladly.com/rest/).
const (
	// DefaultRequestsPerSecond is how many calls of one method a Frontdesk process
	// starts a second: under Gladly's 10, with room for the rounding of its windows.
	DefaultRequestsPerSecond = 8
	// maxPace is the longest a call waits for its turn; past it the call fails with a
	// RetryAfterError, and the outbox waits instead of a goroutine.
	maxPace = 10 * time.Second
	// spentWait is how long calls of a method wait once Gladly says the organisation's
	// second is spent (Ratelimit-Remaining-Second 0, or a 429): the headers do not say
	// when the second started, so a whole one.
	spentWait = time.Second
)

// pacer keeps this process's calls under Gladly's rate limit. Locally it keeps one token
// bucket per method (keyrate), at DefaultRequestsPerSecond with no burst. Other replicas
// and integrations share the organisation's limit, which the buckets cannot see, so the
// pacer also believes Gladly's headers: once an answer says the second is spent, calls
// of that method wait for the next one. It is safe for concurrent use.
type pacer struct {
	buckets *keyrate.Limits
	now     func() time.Time
	sleep   func(context.Context, time.Duration) bool

	mu    sync.Mutex
	until map[string]time.Time // method → no call before then
}

func newPacer(perSecond float64) *pacer {
	return &pacer{
		buckets: keyrate.New(rate.Limit(perSecond), 1, 16),
		now:     time.Now, sleep: httpsrc.Sleep, until: map[string]time.Time{},
	}
}

// wait blocks until a call of method may go out. It gives up with a RetryAfterError
// when the turn is more than maxPace away, and with ctx's error when ctx ends.
func (p *pacer) wait(ctx context.Context, method string) error {
	start := p.now()
	for {
		now := p.now()
		p.mu.Lock()
		d := p.until[method].Sub(now)
		p.mu.Unlock()
		if d <= 0 {
			var ok bool
			if ok, d = p.buckets.Allow(method); ok {
				return nil
			}
		}
		if now.Add(d).Sub(start) > maxPace {
			return &tickets.RetryAfterError{After: d, Err: errors.New("gladly: rate limit: too many calls waiting")}
		}
		if !p.sleep(ctx, d) {
			return ctx.Err()
		}
	}
}

// observe learns from an answer to a call of method: a 429, or a
// Ratelimit-Remaining-Second of 0 or less, holds that method's calls for spentWait.
func (p *pacer) observe(method string, resp *http.Response) {
	if resp == nil {
		return
	}
	spent := resp.StatusCode == http.StatusTooManyRequests
	if v := strings.TrimSpace(resp.Header.Get("Ratelimit-Remaining-Second")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n <= 0 {
			spent = true
		}
	}
	if !spent {
		return
	}
	until := p.now().Add(spentWait)
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.until[method]) {
		p.until[method] = until
	}
}
