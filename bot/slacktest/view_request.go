package slacktest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Modal limits (docs.slack.dev/reference/views/modal-views).
const (
	maxViewTitle    = 24
	maxMetadata     = 3000
	maxExternalID   = 255
	maxViewCallback = 255
)

// readView parses and checks the view of a views.* call; typ is "modal" or "home". On
// failure it answers invalid_arguments with Slack's response_metadata messages.
func (s *Sim) readView(raw json.RawMessage, typ string) (viewRequest, blockSet, obj, string) {
	var req viewRequest
	fail := func(format string, args ...any) (viewRequest, blockSet, obj, string) {
		msg := fmt.Sprintf(format, args...)
		s.logf("view rejected: %s", msg)
		return req, blockSet{}, obj{"response_metadata": obj{"messages": []string{"[ERROR] " + msg}}}, "invalid_arguments"
	}
	if raw == nil {
		return fail("view is required")
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return fail("view is not a view object: %v", err)
	}
	if req.Type != typ {
		return fail("view type is %q, want %q", req.Type, typ)
	}
	blocksRaw := req.Blocks
	if blocksRaw == nil {
		blocksRaw = json.RawMessage("[]")
	}
	bs, err := s.normalizeBlocks(blocksRaw)
	if err == nil {
		err = bs.validate(maxViewBlocks)
	}
	if err != nil {
		return fail("blocks: %v", err)
	}
	if typ == "modal" {
		if err := checkViewText("title", req.Title, true); err != nil {
			return fail("%v", err)
		}
		for name, t := range map[string]json.RawMessage{"close": req.Close, "submit": req.Submit} {
			if err := checkViewText(name, t, false); err != nil {
				return fail("%v", err)
			}
		}
		if req.Submit == nil && hasInputs(bs) {
			return fail("a view with input blocks needs submit")
		}
	}
	switch {
	case len(req.PrivateMetadata) > maxMetadata:
		return fail("private_metadata: %d characters, at most %d", len(req.PrivateMetadata), maxMetadata)
	case len(req.CallbackID) > maxViewCallback:
		return fail("callback_id: too long")
	case len(req.ExternalID) > maxExternalID:
		return fail("external_id: too long")
	}
	return req, bs, nil, ""
}

func checkViewText(name string, raw json.RawMessage, required bool) error {
	if raw == nil {
		if required {
			return fmt.Errorf("%s is required", name)
		}
		return nil
	}
	var t textObj
	if err := json.Unmarshal(raw, &t); err != nil || t.Type != "plain_text" || t.Text == "" {
		return fmt.Errorf("%s must be a non-empty plain_text object", name)
	}
	return tooLong(name, t.Text, maxViewTitle)
}

func hasInputs(bs blockSet) bool {
	for _, b := range bs.items {
		if b.Type == "input" {
			return true
		}
	}
	return false
}

// trigger is a trigger_id handed to the app with an interaction.
type trigger struct {
	user    string
	created time.Time
	used    bool
}

// newTrigger registers a trigger for user. Call with s.mu held.
func (s *Sim) newTrigger(user string) string {
	id := s.ids.triggerID()
	s.triggers[id] = &trigger{user: user, created: time.Now()}
	return id
}

// useTrigger spends a trigger: valid once, within the trigger lifetime. Call with
// s.mu held.
func (s *Sim) useTrigger(id string) (*trigger, string) {
	t := s.triggers[id]
	switch {
	case t == nil:
		return nil, "invalid_trigger_id"
	case t.used:
		return nil, "exchanged_trigger_id"
	case time.Since(t.created) > s.opts.triggerTTL:
		return nil, "expired_trigger_id"
	}
	t.used = true
	return t, ""
}

// viewByExternalID finds a view by external_id. Call with s.mu held.
func (s *Sim) viewByExternalID(id string) *viewData {
	if id == "" {
		return nil
	}
	for _, v := range s.views {
		if v.req.ExternalID == id {
			return v
		}
	}
	return nil
}
