package bot

import (
	"slices"
	"sync"
	"time"
)

// Slack limits each Web API method per workspace (its tier: Tier 3 is "50+ per minute",
// Tier 4 "100+ per minute"), and chat.postMessage to about one message a second per
// channel, with short bursts (https://docs.slack.dev/apis/web-api/rate-limits,
// https://docs.slack.dev/reference/methods/chat.postMessage#rate_limiting). Frontdesk calls
// freely until Slack refuses a call with a 429; from then on the calls counted against
// that limit wait in line (slackPace) and go a turn apart, instead of asking Slack again
// and again while the limit lasts, and the tickets' cards go before everything else
// waiting to be posted in their channel: a burst of new tickets shows every card before
// the customers' first words under them. A line empty for paceQuiet is dropped: calls go
// freely again.
const (
	// paceQuiet is how long after its last turn a line is kept.
	paceQuiet = 10 * time.Second
	// paceLate is how long past the time it was told to come back a call keeps its
	// place; then the line goes on without it (its ticket went elsewhere meanwhile), and
	// it queues again if it comes.
	paceLate = 2 * time.Second
	// paceRecheck is the least wait given, so that a call told to wait does not spin.
	paceRecheck = 50 * time.Millisecond
)

// The time between two turns of a line: a little more than Slack's rate, so that a turn
// does not come before the bucket it is counted against has a token again.
const (
	postEvery  = 1100 * time.Millisecond     // chat.postMessage in one channel: 1 a second
	tier3Every = time.Minute / 50 * 11 / 10  // Tier 3 (chat.update): 50 a minute
	tier4Every = time.Minute / 100 * 11 / 10 // Tier 4 (chat.getPermalink): 100 a minute
)

// slackPace keeps the lines of the limits Slack has enforced lately, by limit: a
// channel's posts ("chat.postMessage " + channel) or a method.
type slackPace struct {
	mu    sync.Mutex
	lines map[string]*line
	now   func() time.Time
}

// line is a limit's line: the calls waiting, cards first.
type line struct {
	every time.Duration // between two turns
	next  time.Time     // no call goes before
	calls []waiting
}

// waiting is a call in line, by its key.
type waiting struct {
	key   string
	first bool      // a card: before the others
	due   time.Time // when it was told to come back
}

func newSlackPace() *slackPace {
	return &slackPace{lines: map[string]*line{}, now: time.Now}
}

// wait says how long the call keyed key must wait before it goes to Slack under limit:
// 0 when Slack has not enforced the limit lately or the call's turn has come. A call told
// to wait keeps its place in line if it comes back then. first calls (tickets' cards) go
// before the others.
func (p *slackPace) wait(limit, key string, first bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	l := p.lines[limit]
	if l == nil {
		return 0
	}
	// Those that did not come back when told are left out.
	l.calls = slices.DeleteFunc(l.calls, func(w waiting) bool { return w.key != key && now.Sub(w.due) > paceLate })
	i := slices.IndexFunc(l.calls, func(w waiting) bool { return w.key == key })
	if i < 0 {
		if len(l.calls) == 0 && !now.Before(l.next) {
			if now.Sub(l.next) > paceQuiet {
				delete(p.lines, limit)
				return 0
			}
			l.next = now.Add(l.every)
			return 0
		}
		i = l.insert(waiting{key: key, first: first})
	}
	if i == 0 && !now.Before(l.next) {
		l.calls = l.calls[1:]
		l.next = now.Add(l.every)
		return 0
	}
	d := max(l.next.Sub(now), 0) + time.Duration(i)*l.every
	d = max(d, paceRecheck)
	l.calls[i].due = now.Add(d)
	return d
}

// limited records that Slack refused the call keyed key under limit, whose turns come
// every, and asked for retryAfter: no call goes before that, and the call keeps its place
// in line (the first place when it is the first refused) for when it comes back.
func (p *slackPace) limited(limit string, every time.Duration, key string, first bool, retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	l := p.lines[limit]
	if l == nil {
		// Lines empty and quiet for long are dropped here too, so that the map holds
		// only the limits Slack enforced lately.
		for k, o := range p.lines {
			if len(o.calls) == 0 && now.Sub(o.next) > paceQuiet {
				delete(p.lines, k)
			}
		}
		l = &line{every: every}
		p.lines[limit] = l
	}
	if until := now.Add(retryAfter); until.After(l.next) {
		l.next = until
	}
	if i := slices.IndexFunc(l.calls, func(w waiting) bool { return w.key == key }); i >= 0 {
		l.calls[i].due = now.Add(retryAfter)
		return
	}
	l.insert(waiting{key: key, first: first, due: now.Add(retryAfter)})
}

// insert puts w in line: a card after the cards waiting, any other call at the end. It
// returns w's place.
func (l *line) insert(w waiting) int {
	i := len(l.calls)
	if w.first {
		if j := slices.IndexFunc(l.calls, func(o waiting) bool { return !o.first }); j >= 0 {
			i = j
		}
	}
	l.calls = slices.Insert(l.calls, i, w)
	return i
}
