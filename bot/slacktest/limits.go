package slacktest

import (
	"bytes"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits is a model of Slack's Web API rate limits, applied per method for the one app
// and workspace the simulator has. Each limit is a token bucket: it refills evenly at
// its sustained rate and holds at most its burst, so a quiet app may make a burst of
// calls at once and a busy one gets the sustained rate. A call over a limit answers HTTP
// 429 with Retry-After (whole seconds, at least 1, until the bucket has a token again)
// and {"ok":false,"error":"ratelimited"}, as Slack does, and is recorded in Calls with
// that error.
type Limits struct {
	// Tiers gives the tier (1 to 4) of each method; a method not listed (and
	// chat.postMessage, which has its own rule) is not limited.
	Tiers map[string]int
	// PerMinute is each tier's sustained rate in calls per minute, Burst how many calls
	// it takes at once (index 0 is unused).
	PerMinute [5]float64
	Burst     [5]int
	// chat.postMessage ("special" tier): PostPerSecond per channel with PostBurst at
	// once, and PostWorkspacePerMinute over the whole workspace with PostWorkspaceBurst.
	PostPerSecond          float64
	PostBurst              int
	PostWorkspacePerMinute float64
	PostWorkspaceBurst     int
}

// RealLimits is Slack's published model: Tier 1 1+ per minute, Tier 2 20+, Tier 3 50+,
// Tier 4 100+ per minute, each method in the tier its reference page gives, and
// chat.postMessage about one message per second per channel with short bursts, under a
// workspace-wide limit of "several hundred messages per minute" (600 here). Slack does
// not publish burst sizes: here a tier takes about ten seconds' worth at once (Tier 2:
// 3, Tier 3: 8, Tier 4: 16), a channel 3 posts and the workspace 20. (Since 2025 apps
// outside the Slack Marketplace get far less of conversations.history and
// conversations.replies; the model keeps their Tier 3.)
func RealLimits() Limits {
	return Limits{
		Tiers: map[string]int{
			"apps.connections.open":        1,
			"conversations.archive":        2,
			"conversations.create":         2,
			"conversations.list":           2,
			"conversations.setPurpose":     2,
			"conversations.setTopic":       2,
			"reactions.remove":             2,
			"chat.update":                  3,
			"conversations.history":        3,
			"conversations.info":           3,
			"conversations.invite":         3,
			"conversations.kick":           3,
			"conversations.open":           3,
			"conversations.replies":        3,
			"reactions.add":                3,
			"team.info":                    3,
			"auth.test":                    4,
			"chat.getPermalink":            4,
			"chat.postEphemeral":           4,
			"conversations.members":        4,
			"files.info":                   4,
			"files.getUploadURLExternal":   4, // Tier 4 on both methods' reference pages
			"files.completeUploadExternal": 4,
			"users.info":                   4,
			"views.open":                   4,
			"views.publish":                4,
			"views.push":                   4,
			"views.update":                 4,
		},
		PerMinute:              [5]float64{0, 1, 20, 50, 100},
		Burst:                  [5]int{0, 1, 3, 8, 16},
		PostPerSecond:          1,
		PostBurst:              3,
		PostWorkspacePerMinute: 600,
		PostWorkspaceBurst:     20,
	}
}

// SetRealLimits turns the RealLimits model on (with full buckets) or off. It needs a
// simulator made by NewStandalone or NewLimited; on another it reports an error.
func (s *Sim) SetRealLimits(on bool) {
	if !on {
		s.SetLimits(nil)
		return
	}
	l := RealLimits()
	s.SetLimits(&l)
}

// SetLimits applies a rate-limit model (with full buckets), or none when l is nil. It
// needs a simulator made by NewStandalone or NewLimited; on another it reports an error.
func (s *Sim) SetLimits(l *Limits) {
	lim, ok := s.srv.Config.Handler.(*limiter)
	if !ok {
		s.errorf("SetLimits needs a simulator made by NewStandalone or NewLimited")
		return
	}
	lim.set(l)
}

// ClientConnections is how many TCP connections the simulator's server has accepted so
// far (Web API calls, Socket Mode, file downloads): an app that reuses its connections
// opens a few, one that does not opens one per call. It needs a simulator made by
// NewStandalone or NewLimited; on another it reports an error and returns 0.
func (s *Sim) ClientConnections() int64 {
	lim, ok := s.srv.Config.Handler.(*limiter)
	if !ok {
		s.errorf("ClientConnections needs a simulator made by NewStandalone or NewLimited")
		return 0
	}
	return lim.conns.Load()
}

// installLimiter puts the rate-limit model in front of the simulator's handler, and
// counts the connections the server accepts. Nothing has reached the server yet (nobody
// knows its URL), but its accept loop runs already: RegisterOnShutdown takes the server's
// lock after the writes, and the loop takes the same lock to track every connection it
// accepts, which orders the writes before them.
func installLimiter(s *Sim) {
	l := &limiter{s: s, next: s.srv.Config.Handler}
	s.srv.Config.Handler = l
	hook := s.srv.Config.ConnState // httptest's own
	s.srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			l.conns.Add(1)
		}
		if hook != nil {
			hook(c, st)
		}
	}
	s.srv.Config.RegisterOnShutdown(func() {})
}

