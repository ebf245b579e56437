package slacktest

import "slices"

// reactions.add: the bot reacts to a message with an emoji name (without colons).
func (s *Sim) reactionsAdd(c *call) (obj, string) {
	ch, m, code := s.reactionTarget(c)
	if code != "" {
		return nil, code
	}
	if ch.archived {
		return nil, "is_archived"
	}
	name := c.str("name")
	for i, r := range m.reactions {
		if r.name == name {
			if slices.Contains(r.users, BotUserID) {
				return nil, "already_reacted"
			}
			m.reactions[i].users = append(r.users, BotUserID)
			s.notify()
			return obj{}, ""
		}
	}
	m.reactions = append(m.reactions, reaction{name: name, users: []string{BotUserID}})
	s.notify()
	return obj{}, ""
}

// reactionTarget finds the message of a reactions.* call. Call with s.mu held.
func (s *Sim) reactionTarget(c *call) (*channelData, *msgData, string) {
	if c.str("channel") == "" || c.str("timestamp") == "" {
		return nil, nil, "no_item_specified"
	}
	if c.str("name") == "" {
		return nil, nil, "invalid_name"
	}
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, nil, code
	}
	if !ch.isMember(BotUserID) {
		return nil, nil, "not_in_channel"
	}
	m := ch.byTS[c.str("timestamp")]
	if m == nil {
		return nil, nil, "message_not_found"
	}
	return ch, m, ""
}
