package tickets_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestParseTargets(t *testing.T) {
	got, err := ParseTargets("urgent=15m/1h/4h, high=1h/4h/1d none=4h/-/2d12h")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "targets", got, map[Urgency]Targets{
		UrgencyUrgent: {15 * time.Minute, time.Hour, 4 * time.Hour},
		UrgencyHigh:   {time.Hour, 4 * time.Hour, 24 * time.Hour},
		"":            {4 * time.Hour, 0, 60 * time.Hour},
	})
	for in, want := range map[string]string{
		"asap=1h/1h/1h":         `"asap" is not urgent`,
		"high=1h/1h":            "urgency=first/next/resolution",
		"high=1x/1h/1h":         `"1x" is not a target`,
		"low=1h/-/- low=1h/-/-": "Low is listed twice",
	} {
		if _, err := ParseTargets(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTargets(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestParseHours(t *testing.T) {
	h, err := ParseHours("Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00")
	if err != nil {
		t.Fatal(err)
	}
	if h.Zone != "Europe/Berlin" || len(h.Week[time.Saturday]) != 1 || len(h.Week[time.Sunday]) != 0 || h.Always {
		t.Errorf("hours = %+v", h)
	}
	if h, err := ParseHours("America/New_York 24/7"); err != nil || !h.Always || h.Zone != "America/New_York" {
		t.Errorf("24/7 = %+v, %v", h, err)
	}
	if _, err := ParseHours("Mars/Olympus Mon 09:00-17:00"); err == nil {
		t.Error("an unknown zone was taken")
	}
}

func TestSettings_SLAs(t *testing.T) {
	base := func() Settings {
		return Settings{TicketingChannels: []Team{support, technical}, SLAs: []SLAPolicy{supportSLA}}
	}
	s := base()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	// Saved as JSON and read back the same, holidays as days.
	s.SLAs[0].Hours = Hours{Zone: "Europe/Berlin", Week: [7][]Span{1: {{From: 540, To: 1020}}}, Holidays: []Date{{Year: 2026, Month: 12, Day: 25}}}
	b, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(b), `"holidays":["2026-12-25"]`) {
		t.Fatalf("json = %s, %v", b, err)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	equal(t, "round trip", back.SLAs, s.SLAs)
	if p, ok := back.SLAFor(support.ChannelID); !ok || p.Escalation != "SESC" {
		t.Errorf("SLAFor = %+v, %v", p, ok)
	}
	for name, tc := range map[string]struct {
		edit func(*Settings)
		want string
	}{
		"unknown team": {func(s *Settings) { s.SLAs[0].Team = "C9" }, "no ticketing channel"},
		"twice":        {func(s *Settings) { s.SLAs = append(s.SLAs, s.SLAs[0]) }, "Support Team has two SLAs"},
		"bad target": {func(s *Settings) {
			s.SLAs[0].Targets = map[Urgency]Targets{UrgencyHigh: {Resolution: -time.Minute}}
		}, "SLA of Support Team: High resolution target"},
		"escalation": {func(s *Settings) { s.SLAs[0].Escalation = "@oncall" }, "not a user group"},
	} {
		s := base()
		s.SLAs = append([]SLAPolicy(nil), s.SLAs...)
		tc.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", name, err, tc.want)
		}
		wantErr(t, err, ErrInvalid)
	}
}

func TestFormatTargetAndHours(t *testing.T) {
	for _, d := range []time.Duration{0, 45 * time.Second, 15 * time.Minute, 90 * time.Minute, 24 * time.Hour, 50 * time.Hour} {
		got, err := ParseTarget(FormatTarget(d))
		if err != nil || got != d {
			t.Errorf("FormatTarget(%s) = %q, read back %s, %v", d, FormatTarget(d), got, err)
		}
	}
	for _, in := range []string{"Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00", "24/7", "America/New_York 24/7",
		"Mon 09:00-12:00, 13:00-17:00; Wed 22:00-06:00; Fri-Sun 10:00-24:00"} {
		h, err := ParseHours(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseHours(h.String())
		if err != nil || !reflect.DeepEqual(back, h) {
			t.Errorf("%q: String() = %q, read back %+v, %v", in, h.String(), back, err)
		}
	}
	h, _ := ParseHours("Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00")
	equal(t, "written", h.String(), "Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00")
}
