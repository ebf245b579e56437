package slacktest

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Submit is the user filling the modal's inputs and pressing its submit button: a
// view_submission payload. values is keyed by an input's block_id or its label text;
// see fillElement for the value types. Inputs not given keep what the user entered
// before or their initial value; a required input left empty fails the test (Slack's
// client would not let the user submit). It waits for the ack, applies its
// response_action (errors keeps the modal open, update and push change it, clear
// closes the stack, a plain ack closes the modal) and returns it.
func (u *User) Submit(v *View, values map[string]any) Ack {
	u.sim.t.Helper()
	a, err := u.submit(v.ID, values)
	if err != nil {
		u.sim.errorf("%v", err)
	}
	return a
}

// submit is Submit returning, instead of reporting, why the user could not submit.
func (u *User) submit(viewID string, values map[string]any) (Ack, error) {
	s := u.sim
	s.mu.Lock()
	d := s.views[viewID]
	stack := s.stacks[u.ID]
	if d == nil || !d.open || d.typ != "modal" || len(stack) == 0 || stack[len(stack)-1] != d.id {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%s submits view %s, which is not the modal on their screen", u.Name, viewID)
	}
	state, empty, err := s.stateValues(d, values)
	if err == nil && len(empty) > 0 {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%s submits %q with required inputs empty: %q", u.Name, d.title(), empty)
	}
	if err != nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("%s submits %q: %w", u.Name, d.title(), err)
	}
	d.values = map[string]obj{}
	for b, acts := range state {
		d.values[b] = acts.(obj)
	}
	p := s.interaction("view_submission", u.ID)
	p["trigger_id"] = s.newTrigger(u.ID)
	p["view"] = d.jsonWithState(state)
	p["response_urls"] = []obj{}
	s.mu.Unlock()

	a := s.sendInteraction(p, u.Name+" submits a modal")
	if a.EnvelopeID != "" {
		s.applyResponse(u.ID, d, a)
	}
	return a, nil
}

// CloseView is the user closing (cancelling) the modal on their screen: view_closed
// is sent if the view asked for it with notify_on_close.
func (u *User) CloseView(v *View) {
	s := u.sim
	s.mu.Lock()
	d := s.views[v.ID]
	if d == nil || !d.open {
		s.mu.Unlock()
		s.errorf("%s closes view %s, which is not open", u.Name, v.ID)
		return
	}
	notify, clear := d.req.NotifyOnClose, d.req.ClearOnClose
	p := s.interaction("view_closed", u.ID)
	p["view"] = d.json()
	p["is_cleared"] = clear
	if clear {
		s.closeStack(u.ID)
	} else {
		s.popView(u.ID)
	}
	s.mu.Unlock()
	if notify {
		s.sendInteraction(p, u.Name+" closes a modal")
	}
}

// applyResponse does what a view_submission ack's response_action asks.
func (s *Sim) applyResponse(user string, d *viewData, a Ack) {
	var resp struct {
		ResponseAction string          `json:"response_action"`
		View           json.RawMessage `json:"view"`
	}
	_ = json.Unmarshal(a.Payload, &resp)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch resp.ResponseAction {
	case "":
		s.popView(user)
	case "errors":
		s.checkErrorKeys(d, a.Errors())
	case "clear":
		s.closeStack(user)
	case "update", "push":
		req, bs, extra, code := s.readView(resp.View, "modal")
		if code != "" {
			s.errorf("response_action %s with an invalid view: %v", resp.ResponseAction, extra)
			return
		}
		if resp.ResponseAction == "update" {
			s.replaceView(d, req, bs)
			return
		}
		stack := s.stacks[user]
		if len(stack) >= maxViewStack {
			s.errorf("response_action push on a stack of %d views (Slack allows %d)", len(stack), maxViewStack)
			return
		}
		s.addView(user, req, bs, stack[len(stack)-1])
	default:
		s.errorf("unknown response_action %q", resp.ResponseAction)
	}
}

// checkErrorKeys fails the test when response_action errors names a block that is not
// an input of the view: Slack then shows the user a generic error instead.
func (s *Sim) checkErrorKeys(d *viewData, errs map[string]string) {
	for key := range errs {
		if !slices.ContainsFunc(d.blocks.items, func(b block) bool { return b.Type == "input" && b.BlockID == key }) {
			s.errorf("response_action errors names %q, which is not an input block_id of the view", key)
		}
	}
}
