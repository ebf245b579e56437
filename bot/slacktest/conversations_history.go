package slacktest

import (
	"strconv"
	"strings"
)

// conversations.history: top-level messages (and thread broadcasts), newest first,
// with limit, oldest, latest, inclusive and cursor. Messages carry their metadata.
func (s *Sim) conversationsHistory(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	if !ch.isMember(BotUserID) {
		return nil, "not_in_channel"
	}
	oldest, latest := tsMicros(c.str("oldest")), tsMicros(c.str("latest"))
	inclusive := c.bool("inclusive")
	before := int64(-1)
	if cur := c.str("cursor"); cur != "" {
		n, ok := decodeCursor(cur, "next_ts:")
		if !ok {
			return nil, "invalid_cursor"
		}
		before = int64(n)
	}
	limit := pageLimit(c.str("limit"), 100, 999)
	var msgs []obj
	hasMore, next := false, ""
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		m := ch.msgs[i]
		t := tsMicros(m.ts)
		if m.isReply() && !m.broadcast || !inRange(t, oldest, latest, inclusive) || before >= 0 && t >= before {
			continue
		}
		if len(msgs) == limit {
			hasMore = true
			next = encodeCursor("next_ts:" + strconv.FormatInt(tsMicros(msgs[limit-1]["ts"].(string)), 10))
			break
		}
		msgs = append(msgs, m.json())
	}
	if msgs == nil {
		msgs = []obj{}
	}
	return obj{"messages": msgs, "has_more": hasMore, "pin_count": 0,
		"response_metadata": obj{"next_cursor": next}}, ""
}

// inRange applies oldest/latest (0 = unset) to a ts.
func inRange(t, oldest, latest int64, inclusive bool) bool {
	if oldest > 0 && (t < oldest || t == oldest && !inclusive) {
		return false
	}
	if latest > 0 && (t > latest || t == latest && !inclusive) {
		return false
	}
	return true
}

// tsMicros reads "1700000000.000100" as microseconds; 0 if empty or invalid.
func tsMicros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0
	}
	frac = (frac + "000000")[:6]
	f, _ := strconv.ParseInt(frac, 10, 64)
	return s*1e6 + f
}
