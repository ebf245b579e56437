package slacktest

import (
	"encoding/json"
	"slices"
	"strings"
)

// View is a modal or an App Home tab the bot opened for a user. Its content is read
// live: after views.update it shows the new version.
type View struct {
	sim  *Sim
	ID   string
	User *User
}

type viewData struct {
	id, user, typ      string
	req                viewRequest
	blocks             blockSet
	hash               string
	rootID, previousID string
	open               bool
	values             map[string]obj // block_id → action_id → state: what the user entered at the last Submit
}

// viewRequest is the view object an app sends to views.*.
type viewRequest struct {
	Type            string          `json:"type"`
	Title           json.RawMessage `json:"title"`
	Close           json.RawMessage `json:"close"`
	Submit          json.RawMessage `json:"submit"`
	Blocks          json.RawMessage `json:"blocks"`
	PrivateMetadata string          `json:"private_metadata"`
	CallbackID      string          `json:"callback_id"`
	ClearOnClose    bool            `json:"clear_on_close"`
	NotifyOnClose   bool            `json:"notify_on_close"`
	ExternalID      string          `json:"external_id"`
}

func (v *viewData) title() string { return block{Text: v.req.Title}.text() }

// searchText is what ExpectView matches: the title and every visible block text.
func (v *viewData) searchText() string {
	return strings.Join(append([]string{v.title()}, v.blocks.texts()...), "\n")
}

// json is the view object of views.* responses and interaction payloads.
func (v *viewData) json() obj {
	values := obj{}
	for b, acts := range v.values {
		values[b] = acts
	}
	return v.jsonWithState(values)
}

func (v *viewData) jsonWithState(values obj) obj {
	blocks := json.RawMessage(v.blocks.raw)
	if blocks == nil {
		blocks = json.RawMessage("[]")
	}
	o := obj{
		"id": v.id, "team_id": TeamID, "type": v.typ, "blocks": blocks,
		"private_metadata": v.req.PrivateMetadata, "callback_id": v.req.CallbackID,
		"state": obj{"values": values}, "hash": v.hash,
		"clear_on_close": v.req.ClearOnClose, "notify_on_close": v.req.NotifyOnClose,
		"root_view_id": nilIfEmpty(v.rootID), "previous_view_id": nilIfEmpty(v.previousID),
		"app_id": AppID, "external_id": v.req.ExternalID,
		"app_installed_team_id": TeamID, "bot_id": BotID,
	}
	for k, raw := range map[string]json.RawMessage{"title": v.req.Title, "close": v.req.Close, "submit": v.req.Submit} {
		if raw != nil {
			o[k] = raw
		}
	}
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (v *View) read(f func(d *viewData)) {
	v.sim.mu.Lock()
	defer v.sim.mu.Unlock()
	if d := v.sim.views[v.ID]; d != nil {
		f(d)
	}
}

// Title is the modal's title ("" for a home tab).
func (v *View) Title() (t string) {
	v.read(func(d *viewData) { t = d.title() })
	return t
}

// Text is the title and every visible text of the view's blocks, one per line.
func (v *View) Text() (t string) {
	v.read(func(d *viewData) { t = d.searchText() })
	return t
}

// CallbackID is the view's callback_id.
func (v *View) CallbackID() (id string) {
	v.read(func(d *viewData) { id = d.req.CallbackID })
	return id
}

// PrivateMetadata is the view's private_metadata.
func (v *View) PrivateMetadata() (md string) {
	v.read(func(d *viewData) { md = d.req.PrivateMetadata })
	return md
}

// Blocks is the view's blocks as JSON.
func (v *View) Blocks() (raw json.RawMessage) {
	v.read(func(d *viewData) { raw = slices.Clone(d.blocks.raw) })
	return raw
}

// Buttons lists the visible texts of the view's buttons.
func (v *View) Buttons() (texts []string) {
	v.read(func(d *viewData) { texts = d.blocks.buttonTexts() })
	return texts
}

// IsOpen reports whether the modal is still open (home tabs always are).
func (v *View) IsOpen() (open bool) {
	v.read(func(d *viewData) { open = d.open })
	return open
}
