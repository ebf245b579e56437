package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The web view's actions: each is what one of the actors does, for the person the page
// acts as, answering with an error instead of failing a test.

// maxWebText bounds a message posted from the page (Slack's own limit is 40,000).
const maxWebText = 40000

func decode(body json.RawMessage, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("malformed request")
	}
	return nil
}

// acked answers an interaction the app acknowledged, or the reason it did not.
func acked(a Ack) (any, error) {
	if a.EnvelopeID == "" {
		return nil, &webError{http.StatusGatewayTimeout, "the app did not answer in time (is it connected?)"}
	}
	res := obj{"ok": true}
	if ra := a.ResponseAction(); ra != "" {
		res["response_action"] = ra
	}
	if errs := a.Errors(); len(errs) > 0 {
		res["errors"] = errs
	}
	return res, nil
}

// post: {"channel", "text", "thread_ts"?} — the person writes in a channel or thread.
func (w *webView) post(u *User, body json.RawMessage) (any, error) {
	var req struct {
		Channel  string `json:"channel"`
		Text     string `json:"text"`
		ThreadTS string `json:"thread_ts"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	text := strings.TrimSpace(req.Text)
	if text == "" || len(text) > maxWebText {
		return nil, badRequest(fmt.Sprintf("write between 1 and %d characters", maxWebText))
	}
	m, err := u.tryPost(req.Channel, req.ThreadTS, text, nil)
	if err != nil {
		return nil, err
	}
	return obj{"ok": true, "ts": m.TS}, nil
}

// click: {"channel", "ts", "block_id", "action_id"} clicks a message's button;
// {"view_id", "block_id", "action_id"} a button of a modal or of the App Home.
func (w *webView) click(u *User, body json.RawMessage) (any, error) {
	var req struct {
		Channel  string `json:"channel"`
		TS       string `json:"ts"`
		ViewID   string `json:"view_id"`
		BlockID  string `json:"block_id"`
		ActionID string `json:"action_id"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	s := w.s
	s.mu.Lock()
	var p obj
	if req.ViewID != "" {
		v := s.views[req.ViewID]
		if v == nil || v.user != u.ID || !v.open && s.homes[u.ID] != v.id {
			s.mu.Unlock()
			return nil, badRequest("that view is not open")
		}
		b, ok := findAction(v.blocks, req.BlockID, req.ActionID)
		if !ok {
			s.mu.Unlock()
			return nil, badRequest("no such button in the view")
		}
		p = s.viewClickPayload(u.ID, v, b)
	} else {
		c, m, err := w.message(u.ID, req.Channel, req.TS)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		b, ok := findAction(m.blocks, req.BlockID, req.ActionID)
		if !ok {
			s.mu.Unlock()
			return nil, badRequest("no such button on the message")
		}
		p = s.clickPayload(u.ID, c, m, b)
	}
	s.mu.Unlock()
	return acked(s.sendInteraction(p, u.Name+" clicks a button in the web view"))
}

// findAction finds a button by its block and action ids.
func findAction(bs blockSet, blockID, actionID string) (button, bool) {
	for _, b := range bs.buttons() {
		if b.blockID == blockID && b.el.ActionID == actionID {
			return b, true
		}
	}
	return button{}, false
}

// message finds the message user sees. Call with s.mu held.
func (w *webView) message(user, channel, ts string) (*channelData, *msgData, error) {
	c := w.s.channels[channel]
	if c == nil || !canSee(c, user) {
		return nil, nil, badRequest("no such channel")
	}
	m := c.byTS[ts]
	if m == nil {
		return nil, nil, badRequest("no such message")
	}
	return c, m, nil
}

// shortcut: {"channel", "ts", "callback_id"} runs a message shortcut on a message.
func (w *webView) shortcut(u *User, body json.RawMessage) (any, error) {
	var req struct {
		Channel    string `json:"channel"`
		TS         string `json:"ts"`
		CallbackID string `json:"callback_id"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(w.cfg.MessageShortcuts, func(c Shortcut) bool { return c.CallbackID == req.CallbackID }) {
		return nil, badRequest("the app has no such message shortcut")
	}
	s := w.s
	s.mu.Lock()
	c, m, err := w.message(u.ID, req.Channel, req.TS)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	p := s.shortcutPayload(u.ID, c, m, req.CallbackID)
	s.mu.Unlock()
	return acked(s.sendInteraction(p, u.Name+" runs shortcut "+req.CallbackID+" in the web view"))
}

// global: {"callback_id"} runs a global shortcut.
func (w *webView) global(u *User, body json.RawMessage) (any, error) {
	var req struct {
		CallbackID string `json:"callback_id"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(w.cfg.GlobalShortcuts, func(c Shortcut) bool { return c.CallbackID == req.CallbackID }) {
		return nil, badRequest("the app has no such global shortcut")
	}
	return acked(u.GlobalShortcut(req.CallbackID))
}

// submit: {"view_id", "values": {block_id: text | option value | [values]}} submits the
// modal on the person's screen; the answer carries the app's field errors, if any.
func (w *webView) submit(u *User, body json.RawMessage) (any, error) {
	var req struct {
		ViewID string         `json:"view_id"`
		Values map[string]any `json:"values"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	for k, v := range req.Values {
		if s, ok := v.(string); ok && s == "" {
			delete(req.Values, k) // nothing chosen: the input keeps its state
		}
	}
	a, err := u.submit(req.ViewID, req.Values)
	if err != nil {
		return nil, err
	}
	return acked(a)
}

// closeView: {"view_id"} closes (cancels) the modal on the person's screen.
func (w *webView) closeView(u *User, body json.RawMessage) (any, error) {
	var req struct {
		ViewID string `json:"view_id"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	s := w.s
	s.mu.Lock()
	stack := s.stacks[u.ID]
	open := len(stack) > 0 && stack[len(stack)-1] == req.ViewID
	s.mu.Unlock()
	if !open {
		return nil, badRequest("that modal is not open")
	}
	u.CloseView(&View{sim: s, ID: req.ViewID, User: u})
	return obj{"ok": true}, nil
}

// home: {} opens the app's Home tab (app_home_opened), so that the app publishes it.
func (w *webView) home(u *User, _ json.RawMessage) (any, error) {
	u.OpenHome()
	return obj{"ok": true}, nil
}
