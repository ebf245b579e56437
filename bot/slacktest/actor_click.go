package slacktest

import "strings"

// Click is the user clicking the button of msg whose visible text is buttonText: a
// block_actions payload with a fresh trigger_id. It waits for the app's ack.
func (u *User) Click(msg *Message, buttonText string) Ack {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	c, m, ok := u.seeLocked(msg)
	if !ok {
		return Ack{}
	}
	b, ok := m.blocks.findButton(buttonText)
	if !ok {
		s.mu.Unlock()
		s.errorf("%s clicks %q, but message %s in %s has buttons %q", u.Name, buttonText, m.ts, s.where(c), m.blocks.buttonTexts())
		return Ack{}
	}
	p := s.clickPayload(u.ID, c, m, b)
	s.mu.Unlock()
	return s.sendInteraction(p, u.Name+" clicks "+buttonText)
}

// ClickAtOnce is users clicking buttonText on msg at the same instant: every click is
// made from the message as it is now, and every envelope is queued before the app can
// answer any of them (as when two agents see the same card and both click it). It
// returns the acks in the order of users.
func (s *Sim) ClickAtOnce(msg *Message, buttonText string, users ...*User) []Ack {
	s.t.Helper()
	s.mu.Lock()
	envs := make([]*Envelope, 0, len(users))
	for _, u := range users {
		c, m, ok := u.seeLocked(msg)
		if !ok {
			return make([]Ack, len(users))
		}
		b, ok := m.blocks.findButton(buttonText)
		if !ok {
			s.mu.Unlock()
			s.errorf("%s clicks %q, but message %s in %s has buttons %q", u.Name, buttonText, m.ts, s.where(c), m.blocks.buttonTexts())
			return make([]Ack, len(users))
		}
		envs = append(envs, s.enqueue("interactive", s.clickPayload(u.ID, c, m, b), ""))
	}
	s.mu.Unlock()
	acks := make([]Ack, len(users))
	for i, env := range envs {
		a, ok := s.awaitAck(env)
		if !ok {
			s.errorf("%s clicks %q: the app did not ack the interactive envelope within %v", users[i].Name, buttonText, s.opts.ackDeadline)
		}
		acks[i] = a
	}
	return acks
}

// clickPayload is the block_actions payload of user clicking button b of message m in
// c. Call with s.mu held.
func (s *Sim) clickPayload(user string, c *channelData, m *msgData, b button) obj {
	p := s.interaction("block_actions", user)
	container := obj{"type": "message", "message_ts": m.ts, "channel_id": c.id, "is_ephemeral": false}
	if m.isReply() {
		container["thread_ts"] = m.threadTS
	}
	p["container"] = container
	p["channel"] = channelRef(c)
	p["message"] = m.json()
	p["trigger_id"] = s.newTrigger(user)
	p["response_url"] = s.responseURL()
	p["state"] = obj{"values": obj{}}
	p["actions"] = []obj{actionJSON(b, s.ids.ts())}
	return p
}

// ClickInHome is the user clicking a button of their App Home tab.
func (u *User) ClickInHome(buttonText string) Ack {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	id, ok := s.homes[u.ID]
	s.mu.Unlock()
	if !ok {
		s.errorf("%s clicks %q in the App Home, but the app published none for them", u.Name, buttonText)
		return Ack{}
	}
	return u.clickInView(id, buttonText)
}

// ClickInView is the user clicking a button in an open modal.
func (u *User) ClickInView(v *View, buttonText string) Ack {
	u.sim.t.Helper()
	return u.clickInView(v.ID, buttonText)
}

func (u *User) clickInView(viewID, buttonText string) Ack {
	s := u.sim
	s.mu.Lock()
	v := s.views[viewID]
	if v == nil || !v.open || v.user != u.ID {
		s.mu.Unlock()
		s.errorf("%s clicks %q in view %s, which is not open for them", u.Name, buttonText, viewID)
		return Ack{}
	}
	b, ok := v.blocks.findButton(buttonText)
	if !ok {
		s.mu.Unlock()
		s.errorf("%s clicks %q, but the %s view has buttons %q", u.Name, buttonText, v.typ, v.blocks.buttonTexts())
		return Ack{}
	}
	p := s.viewClickPayload(u.ID, v, b)
	s.mu.Unlock()
	return s.sendInteraction(p, u.Name+" clicks "+buttonText+" in a "+strings.ToLower(v.typ))
}

// viewClickPayload is the block_actions payload of user clicking button b of view v.
// Call with s.mu held.
func (s *Sim) viewClickPayload(user string, v *viewData, b button) obj {
	p := s.interaction("block_actions", user)
	p["container"] = obj{"type": "view", "view_id": v.id}
	p["view"] = v.json()
	p["trigger_id"] = s.newTrigger(user)
	p["state"] = obj{"values": v.json()["state"].(obj)["values"]}
	p["actions"] = []obj{actionJSON(b, s.ids.ts())}
	return p
}

// seeLocked finds msg as u sees it. Call with s.mu held; when u cannot see msg it fails
// the test, unlocks s.mu and returns false.
func (u *User) seeLocked(msg *Message) (*channelData, *msgData, bool) {
	s := u.sim
	c := s.channels[msg.Channel.ID]
	m := c.byTS[msg.TS]
	if m == nil || !canSee(c, u.ID) {
		s.mu.Unlock()
		s.errorf("%s cannot see message %s in %s", u.Name, msg.TS, msg.Channel.ID)
		return nil, nil, false
	}
	return c, m, true
}
