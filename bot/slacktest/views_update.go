package slacktest

// views.update: by view_id or external_id; a hash that is not the view's current one
// answers hash_conflict.
func (s *Sim) viewsUpdate(c *call) (obj, string) {
	v := s.views[c.str("view_id")]
	if v == nil {
		v = s.viewByExternalID(c.str("external_id"))
	}
	if v == nil || !v.open {
		return nil, "not_found"
	}
	if h := c.str("hash"); h != "" && h != v.hash {
		return nil, "hash_conflict"
	}
	req, bs, extra, code := s.readView(c.raw("view"), v.typ)
	if code != "" {
		return extra, code
	}
	if other := s.viewByExternalID(req.ExternalID); other != nil && other != v {
		return nil, "duplicate_external_id"
	}
	s.replaceView(v, req, bs)
	return obj{"view": v.json()}, ""
}

// replaceView gives a view new content and a new hash. Call with s.mu held.
func (s *Sim) replaceView(v *viewData, req viewRequest, bs blockSet) {
	if req.ExternalID == "" {
		req.ExternalID = v.req.ExternalID
	}
	v.req, v.blocks, v.hash = req, bs, s.ids.hash()
	for _, o := range s.outs {
		if o.viewID == v.id {
			o.text = v.searchText()
		}
	}
	s.notify()
}
