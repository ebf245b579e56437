package webhook

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// memberLimits keeps one token bucket per member, so that a member who floods the
// endpoint is refused (429) while every other member goes on being served. Memory stays
// bounded: a bucket left alone long enough to fill up again is no different from a new
// one, so it is dropped on the next sweep; and when maxMembers members are tracked all the same,
// an arbitrary one is dropped to make room (it then starts again with a full bucket).
type memberLimits struct {
	limit      rate.Limit
	burst      int
	maxMembers int
	idle       time.Duration // how long an untouched bucket takes to fill up again
	now        func() time.Time

	mu        sync.Mutex
	members   map[string]*memberLimit
	lastSweep time.Time
}

type memberLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

func newMemberLimits(limit rate.Limit, burst, maxMembers int) *memberLimits {
	idle := time.Minute
	if limit > 0 && limit != rate.Inf {
		idle = max(time.Duration(float64(burst)/float64(limit)*float64(time.Second)), time.Second)
	}
	return &memberLimits{limit: limit, burst: burst, maxMembers: maxMembers, idle: idle, now: time.Now, members: map[string]*memberLimit{}}
}

// allow takes one token from member's bucket. When there is none it returns false and
// how long until there will be one.
func (l *memberLimits) allow(member string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) >= l.idle {
		l.sweep(now)
	}
	m, ok := l.members[member]
	if !ok {
		if len(l.members) >= l.maxMembers {
			for k := range l.members { // map order is random: drop any one
				delete(l.members, k)
				break
			}
		}
		m = &memberLimit{lim: rate.NewLimiter(l.limit, l.burst)}
		l.members[member] = m
	}
	m.seen = now
	r := m.lim.ReserveN(now, 1)
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
func (l *memberLimits) sweep(now time.Time) {
	for k, m := range l.members {
		if now.Sub(m.seen) >= l.idle {
			delete(l.members, k)
		}
	}
	l.lastSweep = now
}

// size is how many members have a bucket.
func (l *memberLimits) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.members)
}
