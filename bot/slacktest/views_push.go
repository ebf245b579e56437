package slacktest

const maxViewStack = 3

// views.push: a modal on top of the user's open stack, at most three deep.
func (s *Sim) viewsPush(c *call) (obj, string) {
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
	stack := s.stacks[t.user]
	switch {
	case len(stack) == 0:
		return nil, "not_found"
	case len(stack) >= maxViewStack:
		return nil, "push_limit_reached"
	}
	v := s.addView(t.user, req, bs, stack[len(stack)-1])
	return obj{"view": v.json()}, ""
}
