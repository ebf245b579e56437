package slacktest

// chat.update: replaces the text and/or blocks of one of the bot's messages; what is
// not given is kept. Delivers message_changed to the app.
func (s *Sim) chatUpdate(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	m := ch.byTS[c.str("ts")]
	if m == nil {
		return nil, "message_not_found"
	}
	if m.user != BotUserID {
		return nil, "cant_update_message"
	}
	if ch.archived {
		return nil, "is_archived"
	}
	ct, extra, code := s.readContent(c)
	if code != "" {
		return extra, code
	}
	if !ct.hasText && !ct.hasBlocks {
		return nil, "no_text"
	}
	before := *m
	if ct.hasText {
		m.text = ct.text
	}
	if ct.hasBlocks {
		m.blocks = ct.blocks
	}
	if ct.metadata != nil {
		m.metadata = ct.metadata
	}
	if len(m.blocks.items) == 0 && m.text == "" {
		*m = before
		return nil, "no_text"
	}
	m.edited = &edit{user: BotUserID, ts: s.ids.ts()}
	s.sendMessageChanged(ch, &before, m)
	s.emit(&output{kind: outUpdate, channel: ch.id, where: s.where(ch), ts: m.ts, text: m.searchText()})
	return obj{"channel": ch.id, "ts": m.ts, "text": m.text, "message": m.json()}, ""
}
