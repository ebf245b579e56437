package slacktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// blockSet is a surface's blocks twice: the JSON as stored and sent back to the app
// (with the block_ids and action_ids Slack fills in when the app leaves them out), and
// a typed reading of it for the simulator's own use.
type blockSet struct {
	raw   json.RawMessage
	items []block
}

type block struct {
	Type      string            `json:"type"`
	BlockID   string            `json:"block_id"`
	Text      json.RawMessage   `json:"text"` // a text object; a string in markdown blocks
	Fields    []textObj         `json:"fields"`
	Accessory *element          `json:"accessory"`
	Elements  []json.RawMessage `json:"elements"`
	Element   *element          `json:"element"`
	Label     *textObj          `json:"label"`
	Optional  bool              `json:"optional"`
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type                 string        `json:"type"`
	ActionID             string        `json:"action_id"`
	Text                 *textObj      `json:"text"`
	Value                string        `json:"value"`
	URL                  string        `json:"url"`
	Style                string        `json:"style"`
	Options              []option      `json:"options"`
	OptionGroups         []optionGroup `json:"option_groups"`
	InitialValue         string        `json:"initial_value"`
	InitialOption        *option       `json:"initial_option"`
	InitialOptions       []option      `json:"initial_options"`
	InitialUser          string        `json:"initial_user"`
	InitialUsers         []string      `json:"initial_users"`
	InitialConversation  string        `json:"initial_conversation"`
	InitialConversations []string      `json:"initial_conversations"`
	InitialChannel       string        `json:"initial_channel"`
	InitialChannels      []string      `json:"initial_channels"`
	InitialDate          string        `json:"initial_date"`
	// InitialDateTime is a datetimepicker's, unix seconds:
	// https://docs.slack.dev/reference/block-kit/block-elements/datetime-picker-element
	InitialDateTime int64 `json:"initial_date_time"`
}

type option struct {
	Text  textObj `json:"text"`
	Value string  `json:"value"`
}

type optionGroup struct {
	Options []option `json:"options"`
}

var errNotBlocks = errors.New("blocks must be a JSON array of objects")

// normalizeBlocks parses blocks as the app sent them and fills in missing block_ids
// and action_ids, as Slack does.
func (s *Sim) normalizeBlocks(raw json.RawMessage) (blockSet, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var list []map[string]any
	if err := dec.Decode(&list); err != nil {
		return blockSet{}, errNotBlocks
	}
	for _, b := range list {
		if b == nil {
			return blockSet{}, errNotBlocks
		}
		if id, _ := b["block_id"].(string); id == "" {
			b["block_id"] = s.ids.blockID()
		}
		for _, key := range []string{"accessory", "element"} {
			s.fillActionID(b[key])
		}
		if b["type"] == "actions" {
			if els, ok := b["elements"].([]any); ok {
				for _, e := range els {
					s.fillActionID(e)
				}
			}
		}
	}
	norm, err := json.Marshal(list)
	if err != nil {
		return blockSet{}, err
	}
	bs := blockSet{raw: norm}
	if err := json.Unmarshal(norm, &bs.items); err != nil {
		return blockSet{}, err
	}
	return bs, nil
}

func (s *Sim) fillActionID(e any) {
	if m, ok := e.(map[string]any); ok {
		if id, _ := m["action_id"].(string); id == "" {
			m["action_id"] = s.ids.actionID()
		}
	}
}

// text reads a block's text: a text object, or a plain string (markdown blocks).
func (b block) text() string {
	if len(b.Text) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(b.Text, &s) == nil {
		return s
	}
	var t textObj
	_ = json.Unmarshal(b.Text, &t)
	return t.Text
}

// texts is every text a person sees in the blocks, in order.
func (bs blockSet) texts() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, b := range bs.items {
		add(b.text())
		for _, f := range b.Fields {
			add(f.Text)
		}
		if b.Accessory != nil && b.Accessory.Text != nil {
			add(b.Accessory.Text.Text)
		}
		if b.Label != nil {
			add(b.Label.Text)
		}
		for _, raw := range b.Elements {
			var e struct {
				Text json.RawMessage `json:"text"`
			}
			_ = json.Unmarshal(raw, &e)
			add(block{Text: e.Text}.text())
		}
	}
	return out
}

// button is a clickable button and where it sits.
type button struct {
	blockID string
	el      element
}

func (bs blockSet) buttons() []button {
	var out []button
	for _, b := range bs.items {
		if b.Accessory != nil && b.Accessory.Type == "button" {
			out = append(out, button{b.BlockID, *b.Accessory})
		}
		if b.Type != "actions" {
			continue
		}
		for _, raw := range b.Elements {
			var e element
			if json.Unmarshal(raw, &e) == nil && e.Type == "button" {
				out = append(out, button{b.BlockID, e})
			}
		}
	}
	return out
}

// buttonTexts lists the visible texts of the buttons.
func (bs blockSet) buttonTexts() []string {
	var out []string
	for _, b := range bs.buttons() {
		if b.el.Text != nil {
			out = append(out, b.el.Text.Text)
		}
	}
	return out
}

// findButton finds a button by its visible text (exact, then case-insensitive).
func (bs blockSet) findButton(text string) (button, bool) {
	for _, exact := range []bool{true, false} {
		for _, b := range bs.buttons() {
			if b.el.Text == nil {
				continue
			}
			if exact && b.el.Text.Text == text || !exact && strings.EqualFold(b.el.Text.Text, text) {
				return b, true
			}
		}
	}
	return button{}, false
}
