package slacktest

import "slices"

// React is the user adding the reaction name (an emoji's name, without colons) to m. The
// app gets reaction_added when it is in the channel and subscribes to it, with the fields
// of https://docs.slack.dev/reference/events/reaction_added's example (item_user only
// when a person wrote the message). The user must be a member of the channel.
func (u *User) React(m *Message, name string) {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[m.Channel.ID]
	var d *msgData
	if c != nil {
		d = c.byTS[m.TS]
	}
	switch {
	case d == nil:
		s.errorf("%s reacts to message %s, which is not in %s", u.Name, m.TS, m.Channel.ID)
		return
	case !c.isMember(u.ID):
		s.errorf("%s reacts in %s but is not a member", u.Name, s.where(c))
		return
	}
	added := false
	for i, r := range d.reactions {
		if r.name == name {
			if slices.Contains(r.users, u.ID) {
				return // already_reacted: Slack's clients add nothing
			}
			d.reactions[i].users, added = append(r.users, u.ID), true
		}
	}
	if !added {
		d.reactions = append(d.reactions, reaction{name: name, users: []string{u.ID}})
	}
	if c.isMember(BotUserID) && s.subscribed("reaction_added") {
		ev := obj{"type": "reaction_added", "user": u.ID, "reaction": name,
			"item": obj{"type": "message", "channel": c.id, "ts": d.ts}, "event_ts": s.ids.ts()}
		if d.user != "" && d.botID == "" {
			ev["item_user"] = d.user
		}
		s.sendEvent(ev)
	}
	s.notify()
}
