package chatra

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Bounds on a message time worth taking: Chatra's clock may run a little ahead of ours,
// but a time far ahead, or before Chatra existed, is a wrong field, not a time.
const (
	maxClockAhead = 5 * time.Minute
	minUnixSecond = 1262304000 // 2010-01-01T00:00:00Z
)

// msSince is the smallest number read as milliseconds rather than seconds: 1e11 seconds
// is in the year 5138, 1e11 milliseconds in 1973.
const msSince = 1e11

// messageTime is the time in a message's timestamp field as given (message.at): Chatra's
// createdAt is milliseconds since the Unix epoch (docs/chatra.md). Being lenient where the
// docs are silent, it also takes seconds (a number below msSince), either with a fraction
// or as a numeric string, and RFC 3339 text. It is zero when s is empty, not a time, before
// 2010 or more than maxClockAhead after now: the ticket service then stamps the message
// when it takes it.
func messageTime(s string, now time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	var t time.Time
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > math.MaxInt64/2 {
			return time.Time{}
		}
		if f >= msSince {
			t = time.UnixMilli(int64(f))
		} else {
			sec, frac := math.Modf(f)
			t = time.Unix(int64(sec), int64(frac*1e9))
		}
	} else if p, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t = p
	} else {
		return time.Time{}
	}
	if t.Unix() < minUnixSecond || t.After(now.Add(maxClockAhead)) {
		return time.Time{}
	}
	return t.UTC()
}
