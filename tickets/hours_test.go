package tickets_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// when is a wall-clock time in zone, "2026-03-27 16:00".
func when(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// hours are business hours in zone from ParseWeek's text and holidays.
func hours(t *testing.T, zone, week, holidays string) Hours {
	t.Helper()
	w, err := ParseWeek(week)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := ParseHolidays(holidays)
	if err != nil {
		t.Fatal(err)
	}
	h := Hours{Zone: zone, Week: w, Holidays: hs}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	return h
}

// Business-time arithmetic: when a target of d from t falls due, how much business time
// lies between two times, whether the hours are open, and when they next open, across
// weekends, holidays, ranges over midnight and the clocks changing in two zones.
func TestHours(t *testing.T) {
	const berlin, newYork = "Europe/Berlin", "America/New_York"
	office := hours(t, berlin, "Mon-Fri 09:00-17:00", "2026-12-24, 2026-12-25")
	night := hours(t, berlin, "Mon 22:00-06:00", "")
	allDay := hours(t, berlin, "24/7", "")
	sunday := hours(t, berlin, "Sun 01:00-05:00, 09:00-17:00", "")
	nyNight := hours(t, newYork, "Sat 22:00-06:00; Sun 00:00-00:00", "")
	for _, tc := range []struct {
		name     string
		h        Hours
		zone     string
		from     string
		add      time.Duration
		due      string // wall clock in zone
		between  string // the end of a Between from from
		business time.Duration
	}{
		{"within a day", office, berlin, "2026-03-24 10:00", 2 * time.Hour, "2026-03-24 12:00", "2026-03-24 12:00", 2 * time.Hour},
		{"over the weekend", office, berlin, "2026-03-27 15:00", 4 * time.Hour, "2026-03-30 11:00", "2026-03-30 11:00", 4 * time.Hour},
		{"from a closed hour", office, berlin, "2026-03-28 10:00", 30 * time.Minute, "2026-03-30 09:30", "2026-03-30 09:30", 30 * time.Minute},
		{"ending at the close", office, berlin, "2026-03-24 16:00", time.Hour, "2026-03-24 17:00", "2026-03-24 18:00", time.Hour},
		{"over two holidays and a weekend", office, berlin, "2026-12-23 16:00", 2 * time.Hour, "2026-12-28 10:00", "2026-12-28 10:00", 2 * time.Hour},
		{"days long", office, berlin, "2026-03-23 09:00", 40 * time.Hour, "2026-03-27 17:00", "2026-03-30 09:00", 40 * time.Hour},
		{"over midnight", night, berlin, "2026-03-23 23:00", 2 * time.Hour, "2026-03-24 01:00", "2026-03-24 01:00", 2 * time.Hour},
		{"into next week's night", night, berlin, "2026-03-24 05:00", 2 * time.Hour, "2026-03-30 23:00", "2026-03-30 23:00", 2 * time.Hour},
		// Berlin moves to summer time on 2026-03-29 at 02:00 (to 03:00): that Sunday has 23
		// hours, its 01:00-05:00 three, its 09:00-17:00 eight.
		{"spring forward, whole day", allDay, berlin, "2026-03-28 12:00", 23 * time.Hour, "2026-03-29 12:00", "2026-03-29 12:00", 23 * time.Hour},
		{"spring forward, over the gap", sunday, berlin, "2026-03-29 01:00", 3 * time.Hour, "2026-03-29 05:00", "2026-03-29 05:00", 3 * time.Hour},
		{"spring forward, office hours", sunday, berlin, "2026-03-29 09:00", 8 * time.Hour, "2026-03-29 17:00", "2026-03-29 17:00", 8 * time.Hour},
		// Back to winter time on 2026-10-25 at 03:00 (to 02:00): 25 hours, 01:00-05:00 five.
		{"fall back, whole day", allDay, berlin, "2026-10-24 12:00", 25 * time.Hour, "2026-10-25 12:00", "2026-10-25 12:00", 25 * time.Hour},
		{"fall back, over the repeat", sunday, berlin, "2026-10-25 01:00", 5 * time.Hour, "2026-10-25 05:00", "2026-10-25 05:00", 5 * time.Hour},
		// New York springs forward on 2026-03-08 and falls back on 2026-11-01, Sundays at
		// 02:00: Saturday 22:00 to Sunday 06:00 is seven hours, then nine; Sunday's
		// 00:00-00:00 is the whole day, 23 and 25 hours.
		{"New York spring, over midnight", nyNight, newYork, "2026-03-07 22:00", 7 * time.Hour, "2026-03-08 06:00", "2026-03-08 06:00", 7 * time.Hour},
		{"New York spring, whole Sunday", nyNight, newYork, "2026-03-08 00:00", 23 * time.Hour, "2026-03-09 00:00", "2026-03-09 00:00", 23 * time.Hour},
		{"New York fall, over midnight", nyNight, newYork, "2026-10-31 22:00", 9 * time.Hour, "2026-11-01 06:00", "2026-11-01 06:00", 9 * time.Hour},
		{"New York fall, whole Sunday", nyNight, newYork, "2026-11-01 00:00", 25 * time.Hour, "2026-11-02 00:00", "2026-11-02 00:00", 25 * time.Hour},
		{"24/7", Hours{Always: true}, berlin, "2026-03-28 12:00", 90 * time.Minute, "2026-03-28 13:30", "2026-03-29 12:00", 23 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := when(t, tc.zone, tc.from)
			due, ok := tc.h.Add(from, tc.add)
			if want := when(t, tc.zone, tc.due); !ok || !due.Equal(want) {
				t.Errorf("Add(%s, %s) = %s %v, want %s", tc.from, tc.add, due, ok, want)
			}
			if got := tc.h.Between(from, when(t, tc.zone, tc.between)); got != tc.business {
				t.Errorf("Between(%s, %s) = %s, want %s", tc.from, tc.between, got, tc.business)
			}
			if back := tc.h.Between(from, due); back != tc.add {
				t.Errorf("Between(from, Add(from, %s)) = %s", tc.add, back)
			}
		})
	}

	// Open or not, and when next.
	for _, tc := range []struct {
		h        Hours
		at       string
		open     bool
		nextOpen string
	}{
		{office, "2026-03-24 09:00", true, "2026-03-24 09:00"},
		{office, "2026-03-24 17:00", false, "2026-03-25 09:00"},
		{office, "2026-03-28 10:00", false, "2026-03-30 09:00"},
		{office, "2026-12-24 10:00", false, "2026-12-28 09:00"},
		{night, "2026-03-24 05:59", true, "2026-03-24 05:59"},
		{night, "2026-03-24 06:00", false, "2026-03-30 22:00"},
	} {
		at := when(t, berlin, tc.at)
		next, ok := tc.h.NextOpen(at)
		if tc.h.OpenAt(at) != tc.open || !ok || !next.Equal(when(t, berlin, tc.nextOpen)) {
			t.Errorf("at %s: open %v, next %s %v; want %v, %s", tc.at, tc.h.OpenAt(at), next, ok, tc.open, tc.nextOpen)
		}
	}

	// A holiday closes the night that starts on it, not the one that runs into it.
	holidayNight := hours(t, berlin, "Mon-Sun 22:00-06:00", "2026-12-24")
	if !holidayNight.OpenAt(when(t, berlin, "2026-12-24 05:00")) || holidayNight.OpenAt(when(t, berlin, "2026-12-24 23:00")) {
		t.Error("a holiday's own night is open, or the night before it closed")
	}
}

