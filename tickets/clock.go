package tickets

import (
	"slices"
	"time"
)

// DueClock is one of a ticket's running SLA clocks as agents see it: what it measures,
// when it warns and falls due, and whether it had done either when it was worked out.
type DueClock struct {
	Kind     SLAKind
	Warn     time.Time
	Due      time.Time
	Warned   bool
	Breached bool
}

// Clocks are ticket t's SLA clocks running under policy p: the first response's until an
// agent's first message, then the next response's while a customer message waits for an
// answer, and the resolution's until the close. Each only where p sets a target for t's
// urgency; none once t is closed.
func (t *Ticket) Clocks(p SLA) []SLAClock {
	if !t.IsOpen() {
		return nil
	}
	var cs []SLAClock
	add := func(kind SLAKind, started time.Time) {
		if target := p.Target(t.Urgency, kind); target > 0 && !started.IsZero() {
			cs = append(cs, SLAClock{Kind: kind, Started: started, Target: target})
		}
	}
	switch {
	case t.Responded.IsZero():
		add(SLAFirstResponse, t.CreatedAt)
	case !t.Awaiting.IsZero():
		add(SLANextResponse, t.Awaiting)
	}
	add(SLAResolution, t.CreatedAt)
	return cs
}

// Clock is ticket t's running clock of kind under p, if one runs.
func (t *Ticket) Clock(p SLA, kind SLAKind) (SLAClock, bool) {
	for _, c := range t.Clocks(p) {
		if c.Kind == kind {
			return c, true
		}
	}
	return SLAClock{}, false
}

// DueClocks are t's running clocks under p with their warning and due times and where
// they stand at now, soonest due first.
func (p SLA) DueClocks(t *Ticket, now time.Time) []DueClock {
	var out []DueClock
	for _, c := range t.Clocks(p) {
		due, ok := p.Due(c)
		if !ok {
			continue
		}
		out = append(out, DueClock{Kind: c.Kind, Warn: due.Warn, Due: due.Due,
			Warned: !now.Before(due.Warn), Breached: !now.Before(due.Due)})
	}
	slices.SortStableFunc(out, func(a, b DueClock) int { return a.Due.Compare(b.Due) })
	return out
}
