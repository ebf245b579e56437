package slacktest

import "strings"

// conversations.open: the DM between the bot and one user (by users, or by channel for
// an existing DM). Group DMs (mpim) are not simulated.
func (s *Sim) conversationsOpen(c *call) (obj, string) {
	if id := c.str("channel"); id != "" {
		ch := s.channels[id]
		if ch == nil || !ch.im {
			return nil, "channel_not_found"
		}
		return obj{"no_op": true, "already_open": true, "channel": obj{"id": ch.id}}, ""
	}
	var ids []string
	for _, id := range strings.Split(c.str("users"), ",") {
		if id = strings.TrimSpace(id); id != "" && id != BotUserID {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return nil, "users_list_not_supplied"
	case len(ids) > 1:
		s.errorf("conversations.open with several users (a group DM) is not simulated")
		return nil, "method_not_supported_for_channel_type"
	}
	u := s.users[ids[0]]
	if u == nil {
		return nil, "user_not_found"
	}
	if u.deleted {
		return nil, "user_disabled"
	}
	_, existed := s.ims[u.id]
	ch := s.imFor(u.id)
	s.notify()
	out := obj{"id": ch.id}
	if c.bool("return_im") {
		out = ch.json()
	}
	return obj{"no_op": existed, "already_open": existed, "channel": out}, ""
}
