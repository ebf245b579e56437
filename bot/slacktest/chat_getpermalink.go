package slacktest

import "strings"

// chat.getPermalink: a link to a message (a GET with query parameters in slack-go).
func (s *Sim) chatGetPermalink(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	m := ch.byTS[c.str("message_ts")]
	if m == nil {
		return nil, "message_not_found"
	}
	link := "https://" + TeamDomain + ".slack.com/archives/" + ch.id + "/p" + strings.ReplaceAll(m.ts, ".", "")
	if m.isReply() {
		link += "?thread_ts=" + m.threadTS + "&cid=" + ch.id
	}
	return obj{"channel": ch.id, "permalink": link}, ""
}
