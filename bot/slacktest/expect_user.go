package slacktest

// ExpectEphemeral waits for an ephemeral message to the user whose text or blocks
// contain every substring, and consumes it.
func (u *User) ExpectEphemeral(substrings ...string) *Ephemeral {
	s := u.sim
	s.t.Helper()
	o := s.expectOutput("ephemeral "+quote(substrings)+" for "+u.Name,
		func(o *output) bool { return o.kind == outEphemeral && o.user == u.ID },
		func(o *output) bool { return containsAll(o.text, substrings) })
	if o == nil {
		return nil
	}
	return o.eph
}

// ExpectDM waits for a top-level message from the bot in its DM with the user whose
// text or blocks contain every substring, and consumes it.
func (u *User) ExpectDM(substrings ...string) *Message {
	s := u.sim
	s.t.Helper()
	o := s.expectOutput("DM "+quote(substrings)+" to "+u.Name,
		func(o *output) bool { return o.kind == outDM && o.user == u.ID },
		func(o *output) bool { return containsAll(o.text, substrings) })
	if o == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgHandle(s.channels[o.channel], o.ts)
}

// ExpectView waits for a modal opened for the user (views.open or views.push) whose
// title or blocks contain every substring — now, so "loading" modals later updated
// match their final content — and consumes it.
func (u *User) ExpectView(titleOrText ...string) *View {
	s := u.sim
	s.t.Helper()
	o := s.expectOutput("modal "+quote(titleOrText)+" for "+u.Name,
		func(o *output) bool { return o.kind == outView && o.user == u.ID },
		func(o *output) bool { return containsAll(s.views[o.viewID].searchText(), titleOrText) })
	if o == nil {
		return nil
	}
	return &View{sim: s, ID: o.viewID, User: u}
}

// ExpectHome waits until the user's App Home tab contains every substring.
func (u *User) ExpectHome(substrings ...string) *View {
	s := u.sim
	s.t.Helper()
	var id string
	s.expectState("App Home "+quote(substrings)+" for "+u.Name, func() bool {
		id = s.homes[u.ID]
		return id != "" && containsAll(s.views[id].searchText(), substrings)
	})
	return &View{sim: s, ID: id, User: u}
}

// ExpectUpdate waits until the view shows every substring (after views.update or a
// response_action update).
func (v *View) ExpectUpdate(substrings ...string) {
	v.sim.t.Helper()
	v.sim.expectState("view "+v.ID+" showing "+quote(substrings), func() bool {
		d := v.sim.views[v.ID]
		return d != nil && containsAll(d.searchText(), substrings)
	})
}

// ExpectClosed waits until the modal is closed.
func (v *View) ExpectClosed() {
	v.sim.t.Helper()
	v.sim.expectState("view "+v.ID+" closed", func() bool {
		d := v.sim.views[v.ID]
		return d != nil && !d.open
	})
}
