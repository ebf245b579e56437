package slacktest

import (
	"strings"
	"unicode/utf8"
)

const maxChannelName = 80

// checkChannelName applies Slack's channel name rules: lowercase letters, digits, "-"
// and "_", at most 80 characters, not only punctuation.
func checkChannelName(name string) string {
	switch {
	case name == "":
		return "invalid_name_required"
	case utf8.RuneCountInString(name) > maxChannelName:
		return "invalid_name_maxlength"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "invalid_name_specials"
		}
	}
	if strings.Trim(name, "-_") == "" {
		return "invalid_name_punctuation"
	}
	return ""
}

// conversations.create: a public or private channel with the bot as creator and only
// member. Names stay taken after archiving.
func (s *Sim) conversationsCreate(c *call) (obj, string) {
	name := c.str("name")
	if code := checkChannelName(name); code != "" {
		return nil, code
	}
	if s.channelByName(name) != nil {
		return nil, "name_taken"
	}
	ch := s.newChannel(name, c.bool("is_private"), BotUserID)
	ch.members = []string{BotUserID}
	ch.byBot = true
	s.sendMemberJoined(ch, BotUserID, "")
	s.notify()
	return obj{"channel": ch.json()}, ""
}
