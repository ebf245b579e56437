package slacktest

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// conversations.members: member ids in join order, paginated by an opaque cursor.
func (s *Sim) conversationsMembers(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	offset, ok := decodeCursor(c.str("cursor"), "offset:")
	if !ok {
		return nil, "invalid_cursor"
	}
	limit := pageLimit(c.str("limit"), 100, 1000)
	members := ch.members[min(offset, len(ch.members)):]
	next := ""
	if len(members) > limit {
		members = members[:limit]
		next = encodeCursor("offset:" + strconv.Itoa(offset+limit))
	}
	return obj{"members": append([]string{}, members...),
		"response_metadata": obj{"next_cursor": next}}, ""
}

func encodeCursor(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// decodeCursor reads an offset cursor; "" is offset 0.
func decodeCursor(cursor, prefix string) (int, bool) {
	if cursor == "" {
		return 0, true
	}
	b, err := base64.StdEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// pageLimit reads a limit parameter: def when absent or not positive, at most max.
func pageLimit(s string, def, max int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return def
	}
	return min(n, max)
}
