package slacktest

// Shortcut is the user running the message shortcut callbackID on msg: a
// message_action payload with a fresh trigger_id. It waits for the app's ack.
func (u *User) Shortcut(msg *Message, callbackID string) Ack {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	c, m, ok := u.seeLocked(msg)
	if !ok {
		return Ack{}
	}
	p := s.shortcutPayload(u.ID, c, m, callbackID)
	s.mu.Unlock()
	return s.sendInteraction(p, u.Name+" runs shortcut "+callbackID)
}

// shortcutPayload is the message_action payload of user running the message shortcut
// callbackID on message m in c. Call with s.mu held.
func (s *Sim) shortcutPayload(user string, c *channelData, m *msgData, callbackID string) obj {
	p := s.interaction("message_action", user)
	p["callback_id"] = callbackID
	p["trigger_id"] = s.newTrigger(user)
	p["action_ts"] = s.ids.ts()
	p["channel"] = channelRef(c)
	p["message_ts"] = m.ts
	p["message"] = m.json()
	p["response_url"] = s.responseURL()
	return p
}

// GlobalShortcut is the user running the global shortcut callbackID (from the
// shortcuts menu): a shortcut payload, with no channel.
func (u *User) GlobalShortcut(callbackID string) Ack {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	p := s.interaction("shortcut", u.ID)
	p["callback_id"] = callbackID
	p["trigger_id"] = s.newTrigger(u.ID)
	p["action_ts"] = s.ids.ts()
	s.mu.Unlock()
	return s.sendInteraction(p, u.Name+" runs global shortcut "+callbackID)
}

// OpenHome is the user opening the app's Home tab: an app_home_opened event carrying
// the view published for them, if any. It does not wait for the ack.
func (u *User) OpenHome() *Envelope {
	s := u.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.subscribed("app_home_opened") {
		return nil
	}
	ev := obj{"type": "app_home_opened", "user": u.ID, "channel": s.imFor(u.ID).id,
		"tab": "home", "event_ts": s.ids.ts()}
	if id, ok := s.homes[u.ID]; ok {
		ev["view"] = s.views[id].json()
	}
	return s.sendEvent(ev)
}
