package slacktest

import (
	"fmt"
	"slices"
)

// Post is the user writing a top-level message in the channel; the app gets its
// message event if the bot is in the channel. The user must be able to post there.
func (u *User) Post(ch *Channel, text string) *Message {
	u.sim.t.Helper()
	return u.post(ch, "", text, nil)
}

// Reply is the user answering in the thread of parent.
func (u *User) Reply(parent *Message, text string) *Message {
	u.sim.t.Helper()
	return u.post(parent.Channel, parent.TS, text, nil)
}

// post stores and delivers the user's message, with the file if up is not nil.
func (u *User) post(ch *Channel, threadTS, text string, up *upload) *Message {
	m, err := u.tryPost(ch.ID, threadTS, text, up)
	if err != nil {
		u.sim.errorf("%v", err)
	}
	return m
}

// tryPost is post returning, instead of reporting, why the user cannot post there.
func (u *User) tryPost(channelID, threadTS, text string, up *upload) (*Message, error) {
	s := u.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[channelID]
	switch {
	case c == nil:
		return nil, fmt.Errorf("%s posts in unknown channel %s", u.Name, channelID)
	case !c.isMember(u.ID):
		return nil, fmt.Errorf("%s posts in %s but is not a member", u.Name, s.where(c))
	case c.archived:
		return nil, fmt.Errorf("%s posts in %s, which is archived", u.Name, s.where(c))
	case threadTS != "" && c.byTS[threadTS] == nil:
		return nil, fmt.Errorf("%s replies to message %s, which is not in %s", u.Name, threadTS, s.where(c))
	}
	team := s.users[u.ID].team
	if team != "" && !slices.Contains(c.shared, team) {
		return nil, fmt.Errorf("%s, of organisation %s, posts in %s, which is not shared with it", u.Name, team, s.where(c))
	}
	m := &msgData{user: u.ID, text: text, threadTS: threadTS, clientMsgID: uuid(), team: team}
	if up == nil || text != "" {
		m.blocks = s.richText(text)
	}
	if up != nil {
		f := s.newFile(u.ID, c, up.name, up.mime, up.content)
		m.subtype, m.files = "file_share", []*fileData{f}
	}
	m.env = s.addMessage(c, m)
	for _, f := range m.files {
		f.shares = append(f.shares, fileShare{channel: c.id, ts: m.ts})
	}
	return s.msgHandle(c, m.ts), nil
}

// richText is the rich_text block Slack's clients attach to what people type.
func (s *Sim) richText(text string) blockSet {
	raw := []obj{{
		"type": "rich_text", "block_id": s.ids.blockID(),
		"elements": []obj{{"type": "rich_text_section", "elements": []obj{{"type": "text", "text": text}}}},
	}}
	bs, _ := s.normalizeBlocks(mustJSON(raw))
	return bs
}

// Envelope is the envelope that delivered the message's event to the app (nil if the
// app did not get one), e.g. to Redeliver it.
func (m *Message) Envelope() (e *Envelope) {
	m.read(func(d *msgData) { e = d.env })
	return e
}
