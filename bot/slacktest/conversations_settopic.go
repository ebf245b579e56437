package slacktest

import (
	"time"
	"unicode/utf8"
)

const maxTopic = 250

// conversations.setTopic.
func (s *Sim) conversationsSetTopic(c *call) (obj, string) {
	return s.setTopicOrPurpose(c, "topic", func(ch *channelData) *topic { return &ch.topic })
}

// setTopicOrPurpose sets the channel's topic or purpose (param) to the call's value.
func (s *Sim) setTopicOrPurpose(c *call, param string, field func(*channelData) *topic) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	value := c.str(param)
	switch {
	case ch.im:
		return nil, "method_not_supported_for_channel_type"
	case ch.archived:
		return nil, "is_archived"
	case !ch.isMember(BotUserID):
		return nil, "not_in_channel"
	case utf8.RuneCountInString(value) > maxTopic:
		return nil, "too_long"
	}
	*field(ch) = topic{value: value, creator: BotUserID, lastSet: time.Now().Unix()}
	s.notify()
	return obj{"channel": ch.json()}, ""
}
