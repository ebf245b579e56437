package slacktest

import (
	"slices"
	"strconv"
	"strings"
)

// conversations.list: the conversations the bot can see, in creation order, filtered
// by types (public_channel by default; private_channel, im) and exclude_archived,
// paginated by an opaque cursor.
func (s *Sim) conversationsList(c *call) (obj, string) {
	types := strings.Split(c.str("types"), ",")
	if c.str("types") == "" {
		types = []string{"public_channel"}
	}
	offset, ok := decodeCursor(c.str("cursor"), "offset:")
	if !ok {
		return nil, "invalid_cursor"
	}
	limit := pageLimit(c.str("limit"), 100, 1000)
	var list []*channelData
	for _, id := range s.chanOrder {
		ch := s.channels[id]
		kind := "public_channel"
		switch {
		case ch.im:
			kind = "im"
		case ch.private:
			kind = "private_channel"
		}
		if !slices.Contains(types, kind) || ch.private && !ch.isMember(BotUserID) ||
			ch.archived && c.bool("exclude_archived") {
			continue
		}
		list = append(list, ch)
	}
	list = list[min(offset, len(list)):]
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = encodeCursor("offset:" + strconv.Itoa(offset+limit))
	}
	out := []obj{}
	for _, ch := range list {
		out = append(out, ch.json())
	}
	return obj{"channels": out, "response_metadata": obj{"next_cursor": next}}, ""
}
