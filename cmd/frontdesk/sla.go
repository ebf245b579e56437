package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// byTeam is a list of "Team label: value" entries separated by "|", as the SLA_*
// variables write one value per team (SLA_HOURS="Support Team: Europe/Berlin Mon-Fri
// 09:00-17:00 | Technical Team: 24/7"); it decodes itself for processEnv.
type byTeam []teamValue

type teamValue struct{ label, value string }

// Decode implements envconfig.Decoder.
func (l *byTeam) Decode(value string) error {
	seen := map[string]bool{}
	for entry := range strings.SplitSeq(value, "|") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		label, v, ok := strings.Cut(entry, ":")
		label, v = strings.TrimSpace(label), strings.TrimSpace(v)
		if !ok || label == "" || v == "" {
			return fmt.Errorf("%q is not Team label: value", strings.TrimSpace(entry))
		}
		if seen[strings.ToLower(label)] {
			return fmt.Errorf("team %q is listed twice", label)
		}
		seen[strings.ToLower(label)] = true
		*l = append(*l, teamValue{label, v})
	}
	return nil
}

// slaEnv are the variables that set the teams' first SLA policies.
type slaEnv struct {
	Targets    byTeam `envconfig:"SLA_TARGETS"`
	Hours      byTeam `envconfig:"SLA_HOURS"`
	Holidays   byTeam `envconfig:"SLA_HOLIDAYS"`
	Escalation byTeam `envconfig:"SLA_ESCALATION"`
	WarnAt     string `envconfig:"SLA_WARN_AT" default:"75%"`
	Reopen     byTeam `envconfig:"REOPEN_WINDOW"`
	AutoWait   byTeam `envconfig:"AUTO_WAITING"`
	RunsPaused byTeam `envconfig:"SLA_RESOLUTION_RUNS_PAUSED"`
	ReplyIn    byTeam `envconfig:"AUTO_REPLY"`
	ReplyOut   byTeam `envconfig:"AUTO_REPLY_OUT_OF_HOURS"`
}

// policies builds the policies e sets for teams: one per team named in any of the
// variables, with its targets (none when SLA_TARGETS leaves it out), hours (24/7 when
// SLA_HOURS does), holidays, escalation, reopen window, waiting after replies and
// automatic replies. Each
// problem names its variable.
func (e slaEnv) policies(teams []tickets.Team) ([]tickets.SLAPolicy, error) {
	var errs []error
	fail := func(key string, err error) { errs = append(errs, fmt.Errorf("%s: %w", key, err)) }
	share, err := tickets.ParseShare(e.WarnAt)
	if err != nil {
		fail("SLA_WARN_AT", err)
	}
	team := func(key, label string) (tickets.Team, bool) {
		s := tickets.Settings{TicketingChannels: teams}
		t, ok := s.TeamByLabel(label)
		if !ok {
			fail(key, fmt.Errorf("%q is no team of TICKETING_CHANNELS", label))
		}
		return t, ok
	}
	var out []tickets.SLAPolicy
	index := map[string]int{} // channel → its policy in out
	for _, tv := range e.Targets {
		t, ok := team("SLA_TARGETS", tv.label)
		if !ok {
			continue
		}
		targets, err := tickets.ParseTargets(tv.value)
		if err != nil {
			fail("SLA_TARGETS", fmt.Errorf("%s: %w", tv.label, err))
		}
		index[t.ChannelID] = len(out)
		out = append(out, tickets.SLAPolicy{Team: t.ChannelID, SLA: tickets.SLA{Hours: tickets.Hours{Always: true}, Targets: targets, WarnAt: share}})
	}
	each := func(key string, list byTeam, set func(p *tickets.SLAPolicy, value string) error) {
		for _, tv := range list {
			t, ok := team(key, tv.label)
			if !ok {
				continue
			}
			i, ok := index[t.ChannelID]
			if !ok { // a team with no targets, for its hours, reopens or statuses
				i, index[t.ChannelID] = len(out), len(out)
				out = append(out, tickets.SLAPolicy{Team: t.ChannelID, SLA: tickets.SLA{Hours: tickets.Hours{Always: true}, WarnAt: share}})
			}
			if err := set(&out[i], tv.value); err != nil {
				fail(key, fmt.Errorf("%s: %w", tv.label, err))
			}
		}
	}
	each("SLA_HOURS", e.Hours, func(p *tickets.SLAPolicy, v string) (err error) {
		holidays := p.Hours.Holidays
		p.Hours, err = tickets.ParseHours(v)
		p.Hours.Holidays = holidays
		return err
	})
	each("SLA_HOLIDAYS", e.Holidays, func(p *tickets.SLAPolicy, v string) (err error) {
		p.Hours.Holidays, err = tickets.ParseHolidays(v)
		return err
	})
	each("SLA_ESCALATION", e.Escalation, func(p *tickets.SLAPolicy, v string) error {
		p.Escalation = v
		return nil
	})
	each("REOPEN_WINDOW", e.Reopen, func(p *tickets.SLAPolicy, v string) (err error) {
		p.ReopenWindow, err = tickets.ParseTarget(v)
		return err
	})
	each("AUTO_WAITING", e.AutoWait, func(p *tickets.SLAPolicy, v string) (err error) {
		p.AutoWaiting, err = parseBool(v)
		return err
	})
	each("AUTO_REPLY", e.ReplyIn, func(p *tickets.SLAPolicy, v string) error {
		p.AutoReply.InHours = v
		return nil
	})
	each("AUTO_REPLY_OUT_OF_HOURS", e.ReplyOut, func(p *tickets.SLAPolicy, v string) error {
		p.AutoReply.OutOfHours = v
		return nil
	})
	each("SLA_RESOLUTION_RUNS_PAUSED", e.RunsPaused, func(p *tickets.SLAPolicy, v string) (err error) {
		p.ResolutionRunsPaused, err = parseBool(v)
		return err
	})
	return out, errors.Join(errs...)
}

// parseBool reads yes/no, on/off, true/false.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on", "true", "1":
		return true, nil
	case "no", "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}