// Paused clocks (waiting on the customer, on hold) do not count, however the pauses
// overlap each other or closed hours.
func TestHours_Paused(t *testing.T) {
	const zone = "Europe/Berlin"
	office := hours(t, zone, "Mon-Fri 09:00-17:00", "")
	at := func(s string) time.Time { return when(t, zone, s) }
	got := office.Between(at("2026-03-24 09:00"), at("2026-03-25 17:00"),
		[2]time.Time{at("2026-03-24 10:00"), at("2026-03-24 11:00")},
		[2]time.Time{at("2026-03-24 10:30"), at("2026-03-24 12:00")}, // overlaps the first
		[2]time.Time{at("2026-03-24 16:00"), at("2026-03-25 10:00")}, // over the night
		[2]time.Time{at("2026-03-20 00:00"), at("2026-03-20 23:00")}, // before: nothing
	)
	// 16 open hours; paused 10:00-12:00 (2h), 16:00-17:00 and 09:00-10:00 (2h).
	if want := 12 * time.Hour; got != want {
		t.Errorf("Between with pauses = %s, want %s", got, want)
	}
	if got := office.Between(at("2026-03-24 12:00"), at("2026-03-24 11:00")); got != 0 {
		t.Errorf("Between backwards = %s", got)
	}
}

