package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // business hours name IANA zones; a host (or an image) without zoneinfo still knows them
)

// Hours are a team's business hours: when its SLA clocks run. Either Always (24/7), or
// weekly ranges in a time zone, minus holidays. A range belongs to the day it starts on:
// one that ends at or before it starts (22:00–06:00) runs past midnight into the next
// day, and a holiday closes the ranges that start on it. Times are the zone's wall clock:
// 09:00–17:00 is eight hours on any day, also when the clocks change that night, and a
// range over the change (00:00–24:00) is as long as that day really is.
type Hours struct {
	Always bool `json:"always,omitempty"`
	// Zone is the IANA time zone ("Europe/Berlin"); "" is UTC.
	Zone string `json:"zone,omitempty"`
	// Week holds the ranges of each day, by time.Weekday (Sunday first).
	Week [7][]Span `json:"week"`
	// Holidays are the days closed all day, in the zone.
	Holidays []Date `json:"holidays,omitempty"`
}

// Span is a range of a day in minutes since its midnight: From in [0, 1440), To in
// (0, 1440]. To ≤ From runs past midnight, to To of the next day.
type Span struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Date is a day of the calendar, without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText writes d as 2006-01-02.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads d from 2006-01-02 (ParseDate).
func (d *Date) UnmarshalText(b []byte) error {
	got, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = got
	return nil
}

// dateOf is the day t falls on in its location.
func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads a day written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a day like 2026-12-25", strings.TrimSpace(s))
	}
	return dateOf(t), nil
}

// maxHoursLookahead bounds how far the business-time arithmetic looks for open hours:
// further than any holiday list can close.
const maxHoursLookahead = 3 * 366

// Validate reports what is wrong with h: an unknown zone, a range outside the day, ranges
// of one day that overlap, or no open hour in any week.
func (h Hours) Validate() error {
	if h.Always {
		return nil
	}
	var errs []error
	if _, err := h.location(); err != nil {
		errs = append(errs, err)
	}
	open := false
	for wd, spans := range h.Week {
		for i, s := range spans {
			if s.From < 0 || s.From >= 24*60 || s.To <= 0 || s.To > 24*60 {
				errs = append(errs, fmt.Errorf("%s: %s is not a range of a day", time.Weekday(wd), s))
				continue
			}
			open = true
			for _, o := range spans[:i] {
				if overlap(s, o) {
					errs = append(errs, fmt.Errorf("%s: %s and %s overlap", time.Weekday(wd), o, s))
				}
			}
		}
	}
	if !open {
		errs = append(errs, errors.New("no day has open hours: set some, or 24/7"))
	}
	return errors.Join(errs...)
}

// overlap reports whether two ranges of one day share a minute (a range past midnight
// counts up to the day's end).
func overlap(a, b Span) bool {
	ae, be := a.end(), b.end()
	return a.From < be && b.From < ae
}

// end is where s ends, in minutes from its day's midnight (past 1440 when it runs into the
// next day).
func (s Span) end() int {
	if s.To <= s.From {
		return s.To + 24*60
	}
	return s.To
}

func (s Span) String() string { return clock(s.From) + "–" + clock(s.To) }

// clock writes minutes of a day as 09:30.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// location is h's zone.
func (h Hours) location() (*time.Location, error) {
	loc, err := time.LoadLocation(h.Zone)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IANA time zone like Europe/Berlin", h.Zone)
	}
	return loc, nil
}

// interval is an open stretch of time, [from, to).
type interval struct{ from, to time.Time }

// intervals calls yield with h's open intervals in order, merged where they touch, from
// the one open at or after t, for at most maxHoursLookahead days; it stops when yield
// returns false. An h that does not validate yields nothing.
func (h Hours) intervals(t time.Time, yield func(interval) bool) {
	if h.Always {
		yield(interval{t, t.AddDate(maxHoursLookahead/366, 0, 0)})
		return
	}
	loc, err := h.location()
	if err != nil {
		return
	}
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, loc) // a range of yesterday may still run
	var cur interval
	have := false
	for range maxHoursLookahead {
		d := dateOf(day)
		if !slices.Contains(h.Holidays, d) {
			spans := slices.Clone(h.Week[day.Weekday()])
			slices.SortFunc(spans, func(a, b Span) int { return a.From - b.From })
			for _, s := range spans {
				iv := interval{at(d, s.From, loc), at(d, s.end(), loc)}
				if !iv.to.After(t) || !iv.to.After(iv.from) {
					continue
				}
				if have && !iv.from.After(cur.to) { // touches or overlaps the one in hand
					cur.to = later(cur.to, iv.to)
					continue
				}
				if have && !yield(cur) {
					return
				}
				cur, have = iv, true
			}
		}
		day = time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc)
	}
	if have {
		yield(cur)
	}
}

// at is minute m of day d in loc (m may run into the next day), on the wall clock.
func at(d Date, m int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, m/60, m%60, 0, 0, loc)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// OpenAt reports whether h are open at t.
func (h Hours) OpenAt(t time.Time) bool {
	open := false
	h.intervals(t, func(iv interval) bool {
		open = !iv.from.After(t)
		return false
	})
	return open
}

// NextOpen is when h are next open at or after t (t itself when open then); ok is false
// when they never are within the lookahead.
func (h Hours) NextOpen(t time.Time) (next time.Time, ok bool) {
	h.intervals(t, func(iv interval) bool {
		next, ok = later(iv.from, t), true
		return false
	})
	return next, ok
}

