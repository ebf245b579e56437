package slacktest

import "strconv"

// conversations.replies: a thread's parent and replies, oldest first, with limit and
// cursor.
func (s *Sim) conversationsReplies(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	if !ch.isMember(BotUserID) {
		return nil, "not_in_channel"
	}
	parent := ch.byTS[c.str("ts")]
	if parent == nil {
		return nil, "thread_not_found"
	}
	if parent.isReply() {
		parent = ch.byTS[parent.threadTS]
	}
	thread := []*msgData{parent}
	for _, ts := range parent.replies {
		thread = append(thread, ch.byTS[ts])
	}
	offset, ok := decodeCursor(c.str("cursor"), "offset:")
	if !ok {
		return nil, "invalid_cursor"
	}
	limit := pageLimit(c.str("limit"), 1000, 1000)
	thread = thread[min(offset, len(thread)):]
	next := ""
	if len(thread) > limit {
		thread = thread[:limit]
		next = encodeCursor("offset:" + strconv.Itoa(offset+limit))
	}
	msgs := []obj{}
	for _, m := range thread {
		msgs = append(msgs, m.json())
	}
	return obj{"messages": msgs, "has_more": next != "",
		"response_metadata": obj{"next_cursor": next}}, ""
}
