package tickets

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SLAPolicy is a team's SLA (Settings.SLAs): its targets by urgency, its business hours,
// its warning share, and whom a breach is escalated to. A ticket's clocks run under the
// policy of the team it is in, as the policy is now.
type SLAPolicy struct {
	// Team is the team's ticketing channel id.
	Team string `json:"team"`
	SLA
	// Escalation is mentioned at every breach: a user group (S…) or a channel (C…) id;
	// "" for no one.
	Escalation string `json:"escalation,omitempty"`
	// AutoWaiting sets an active ticket waiting on the customer at each message an
	// agent writes to them (the customer's answer makes it active again).
	AutoWaiting bool `json:"auto_waiting,omitempty"`
	// ReopenWindow: a customer who writes again within it after their ticket closed
	// reopens it (the same card and inbox channel, the agent who had it told) rather than
	// opening a new one; 0: never. The inbox channel stays open that long after a close.
	ReopenWindow time.Duration `json:"reopen_window,omitempty"`
	// AutoReply acknowledges each new ticket to its customer; off while empty.
	AutoReply AutoReply `json:"auto_reply,omitzero"`
	// ResolutionRunsPaused keeps the resolution clock running while a ticket waits on
	// the customer or is on hold; by default those pause it.
	ResolutionRunsPaused bool `json:"resolution_runs_paused,omitempty"`
}

// AutoReply is the message a customer gets when their ticket opens: InHours while the
// team's business hours are open, OutOfHours otherwise, where {next_open} says when they
// open again (in the team's time zone). An empty one is not sent.
type AutoReply struct {
	InHours    string `json:"in_hours,omitempty"`
	OutOfHours string `json:"out_of_hours,omitempty"`
}

// watch is how a ticket of the team with policy p (has: whether it has one) is watched.
func (p SLAPolicy) watch(has bool) Watch {
	return Watch{Clocks: has && len(p.Targets) > 0, AutoWait: has && p.AutoWaiting}
}

// escalationPattern is a Slack user group or channel id.
var escalationPattern = regexp.MustCompile(`^[SCG][A-Z0-9]{2,}$`)

// validateSLAs reports what is wrong with policies, each problem naming its team's
// label; teams maps each ticketing channel id to its label.
func validateSLAs(policies []SLAPolicy, teams map[string]string) error {
	seen := map[string]bool{}
	var errs []error
	for _, p := range policies {
		label, ok := teams[p.Team]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("an SLA is for channel %q, which is no ticketing channel", p.Team))
			continue
		case seen[p.Team]:
			errs = append(errs, fmt.Errorf("team %s has two SLAs", label))
			continue
		}
		seen[p.Team] = true
		if err := p.SLA.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("SLA of %s: %w", label, err))
		}
		if len(p.AutoReply.InHours) > MaxTemplateBytes || len(p.AutoReply.OutOfHours) > MaxTemplateBytes {
			errs = append(errs, fmt.Errorf("SLA of %s: an automatic reply is longer than %d bytes", label, MaxTemplateBytes))
		}
		if p.ReopenWindow < 0 || p.ReopenWindow > MaxReopenWindow {
			errs = append(errs, fmt.Errorf("SLA of %s: reopen window %s: must be 0 (never) to %s", label, p.ReopenWindow, MaxReopenWindow))
		}
		if p.Escalation != "" && !escalationPattern.MatchString(p.Escalation) {
			errs = append(errs, fmt.Errorf("SLA of %s: escalation %q is not a user group (S…) or channel (C…) id", label, p.Escalation))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// SLAFor is the SLA policy of the team whose ticketing channel is channel.
func (s *Settings) SLAFor(channel string) (SLAPolicy, bool) {
	for _, p := range s.SLAs {
		if p.Team == channel {
			return p, true
		}
	}
	return SLAPolicy{}, false
}

// ParseTarget reads a target as people write it: "15m", "4h", "1h30m", "2d" (days of 24
// business hours), or "-" / "0" / "" for none.
func ParseTarget(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "-", "0":
		return 0, nil
	}
	var d time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > int(MaxSLATarget/(24*time.Hour)) {
			return 0, fmt.Errorf("%q is not a target like 15m, 4h or 2d", s)
		}
		d, s = time.Duration(n)*24*time.Hour, rest
		if s == "" {
			return d, nil
		}
	}
	more, err := time.ParseDuration(s)
	if err != nil || more < 0 {
		return 0, fmt.Errorf("%q is not a target like 15m, 4h or 2d", s)
	}
	return d + more, nil
}

