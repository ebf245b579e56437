package slacktest

// views.publish: the user's App Home tab. The view keeps its id across publishes.
func (s *Sim) viewsPublish(c *call) (obj, string) {
	u := s.users[c.str("user_id")]
	if u == nil {
		return nil, "user_not_found"
	}
	req, bs, extra, code := s.readView(c.raw("view"), "home")
	if code != "" {
		return extra, code
	}
	if id, ok := s.homes[u.id]; ok {
		v := s.views[id]
		if h := c.str("hash"); h != "" && h != v.hash {
			return nil, "hash_conflict"
		}
		s.replaceView(v, req, bs)
		return obj{"view": v.json()}, ""
	}
	v := &viewData{id: s.ids.viewID(), user: u.id, typ: "home", req: req, blocks: bs,
		hash: s.ids.hash(), open: true}
	v.rootID = v.id
	s.views[v.id] = v
	s.homes[u.id] = v.id
	s.notify()
	return obj{"view": v.json()}, ""
}
