package tickets

import (
	"errors"
	"fmt"
	"time"
)

// SLA is a team's service-level policy: how long, in its business hours, a ticket may
// wait for its first response, for each next response and for its resolution, by
// urgency, and when a clock running out is worth a warning.
type SLA struct {
	Hours Hours `json:"hours"`
	// Targets are the targets of each urgency; Targets[""] are those of a ticket without
	// one. An urgency without an entry has no targets.
	Targets map[Urgency]Targets `json:"targets"`
	// WarnAt is the share of a target after which a warning fires (DefaultWarnAt when 0).
	WarnAt float64 `json:"warn_at,omitempty"`
}

// Targets are the business time a ticket may wait for each kind of answer; 0 is no target.
type Targets struct {
	FirstResponse time.Duration `json:"first_response,omitempty"`
	NextResponse  time.Duration `json:"next_response,omitempty"`
	Resolution    time.Duration `json:"resolution,omitempty"`
}

// DefaultWarnAt is SLA.WarnAt when unset: a warning at three quarters of a target.
const DefaultWarnAt = 0.75

// MaxSLATarget bounds a target: beyond it, a target is no service level.
const MaxSLATarget = 90 * 24 * time.Hour

// MinSLATarget bounds a target from below: the store's timers fire to the second.
const MinSLATarget = time.Second

// SLAKind names what an SLA clock measures.
type SLAKind string

// The clocks a ticket runs.
const (
	SLAFirstResponse SLAKind = "first_response" // from the ticket's opening to the agent's first message to the customer
	SLANextResponse  SLAKind = "next_response"  // from a customer message waiting for an answer to the agent's next
	SLAResolution    SLAKind = "resolution"     // from the opening to the close
)

// Validate reports what is wrong with s: its hours, an unknown urgency, a target out of
// range, a warning share not between 0 and 1.
func (s SLA) Validate() error {
	var errs []error
	if err := s.Hours.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("business hours: %w", err))
	}
	for u, t := range s.Targets {
		if !u.Valid() {
			errs = append(errs, fmt.Errorf("%q is not an urgency", string(u)))
		}
		for kind, d := range map[SLAKind]time.Duration{SLAFirstResponse: t.FirstResponse, SLANextResponse: t.NextResponse, SLAResolution: t.Resolution} {
			if d < 0 || d > MaxSLATarget {
				errs = append(errs, fmt.Errorf("%s %s target %s: must be 0 (none) to %s", urgencyName(u), kind, d, MaxSLATarget))
			} else if d > 0 && d < MinSLATarget {
				errs = append(errs, fmt.Errorf("%s %s target %s: must be at least %s", urgencyName(u), kind, d, MinSLATarget))
			}
		}
	}
	if s.WarnAt < 0 || s.WarnAt >= 1 {
		errs = append(errs, fmt.Errorf("warning share %v: must be above 0 and below 1", s.WarnAt))
	}
	return errors.Join(errs...)
}

// urgencyName is u as people read it, "no urgency" for "".
func urgencyName(u Urgency) string {
	if u == "" {
		return "no urgency"
	}
	return u.Label()
}

// Target is the target of clock kind for a ticket of urgency u; 0 when there is none.
func (s SLA) Target(u Urgency, kind SLAKind) time.Duration {
	t := s.Targets[u]
	switch kind {
	case SLAFirstResponse:
		return t.FirstResponse
	case SLANextResponse:
		return t.NextResponse
	case SLAResolution:
		return t.Resolution
	}
	return 0
}

// SLAClock is one running clock of a ticket: what it measures, when it started, its
// target, and the stretches it was paused (waiting on the customer, on hold); Paused
// is set while it is paused now, from PausedAt.
type SLAClock struct {
	Kind    SLAKind
	Started time.Time
	Target  time.Duration
	Pauses  [][2]time.Time // ended pauses
	// PausedAt, when not zero, is when the pause in progress began.
	PausedAt time.Time
}

// SLADue is when a clock warns and falls due.
type SLADue struct {
	Warn, Due time.Time
}

// Due is when clock c warns and falls due under s's hours: its target of business time
// after it started, without its pauses. ok is false when c has no target, is paused now
// (its due time moves until the pause ends), or s's hours never give it the time.
func (s SLA) Due(c SLAClock) (due SLADue, ok bool) {
	if c.Target <= 0 || !c.PausedAt.IsZero() {
		return SLADue{}, false
	}
	if due.Due, ok = s.Hours.Add(c.Started, c.Target, c.Pauses...); !ok {
		return SLADue{}, false
	}
	warn := time.Duration(float64(c.Target) * s.warnShare()).Round(time.Second)
	due.Warn, _ = s.Hours.Add(c.Started, warn, c.Pauses...)
	return due, true
}

// warnShare is WarnAt, or DefaultWarnAt when unset.
func (s SLA) warnShare() float64 {
	if s.WarnAt == 0 {
		return DefaultWarnAt
	}
	return s.WarnAt
}

// SLAState is where a clock stands at a moment.
type SLAState struct {
	Elapsed, Left    time.Duration // business time used, and left (negative once breached)
	Warned, Breached bool
}

// State is where clock c stands at now: business time elapsed since it started, without
// its pauses (the one in progress included).
func (s SLA) State(c SLAClock, now time.Time) SLAState {
	pauses := c.Pauses
	if !c.PausedAt.IsZero() {
		pauses = append(pauses[:len(pauses):len(pauses)], [2]time.Time{c.PausedAt, now})
	}
	elapsed := s.Hours.Between(c.Started, now, pauses...)
	st := SLAState{Elapsed: elapsed, Left: c.Target - elapsed}
	if c.Target > 0 {
		st.Breached = elapsed >= c.Target
		st.Warned = float64(elapsed) >= float64(c.Target)*s.warnShare()
	}
	return st
}