// ParseTargets reads targets by urgency written "urgency=first/next/resolution",
// separated by spaces or commas: "urgent=15m/1h/4h high=1h/4h/1d none=4h/-/3d", where
// "none" is a ticket without an urgency and "-" no target. Each error names its entry.
func ParseTargets(s string) (map[Urgency]Targets, error) {
	out := map[Urgency]Targets{}
	var errs []error
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		name, spec, ok := strings.Cut(entry, "=")
		u := Urgency(strings.ToLower(strings.TrimSpace(name)))
		if u == "none" {
			u = ""
		}
		switch {
		case !ok || strings.Count(spec, "/") != 2:
			errs = append(errs, fmt.Errorf("%q: write urgency=first/next/resolution, like high=1h/4h/1d", entry))
			continue
		case !u.Valid():
			errs = append(errs, fmt.Errorf("%q: %q is not urgent, high, medium, low or none", entry, name))
			continue
		}
		if _, dup := out[u]; dup {
			errs = append(errs, fmt.Errorf("%q: %s is listed twice", entry, urgencyName(u)))
			continue
		}
		t, err := ParseTargetsOf(spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", entry, err))
		}
		out[u] = t
	}
	return out, errors.Join(errs...)
}

// ParseHours reads business hours as people write them: an optional IANA time zone,
// then the week as ParseWeek reads it ("Europe/Berlin Mon-Fri 09:00-17:00; Sat
// 10:00-14:00"), or "24/7" (with or without a zone).
func ParseHours(s string) (Hours, error) {
	s = strings.TrimSpace(s)
	var h Hours
	if first, rest, _ := strings.Cut(s, " "); strings.Contains(first, "/") && first != "24/7" || first == "UTC" {
		h.Zone, s = first, strings.TrimSpace(rest)
	}
	if strings.EqualFold(s, "24/7") {
		h.Always = true
		return h, h.Validate()
	}
	week, err := ParseWeek(s)
	if err != nil {
		return Hours{}, err
	}
	h.Week = week
	return h, h.Validate()
}

// FormatTarget writes d as ParseTarget reads it: "-" for none, "2d" for whole days,
// "1h30m", "15m", "45s".
func FormatTarget(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	var b strings.Builder
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dd", days)
		d -= days * 24 * time.Hour
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// String writes h as ParseHours reads it: "24/7" (after the zone, if any), or the zone
// and the week, days with the same ranges run together ("Europe/Berlin Mon-Fri
// 09:00-17:00; Sat 10:00-14:00"). Holidays are not in it.
func (h Hours) String() string {
	zone := ""
	if h.Zone != "" {
		zone = h.Zone + " "
	}
	if h.Always {
		return zone + "24/7"
	}
	var entries []string
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	for i := 0; i < len(order); {
		spans := h.Week[order[i]]
		j := i + 1
		for j < len(order) && slices.Equal(h.Week[order[j]], spans) {
			j++
		}
		if len(spans) > 0 {
			days := capitalize(dayNames[order[i]])
			if j-i > 1 {
				days += "-" + capitalize(dayNames[order[j-1]])
			}
			ranges := make([]string, len(spans))
			for k, s := range spans {
				ranges[k] = clock(s.From) + "-" + clock(s.To)
			}
			entries = append(entries, days+" "+strings.Join(ranges, ", "))
		}
		i = j
	}
	return zone + strings.Join(entries, "; ")
}

// ParseTargetsOf reads one urgency's targets written "first/next/resolution" (spaces
// around the parts allowed): "15m / 1h / 4h", "4h/-/3d".
func ParseTargetsOf(spec string) (Targets, error) {
	parts := strings.Split(spec, "/")
	if len(parts) != 3 {
		return Targets{}, fmt.Errorf("%q: write three targets, first reply / next reply / resolution, like 15m / 1h / 4h (- for none)", strings.TrimSpace(spec))
	}
	var ds [3]time.Duration
	var errs []error
	for i, p := range parts {
		d, err := ParseTarget(p)
		errs = append(errs, err)
		ds[i] = d
	}
	return Targets{FirstResponse: ds[0], NextResponse: ds[1], Resolution: ds[2]}, errors.Join(errs...)
}

// ParseShare reads a share of a target written "75%", "0.75" or "75" (a number of 1 or
// more is a percentage): above 0, below 1.
func ParseShare(s string) (float64, error) {
	s = strings.TrimSpace(s)
	pct, isPct := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
	if isPct || f >= 1 {
		f /= 100
	}
	if err != nil || f <= 0 || f >= 1 {
		return 0, fmt.Errorf("%q is not a share of a target like 75%% (above 0, below 100%%)", s)
	}
	return f, nil
}