// limiter is the rate-limit model in front of the Web API.
type limiter struct {
	s     *Sim
	next  http.Handler
	on    atomic.Bool
	conns atomic.Int64 // connections accepted

	mu      sync.Mutex
	limits  Limits
	buckets map[string]*bucket // by method, "chat.postMessage" (workspace) and "chat.postMessage/<channel>"
}

func (l *limiter) set(lim *Limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buckets = map[string]*bucket{}
	if lim == nil {
		l.limits = Limits{}
		l.on.Store(false)
		return
	}
	l.limits = *lim
	l.on.Store(true)
}

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, isAPI := strings.CutPrefix(r.URL.Path, "/api/")
	if !isAPI || !l.on.Load() {
		l.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusOK, obj{"ok": false, "error": "invalid_form_data"})
		return
	}
	// Read the parameters from a copy; the simulator reads the request itself.
	c := &call{method: method, form: url.Values{}}
	peek := r.Clone(r.Context())
	peek.Body = io.NopCloser(bytes.NewReader(body))
	if parseCall(peek, c) == nil {
		if wait, limited := l.take(method, c.str("channel"), time.Now()); limited {
			l.refuse(w, c, wait)
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	l.next.ServeHTTP(w, r)
}

// refuse answers a call over its limit as Slack does and records it.
func (l *limiter) refuse(w http.ResponseWriter, c *call, wait time.Duration) {
	s := l.s
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: c.method, Params: c.params(), Time: time.Now(), Error: "ratelimited"})
	s.notify()
	s.mu.Unlock()
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, obj{"ok": false, "error": "ratelimited"})
}

// take spends a token of every bucket the call needs, or none when one is empty; then
// it returns how long until that bucket has one again.
func (l *limiter) take(method, channel string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	type need struct {
		key         string
		rate, burst float64 // rate per second
	}
	var needs []need
	if method == "chat.postMessage" {
		lim := l.limits
		if lim.PostWorkspacePerMinute > 0 {
			needs = append(needs, need{method, lim.PostWorkspacePerMinute / 60, float64(max(lim.PostWorkspaceBurst, 1))})
		}
		if lim.PostPerSecond > 0 {
			needs = append(needs, need{method + "/" + channel, lim.PostPerSecond, float64(max(lim.PostBurst, 1))})
		}
	} else if tier := l.limits.Tiers[method]; tier >= 1 && tier <= 4 && l.limits.PerMinute[tier] > 0 {
		needs = append(needs, need{method, l.limits.PerMinute[tier] / 60, float64(max(l.limits.Burst[tier], 1))})
	}
	var wait time.Duration
	bs := make([]*bucket, len(needs))
	for i, n := range needs {
		b := l.buckets[n.key]
		if b == nil {
			b = &bucket{tokens: n.burst, last: now}
			l.buckets[n.key] = b
		}
		b.refill(now, n.rate, n.burst)
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)/n.rate*float64(time.Second)))
		}
		bs[i] = b
	}
	if wait > 0 {
		return wait, true
	}
	for _, b := range bs {
		b.tokens--
	}
	return 0, false
}

// bucket is a token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(burst, b.tokens+d.Seconds()*rate)
		b.last = now
	}
}
