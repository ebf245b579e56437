package slacktest

// conversations.kick: removes a user; delivers member_left_channel.
func (s *Sim) conversationsKick(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	id := c.str("user")
	switch {
	case ch.im:
		return nil, "method_not_supported_for_channel_type"
	case s.users[id] == nil:
		return nil, "user_not_found"
	case id == BotUserID:
		return nil, "cant_kick_self"
	case !ch.isMember(BotUserID), !ch.isMember(id):
		return nil, "not_in_channel"
	}
	s.sendMemberLeft(ch, id)
	ch.removeMember(id)
	s.notify()
	return obj{}, ""
}
