package tickets_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// An SLA's clocks fall due in business time, after their pauses; they warn at the
// policy's share; a clock paused now has no due time, and its state counts the pause in
// progress as paused.
func TestSLA_Due(t *testing.T) {
	const zone = "Europe/Berlin"
	at := func(s string) time.Time { return when(t, zone, s) }
	sla := SLA{Hours: hours(t, zone, "Mon-Fri 09:00-17:00", "2026-12-24, 2026-12-25"), Targets: map[Urgency]Targets{
		UrgencyUrgent: {FirstResponse: 30 * time.Minute, NextResponse: 15 * time.Minute, Resolution: 4 * time.Hour},
		"":            {FirstResponse: 4 * time.Hour, Resolution: 40 * time.Hour},
	}}
	if err := sla.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := sla.Target(UrgencyLow, SLAFirstResponse); got != 0 {
		t.Errorf("an urgency without targets has %s", got)
	}
	if got := sla.Target(UrgencyUrgent, SLANextResponse); got != 15*time.Minute {
		t.Errorf("urgent next response = %s", got)
	}
	for _, tc := range []struct {
		name      string
		clock     SLAClock
		warn, due string
	}{
		{"first response within the day", SLAClock{Kind: SLAFirstResponse, Started: at("2026-03-24 10:00"), Target: 4 * time.Hour},
			"2026-03-24 13:00", "2026-03-24 14:00"},
		{"over the weekend", SLAClock{Kind: SLAFirstResponse, Started: at("2026-03-27 15:00"), Target: 4 * time.Hour},
			"2026-03-30 10:00", "2026-03-30 11:00"},
		{"opened at night", SLAClock{Kind: SLAFirstResponse, Started: at("2026-03-24 20:00"), Target: 40 * time.Minute},
			"2026-03-25 09:30", "2026-03-25 09:40"},
		{"over the holidays", SLAClock{Kind: SLAResolution, Started: at("2026-12-23 14:00"), Target: 4 * time.Hour},
			"2026-12-23 17:00", "2026-12-28 10:00"},
		{"after a pause", SLAClock{Kind: SLAResolution, Started: at("2026-03-24 09:00"), Target: 4 * time.Hour,
			Pauses: [][2]time.Time{{at("2026-03-24 10:00"), at("2026-03-24 12:00")}}}, "2026-03-24 14:00", "2026-03-24 15:00"},
	} {
		due, ok := sla.Due(tc.clock)
		if !ok || !due.Warn.Equal(at(tc.warn)) || !due.Due.Equal(at(tc.due)) {
			t.Errorf("%s: warn %s, due %s (%v); want %s, %s", tc.name, due.Warn.In(at(tc.due).Location()).Format("2006-01-02 15:04:05"),
				due.Due.In(at(tc.due).Location()).Format("2006-01-02 15:04"), ok, tc.warn, tc.due)
		}
	}
	// 30 minutes of 75% is 22.5: the warning is at 09:22:30.
	if due, _ := sla.Due(SLAClock{Started: at("2026-03-24 20:00"), Target: 30 * time.Minute}); !due.Warn.Equal(at("2026-03-25 09:22").Add(30 * time.Second)) {
		t.Errorf("warn = %s", due.Warn)
	}

	// Paused now: no due time; the state counts only the business time before the pause.
	paused := SLAClock{Kind: SLAResolution, Started: at("2026-03-24 09:00"), Target: 4 * time.Hour, PausedAt: at("2026-03-24 11:00")}
	if _, ok := sla.Due(paused); ok {
		t.Error("a paused clock has a due time")
	}
	if st := sla.State(paused, at("2026-03-25 16:00")); st.Elapsed != 2*time.Hour || st.Left != 2*time.Hour || st.Warned || st.Breached {
		t.Errorf("paused state = %+v", st)
	}
	// Running: warned at 3 hours, breached at 4.
	running := SLAClock{Kind: SLAFirstResponse, Started: at("2026-03-24 09:00"), Target: 4 * time.Hour}
	for _, tc := range []struct {
		now              string
		warned, breached bool
	}{{"2026-03-24 11:59", false, false}, {"2026-03-24 12:00", true, false}, {"2026-03-24 13:00", true, true}, {"2026-03-24 20:00", true, true}} {
		if st := sla.State(running, at(tc.now)); st.Warned != tc.warned || st.Breached != tc.breached {
			t.Errorf("at %s: %+v, want warned %v breached %v", tc.now, st, tc.warned, tc.breached)
		}
	}
	if _, ok := sla.Due(SLAClock{Started: at("2026-03-24 09:00")}); ok {
		t.Error("a clock without a target has a due time")
	}
}

func TestSLA_Validate(t *testing.T) {
	good := SLA{Hours: Hours{Always: true}, Targets: map[Urgency]Targets{UrgencyHigh: {FirstResponse: time.Hour}}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(*SLA)
		want string
	}{
		"hours":          {func(s *SLA) { s.Hours = Hours{Zone: "Nowhere/Land"} }, "business hours"},
		"urgency":        {func(s *SLA) { s.Targets["asap"] = Targets{FirstResponse: time.Hour} }, `"asap" is not an urgency`},
		"negative":       {func(s *SLA) { s.Targets[UrgencyLow] = Targets{Resolution: -time.Hour} }, "Low resolution target"},
		"too long":       {func(s *SLA) { s.Targets[""] = Targets{Resolution: 100 * 24 * time.Hour} }, "no urgency resolution target"},
		"below a second": {func(s *SLA) { s.Targets[UrgencyLow] = Targets{NextResponse: 300 * time.Millisecond} }, "at least 1s"},
		"warn share":     {func(s *SLA) { s.WarnAt = 1 }, "warning share"},
	} {
		s := SLA{Hours: good.Hours, Targets: map[Urgency]Targets{UrgencyHigh: {FirstResponse: time.Hour}}}
		tc.edit(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", name, err, tc.want)
		}
	}
}
