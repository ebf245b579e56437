// Package keyrate keeps one token bucket per key (a chatbot's member, a website visitor,
// an IP address), in bounded memory, for the connectors' inbound rate limits. It is not a
// connector; only packages under connectors/ can import it.
package keyrate

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits keeps one token bucket per key, so that a key that floods an endpoint is refused
// (429) while every other key goes on being served. Memory stays bounded: a bucket left
// alone long enough to fill up again is no different from a new one, so it is dropped on
// the next sweep; and when max keys are tracked all the same, an arbitrary one is dropped
// to make room (it then starts again with a full bucket). It is safe for concurrent use.
type Limits struct {
	limit rate.Limit
	burst int
	max   int
	idle  time.Duration // how long an untouched bucket takes to fill up again
	// Now is the clock (time.Now); tests set it before first use.
	Now func() time.Time

	mu        sync.Mutex
	keys      map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns limits of limit tokens a second, burst at once, for at most max keys.
func New(limit rate.Limit, burst, max int) *Limits {
	idle := time.Minute
	if limit > 0 && limit != rate.Inf {
		idle = max1s(time.Duration(float64(burst) / float64(limit) * float64(time.Second)))
	}
	return &Limits{limit: limit, burst: burst, max: max, idle: idle, Now: time.Now, keys: map[string]*bucket{}}
}

func max1s(d time.Duration) time.Duration { return max(d, time.Second) }

// Idle is how long an untouched bucket takes to fill up again (and be dropped).
func (l *Limits) Idle() time.Duration { return l.idle }

// Allow takes one token from key's bucket. When there is none it returns false and how
// long until there will be one.
func (l *Limits) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	if now.Sub(l.lastSweep) >= l.idle {
		l.sweep(now)
	}
	b, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= l.max {
			for k := range l.keys { // map order is random: drop any one
				delete(l.keys, k)
				break
			}
		}
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.keys[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Duration(math.MaxInt64)
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops the buckets nobody touched for l.idle (they are full again).
func (l *Limits) sweep(now time.Time) {
	for k, b := range l.keys {
		if now.Sub(b.seen) >= l.idle {
			delete(l.keys, k)
		}
	}
	l.lastSweep = now
}

// Len is how many keys have a bucket.
func (l *Limits) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// RetryAfterSeconds rounds d up to whole seconds, at least 1: a Retry-After value.
func RetryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
