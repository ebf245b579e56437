package slacktest

// chat.postEphemeral: a message only user sees in channel; user must be a member.
func (s *Sim) chatPostEphemeral(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	if code := postable(ch); code != "" {
		return nil, code
	}
	u := s.users[c.str("user")]
	if u == nil {
		return nil, "user_not_found"
	}
	if !ch.isMember(u.id) {
		return nil, "user_not_in_channel"
	}
	ct, extra, code := s.readContent(c)
	if code != "" {
		return extra, code
	}
	if ct.empty() {
		return nil, "no_text"
	}
	e := &Ephemeral{
		Channel: s.handle(ch), User: &User{sim: s, ID: u.id, Name: u.name},
		TS: s.ids.ts(), ThreadTS: c.str("thread_ts"), Text: ct.text, blocks: ct.blocks,
	}
	s.emit(&output{kind: outEphemeral, channel: ch.id, where: s.where(ch), ts: e.TS,
		user: u.id, text: e.searchText(), eph: e})
	return obj{"message_ts": e.TS}, ""
}
