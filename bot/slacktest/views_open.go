package slacktest

// views.open: a modal for the user whose interaction produced trigger_id. It replaces
// any modal stack that user had open.
func (s *Sim) viewsOpen(c *call) (obj, string) {
	req, bs, extra, code := s.readView(c.raw("view"), "modal")
	if code != "" {
		return extra, code
	}
	if s.viewByExternalID(req.ExternalID) != nil {
		return nil, "duplicate_external_id"
	}
	t, code := s.useTrigger(c.str("trigger_id"))
	if code != "" {
		return nil, code
	}
	s.closeStack(t.user)
	v := s.addView(t.user, req, bs, "")
	return obj{"view": v.json()}, ""
}

// addView opens a modal on top of the user's stack (previous is the view under it, or
// ""). Call with s.mu held.
func (s *Sim) addView(user string, req viewRequest, bs blockSet, previous string) *viewData {
	v := &viewData{
		id: s.ids.viewID(), user: user, typ: "modal", req: req, blocks: bs,
		hash: s.ids.hash(), open: true, previousID: previous,
	}
	v.rootID = v.id
	if stack := s.stacks[user]; len(stack) > 0 {
		v.rootID = stack[0]
	}
	s.views[v.id] = v
	s.stacks[user] = append(s.stacks[user], v.id)
	u := s.users[user]
	s.emit(&output{kind: outView, where: "modal for " + u.name, user: user, viewID: v.id, text: v.searchText()})
	return v
}

// closeStack closes every modal the user has open. Call with s.mu held.
func (s *Sim) closeStack(user string) {
	for _, id := range s.stacks[user] {
		s.views[id].open = false
	}
	delete(s.stacks, user)
	s.notify()
}

// popView closes the user's top modal. Call with s.mu held.
func (s *Sim) popView(user string) {
	stack := s.stacks[user]
	if len(stack) == 0 {
		return
	}
	s.views[stack[len(stack)-1]].open = false
	if len(stack) == 1 {
		delete(s.stacks, user)
	} else {
		s.stacks[user] = stack[:len(stack)-1]
	}
	s.notify()
}
