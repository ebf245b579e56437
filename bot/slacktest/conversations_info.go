package slacktest

// conversations.info: any public channel, and private channels and DMs the bot is in.
func (s *Sim) conversationsInfo(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	return obj{"channel": ch.json()}, ""
}
