package slacktest

// conversations.archive: the channel then refuses posts (is_archived); its name
// stays taken.
func (s *Sim) conversationsArchive(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	switch {
	case ch.im:
		return nil, "method_not_supported_for_channel_type"
	case ch.archived:
		return nil, "already_archived"
	case !ch.isMember(BotUserID):
		return nil, "not_in_channel"
	}
	ch.archived = true
	s.notify()
	return obj{}, ""
}
