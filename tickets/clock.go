package tickets

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DueClock is one of a ticket's running SLA clocks as agents see it: what it measures,
// when it warns and falls due, and whether it had done either when it was worked out; or
// that it is paused (waiting on the customer, on hold), without times.
type DueClock struct {
	Kind     SLAKind
	Warn     time.Time
	Due      time.Time
	Warned   bool
	Breached bool
	Paused   bool
}

// Clocks are ticket t's SLA clocks running under policy p: the first response's until an
// agent's first message, then the next response's while a customer message waits for an
// answer, and the resolution's until the close, paused while the ticket waits on the
// customer or is on hold (unless p keeps it running). Each only where p sets a target
// for t's urgency; none once t is closed.
func (t *Ticket) Clocks(p SLAPolicy) []SLAClock {
	if !t.IsOpen() {
		return nil
	}
	var cs []SLAClock
	add := func(c SLAClock) {
		if c.Target = p.Target(t.Urgency, c.Kind); c.Target > 0 && !c.Started.IsZero() {
			cs = append(cs, c)
		}
	}
	switch {
	case t.Responded.IsZero():
		add(SLAClock{Kind: SLAFirstResponse, Started: t.CreatedAt})
	case !t.Awaiting.IsZero():
		add(SLAClock{Kind: SLANextResponse, Started: t.Awaiting})
	}
	resolution := SLAClock{Kind: SLAResolution, Started: t.CreatedAt}
	if !p.ResolutionRunsPaused {
		resolution.Pauses, resolution.PausedAt = t.pauses()
	}
	for _, c := range t.Statuses { // a reopened ticket's time closed never counts
		if c.From == StatusClosed && !c.ClosedAt.IsZero() {
			resolution.Pauses = append(resolution.Pauses, [2]time.Time{c.ClosedAt, c.At})
		}
	}
	add(resolution)
	return cs
}

// Clock is ticket t's running clock of kind under p, if one runs.
func (t *Ticket) Clock(p SLAPolicy, kind SLAKind) (SLAClock, bool) {
	for _, c := range t.Clocks(p) {
		if c.Kind == kind {
			return c, true
		}
	}
	return SLAClock{}, false
}

// DueClocks are t's running clocks under p with their warning and due times and where
// they stand at now, soonest due first; paused ones last.
func (p SLAPolicy) DueClocks(t *Ticket, now time.Time) []DueClock {
	var out, paused []DueClock
	for _, c := range t.Clocks(p) {
		if !c.PausedAt.IsZero() {
			paused = append(paused, DueClock{Kind: c.Kind, Paused: true})
			continue
		}
		due, ok := p.Due(c)
		if !ok {
			continue
		}
		out = append(out, DueClock{Kind: c.Kind, Warn: due.Warn, Due: due.Due,
			Warned: !now.Before(due.Warn), Breached: !now.Before(due.Due)})
	}
	slices.SortStableFunc(out, func(a, b DueClock) int { return a.Due.Compare(b.Due) })
	return append(out, paused...)
}

// SLAReport is what a ticket's clocks measured, in its team's business time: how long its
// first response took (once it came), how long it took to resolve (once it closed,
// without its pauses), and which of its clocks breached their targets.
type SLAReport struct {
	FirstResponse, Resolution time.Duration
	Responded, Resolved       bool
	Breached                  []SLAKind
}

// Report is what t's clocks measured under p (a team without a policy: p is zero, and
// time is counted round the clock).
func (p SLAPolicy) Report(t *Ticket) SLAReport {
	hours := p.Hours
	if hours.Validate() != nil {
		hours = Hours{Always: true}
	}
	var r SLAReport
	if !t.Responded.IsZero() {
		r.FirstResponse, r.Responded = hours.Between(t.CreatedAt, t.Responded), true
	}
	if t.Status == StatusClosed && !t.ClosedAt.IsZero() {
		var pauses [][2]time.Time
		if !p.ResolutionRunsPaused {
			pauses, _ = t.pauses()
		}
		for _, c := range t.Statuses {
			if c.From == StatusClosed && !c.ClosedAt.IsZero() {
				pauses = append(pauses, [2]time.Time{c.ClosedAt, c.At})
			}
		}
		r.Resolution, r.Resolved = hours.Between(t.CreatedAt, t.ClosedAt, pauses...), true
	}
	for name := range t.Alerted {
		kind, rest, _ := strings.Cut(name, "/")
		if strings.HasSuffix(rest, "/breach") && !slices.Contains(r.Breached, SLAKind(kind)) {
			r.Breached = append(r.Breached, SLAKind(kind))
		}
	}
	slices.Sort(r.Breached)
	return r
}

// CardClocks are the clocks of due a ticket's card shows: the first response's and the
// resolution's, and the next response's once it warned. A next response's clock starts
// and stops with every exchange: shown from the start, it would have the card updated
// (chat.update, 50 a minute for the whole workspace) twice an exchange.
func CardClocks(due []DueClock) []DueClock {
	out := make([]DueClock, 0, len(due))
	for _, c := range due {
		if c.Kind != SLANextResponse || c.Warned {
			out = append(out, c)
		}
	}
	return out
}

// cardSignature says what the card shows of clocks (CardClocks): when it changes, the
// card is refreshed.
func cardSignature(clocks []DueClock) string {
	var b strings.Builder
	for _, c := range clocks {
		fmt.Fprintf(&b, "%s:%d:%t:%t:%t;", c.Kind, c.Due.Unix(), c.Warned, c.Breached, c.Paused)
	}
	return b.String()
}