// Add is when d of business time will have passed after t: t moved forward through open
// hours only, and not through the paused intervals (which must have ends). ok is false
// when h are not open long enough within the lookahead.
func (h Hours) Add(t time.Time, d time.Duration, paused ...[2]time.Time) (due time.Time, ok bool) {
	if d <= 0 {
		return t, true
	}
	left := d
	h.intervals(t, func(iv interval) bool {
		for _, part := range uncovered(later(iv.from, t), iv.to, paused) {
			if span := part.to.Sub(part.from); span < left {
				left -= span
				continue
			}
			due, ok = part.from.Add(left), true
			return false
		}
		return true
	})
	return due, ok
}

// uncovered is [from, to) without the paused intervals, in order.
func uncovered(from, to time.Time, paused [][2]time.Time) []interval {
	parts := []interval{{from, to}}
	for _, p := range paused {
		var next []interval
		for _, iv := range parts {
			if !p[0].Before(iv.to) || !p[1].After(iv.from) { // no overlap
				next = append(next, iv)
				continue
			}
			if p[0].After(iv.from) {
				next = append(next, interval{iv.from, p[0]})
			}
			if p[1].Before(iv.to) {
				next = append(next, interval{p[1], iv.to})
			}
		}
		parts = next
	}
	return parts
}

// Between is how much business time passes from a to b (0 when b is not after a), minus
// the paused intervals (a clock stopped while waiting on the customer, say; they may
// overlap each other and closed hours).
func (h Hours) Between(a, b time.Time, paused ...[2]time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var open time.Duration
	h.intervals(a, func(iv interval) bool {
		from, to := later(iv.from, a), iv.to
		if to.After(b) {
			to = b
		}
		if to.After(from) {
			for _, part := range uncovered(from, to, paused) {
				open += part.to.Sub(part.from)
			}
		}
		return iv.to.Before(b)
	})
	return open
}

// dayNames are the days as ParseWeek reads them, by time.Weekday.
var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeek reads weekly hours as people write them: "; "-separated entries of days and
// ranges, such as "Mon-Fri 09:00-17:00, 18:00-20:00; Sat 10:00-14:00; Sun 22:00-06:00".
// Days are the first three letters of their English names (any case), alone, listed with
// commas, or as a span through the week ("Fri-Mon"); a range ends past midnight when its
// end is not after its start, and 24:00 ends a day. "24/7" is every day all day. Each
// error names the entry it is about.
func ParseWeek(s string) (week [7][]Span, err error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "24/7") {
		for d := range week {
			week[d] = []Span{{0, 24 * 60}}
		}
		return week, nil
	}
	var errs []error
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		daysPart, rangesPart, found := strings.Cut(entry, " ")
		if !found {
			errs = append(errs, fmt.Errorf("%q: write the days, then the hours, like Mon-Fri 09:00-17:00", entry))
			continue
		}
		days, err := parseDays(daysPart)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", entry, err))
			continue
		}
		for r := range strings.SplitSeq(rangesPart, ",") {
			span, err := parseSpan(strings.TrimSpace(r))
			if err != nil {
				errs = append(errs, fmt.Errorf("%q: %w", entry, err))
				continue
			}
			for _, d := range days {
				week[d] = append(week[d], span)
			}
		}
	}
	return week, errors.Join(errs...)
}

// parseDays reads "Mon", "Mon,Wed", "Mon-Fri" or "Fri-Mon".
func parseDays(s string) ([]time.Weekday, error) {
	var days []time.Weekday
	for part := range strings.SplitSeq(s, ",") {
		first, last, isSpan := strings.Cut(strings.TrimSpace(part), "-")
		a, err := parseDay(first)
		if err != nil {
			return nil, err
		}
		b := a
		if isSpan {
			if b, err = parseDay(last); err != nil {
				return nil, err
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			if !slices.Contains(days, d) {
				days = append(days, d)
			}
			if d == b {
				break
			}
		}
	}
	return days, nil
}

func parseDay(s string) (time.Weekday, error) {
	i := slices.Index(dayNames[:], strings.ToLower(strings.TrimSpace(s)))
	if i < 0 {
		return 0, fmt.Errorf("%q is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun", strings.TrimSpace(s))
	}
	return time.Weekday(i), nil
}

// parseSpan reads "09:00-17:30".
func parseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(s, "-")
	from, err1 := parseClock(a, false)
	to, err2 := parseClock(b, true)
	if !ok || err1 != nil || err2 != nil {
		return Span{}, fmt.Errorf("%q is not a range like 09:00-17:00", s)
	}
	if from == to {
		return Span{}, fmt.Errorf("%q is empty: for a whole day write 00:00-24:00", s)
	}
	return Span{from, to}, nil
}

// parseClock reads "09:30" as minutes of the day; end allows "24:00".
func parseClock(s string, end bool) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	switch {
	case !ok || err1 != nil || err2 != nil || len(mm) != 2 || m < 0 || m > 59 || h < 0:
		return 0, errors.New("bad time")
	case h < 24, end && h == 24 && m == 0:
		if h == 0 && m == 0 && end {
			return 24 * 60, nil // a range ending at 00:00 ends at midnight
		}
		return h*60 + m, nil
	}
	return 0, errors.New("bad time")
}

// ParseHolidays reads days written YYYY-MM-DD, separated by commas, spaces or lines.
func ParseHolidays(s string) ([]Date, error) {
	var out []Date
	var errs []error
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == ';' }) {
		d, err := ParseDate(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, errors.Join(errs...)
}
