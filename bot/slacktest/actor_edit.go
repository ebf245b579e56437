package slacktest

import (
	"fmt"
	"slices"
)

// Edit is the user changing the text of their message m, as Slack's clients let them:
// the message keeps its ts, gets edited {user, ts} and new rich text, and the app gets
// message_changed with the message as it now is and as it was
// (https://docs.slack.dev/reference/events/message/message_changed).
func (u *User) Edit(m *Message, text string) {
	u.sim.t.Helper()
	if err := u.tryEdit(m, text); err != nil {
		u.sim.errorf("%v", err)
	}
}

func (u *User) tryEdit(m *Message, text string) error {
	s := u.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	c, d, err := u.own(m, "edits")
	if err != nil {
		return err
	}
	before := *d
	d.text, d.blocks = text, s.richText(text)
	d.edited = &edit{user: u.ID, ts: s.ids.ts()}
	s.sendMessageChanged(c, &before, d)
	s.notify()
	return nil
}

// Delete is the user deleting their message m: it leaves the channel's history (and its
// thread), and the app gets message_deleted with deleted_ts and previous_message
// (https://docs.slack.dev/reference/events/message/message_deleted; the reference's
// example leaves previous_message out, the Events API's types have it). A thread parent
// with replies stays as a tombstone in Slack; here it goes, replies and all.
func (u *User) Delete(m *Message) {
	u.sim.t.Helper()
	if err := u.tryDelete(m); err != nil {
		u.sim.errorf("%v", err)
	}
}

func (u *User) tryDelete(m *Message) error {
	s := u.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	c, d, err := u.own(m, "deletes")
	if err != nil {
		return err
	}
	gone := append([]string{d.ts}, d.replies...)
	for _, ts := range gone {
		delete(c.byTS, ts)
	}
	c.msgs = slices.DeleteFunc(c.msgs, func(x *msgData) bool { return slices.Contains(gone, x.ts) })
	if d.isReply() {
		if parent := c.byTS[d.threadTS]; parent != nil {
			parent.replies = slices.DeleteFunc(parent.replies, func(ts string) bool { return ts == d.ts })
		}
	}
	s.sendHiddenMessage(c, "message_deleted", obj{"deleted_ts": d.ts, "previous_message": d.eventJSON()})
	s.notify()
	return nil
}

// own returns m's channel and data when u wrote it and may still change it there.
// Call with s.mu held.
func (u *User) own(m *Message, what string) (*channelData, *msgData, error) {
	s := u.sim
	c := s.channels[m.Channel.ID]
	if c == nil {
		return nil, nil, fmt.Errorf("%s %s a message in unknown channel %s", u.Name, what, m.Channel.ID)
	}
	d := c.byTS[m.TS]
	switch {
	case d == nil:
		return nil, nil, fmt.Errorf("%s %s message %s, which is not in %s", u.Name, what, m.TS, s.where(c))
	case d.user != u.ID:
		return nil, nil, fmt.Errorf("%s %s message %s in %s, which is not theirs", u.Name, what, m.TS, s.where(c))
	case c.archived:
		return nil, nil, fmt.Errorf("%s %s a message in %s, which is archived", u.Name, what, s.where(c))
	}
	return c, d, nil
}
