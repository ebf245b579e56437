package slacktest

// conversations.setPurpose.
func (s *Sim) conversationsSetPurpose(c *call) (obj, string) {
	return s.setTopicOrPurpose(c, "purpose", func(ch *channelData) *topic { return &ch.purpose })
}
