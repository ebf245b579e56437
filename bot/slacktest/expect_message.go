package slacktest

import "slices"

// ExpectUpdate waits for a chat.update of the message whose new text or blocks
// contain every substring, and consumes it. It returns the message.
func (m *Message) ExpectUpdate(substrings ...string) *Message {
	s := m.sim
	s.t.Helper()
	o := s.expectOutput("update "+quote(substrings)+" of message "+m.TS+" in "+m.Channel.label(),
		func(o *output) bool { return o.kind == outUpdate && o.channel == m.Channel.ID && o.ts == m.TS },
		func(o *output) bool { return containsAll(o.text, substrings) })
	if o == nil {
		return nil
	}
	return m
}

// ExpectReply waits for a reply from the bot in the message's thread whose text or
// blocks contain every substring, and consumes it.
func (m *Message) ExpectReply(substrings ...string) *Message {
	s := m.sim
	s.t.Helper()
	o := s.expectOutput("reply "+quote(substrings)+" to message "+m.TS+" in "+m.Channel.label(),
		func(o *output) bool { return o.kind == outReply && o.channel == m.Channel.ID && o.parent == m.TS },
		func(o *output) bool { return containsAll(o.text, substrings) })
	if o == nil {
		return nil
	}
	return &Message{sim: s, Channel: m.Channel, TS: o.ts}
}

// ExpectReaction waits until the bot has reacted to the message with the emoji name.
func (m *Message) ExpectReaction(name string) {
	m.sim.t.Helper()
	m.sim.expectState("reaction :"+name+": on message "+m.TS+" in "+m.Channel.label(), func() bool {
		d := m.data()
		return d != nil && slices.ContainsFunc(d.reactions, func(r reaction) bool {
			return r.name == name && slices.Contains(r.users, BotUserID)
		})
	})
}