func TestHours_Validate(t *testing.T) {
	for name, tc := range map[string]struct {
		h    Hours
		want string
	}{
		"zone":          {Hours{Zone: "Mars/Olympus", Week: [7][]Span{1: {{540, 1020}}}}, "IANA"},
		"overlap":       {Hours{Week: [7][]Span{1: {{540, 1020}, {960, 1080}}}}, "overlap"},
		"night overlap": {Hours{Week: [7][]Span{1: {{1320, 360}, {1380, 1440}}}}, "overlap"},
		"range":         {Hours{Week: [7][]Span{1: {{-1, 60}}}}, "not a range"},
		"closed":        {Hours{Zone: "UTC"}, "no day has open hours"},
	} {
		if err := tc.h.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", name, err, tc.want)
		}
	}
	if _, ok := (Hours{Zone: "UTC"}).Add(time.Now(), time.Hour); ok {
		t.Error("hours never open made a due time")
	}
	if err := (Hours{Always: true}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestParseWeek(t *testing.T) {
	w, err := ParseWeek(" mon-FRI 09:00-12:30, 13:30-17:00; Sat 10:00-14:00 ; Fri-Mon 22:00-06:00;Wed,Thu 18:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	want := map[time.Weekday]string{
		time.Monday:    "09:00–12:30 13:30–17:00 22:00–06:00",
		time.Tuesday:   "09:00–12:30 13:30–17:00",
		time.Wednesday: "09:00–12:30 13:30–17:00 18:00–24:00",
		time.Thursday:  "09:00–12:30 13:30–17:00 18:00–24:00",
		time.Friday:    "09:00–12:30 13:30–17:00 22:00–06:00",
		time.Saturday:  "10:00–14:00 22:00–06:00",
		time.Sunday:    "22:00–06:00",
	}
	for d, spans := range w {
		var got []string
		for _, s := range spans {
			got = append(got, s.String())
		}
		if strings.Join(got, " ") != want[time.Weekday(d)] {
			t.Errorf("%s = %v, want %s", time.Weekday(d), got, want[time.Weekday(d)])
		}
	}
	if w, err := ParseWeek("24/7"); err != nil || len(w[3]) != 1 || w[3][0] != (Span{0, 1440}) {
		t.Errorf("24/7 = %v %v", w, err)
	}
	for _, bad := range []string{"Mon", "Mnd 09:00-17:00", "Mon 9-17", "Mon 09:00-17:60", "Mon 25:00-26:00", "Mon 09:00-09:00", "Mon 09:00"} {
		if _, err := ParseWeek(bad); err == nil || !strings.Contains(err.Error(), `"`) {
			t.Errorf("ParseWeek(%q) = %v, want an error naming the entry", bad, err)
		}
	}
	hs, err := ParseHolidays("2026-12-24, 2026-12-25\n2026-12-24 2027-01-01")
	if err != nil || len(hs) != 3 || hs[2].String() != "2027-01-01" {
		t.Errorf("ParseHolidays = %v %v", hs, err)
	}
	if _, err := ParseHolidays("2026-02-30"); err == nil {
		t.Error("ParseHolidays took February 30th")
	}
}
