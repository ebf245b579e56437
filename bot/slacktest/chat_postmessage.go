package slacktest

import "strings"

// chat.postMessage: text, blocks, thread_ts, reply_broadcast, metadata, username,
// icon_url, icon_emoji. The bot must be in the channel (no chat:write.public); a user
// id as channel posts in the DM with that user.
func (s *Sim) chatPostMessage(c *call) (obj, string) {
	id := c.str("channel")
	var ch *channelData
	if u := s.users[id]; u != nil && strings.HasPrefix(id, "U") && id != BotUserID {
		if u.deleted {
			return nil, "user_disabled"
		}
		ch = s.imFor(id)
	} else {
		var code string
		if ch, code = s.botChannel(id); code != "" {
			return nil, code
		}
	}
	if code := postable(ch); code != "" {
		return nil, code
	}
	ct, extra, code := s.readContent(c)
	if code != "" {
		return extra, code
	}
	if ct.empty() {
		return nil, "no_text"
	}
	m := &msgData{
		user: BotUserID, botID: BotID, text: ct.text, blocks: ct.blocks,
		metadata: ct.metadata, threadTS: c.str("thread_ts"),
		username: c.str("username"), icon: c.str("icon_url"), emoji: c.str("icon_emoji"),
	}
	if m.threadTS != "" && c.bool("reply_broadcast") {
		m.subtype, m.broadcast = "thread_broadcast", true
	}
	s.addMessage(ch, m)
	s.emitPost(ch, m)
	return obj{"channel": ch.id, "ts": m.ts, "message": m.json()}, ""
}

// emitPost records a bot post as a message, thread reply or DM. Call with s.mu held.
func (s *Sim) emitPost(ch *channelData, m *msgData) {
	o := &output{kind: outMessage, channel: ch.id, where: s.where(ch), ts: m.ts, text: m.searchText()}
	switch {
	case m.isReply():
		o.kind, o.parent = outReply, m.threadTS
	case ch.im:
		o.kind, o.user = outDM, ch.imUser
	}
	s.emit(o)
}
