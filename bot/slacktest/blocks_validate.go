package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces (docs.slack.dev/reference/block-kit).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxSectionText   = 3000
	maxSectionFields = 10
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxID            = 255
	maxActions       = 25
	maxContextItems  = 10
	maxLabel         = 2000
	maxOptions       = 100
	maxOptionText    = 75
	maxOptionValue   = 150
)

var knownBlocks = map[string]bool{
	"section": true, "divider": true, "image": true, "actions": true, "context": true,
	"input": true, "file": true, "header": true, "video": true, "rich_text": true,
	"markdown": true, "table": true, "call": true,
}

// validate checks the blocks against Slack's limits; maxBlocks is 50 for messages and
// 100 for views. The error says what is wrong (Slack says only invalid_blocks).
func (bs blockSet) validate(maxBlocks int) error {
	if len(bs.items) > maxBlocks {
		return fmt.Errorf("%d blocks, at most %d", len(bs.items), maxBlocks)
	}
	seen := map[string]bool{}
	for i, b := range bs.items {
		where := fmt.Sprintf("block %d (%s)", i, b.Type)
		if !knownBlocks[b.Type] {
			return fmt.Errorf("%s: unknown block type", where)
		}
		if err := tooLong(where+" block_id", b.BlockID, maxID); err != nil {
			return err
		}
		if seen[b.BlockID] {
			return fmt.Errorf("%s: duplicate block_id %q", where, b.BlockID)
		}
		seen[b.BlockID] = true
		if err := b.validate(where); err != nil {
			return err
		}
	}
	return nil
}

func (b block) validate(where string) error {
	switch b.Type {
	case "section":
		if b.text() == "" && len(b.Fields) == 0 {
			return fmt.Errorf("%s: needs text or fields", where)
		}
		if err := tooLong(where+" text", b.text(), maxSectionText); err != nil {
			return err
		}
		if len(b.Fields) > maxSectionFields {
			return fmt.Errorf("%s: %d fields, at most %d", where, len(b.Fields), maxSectionFields)
		}
		for _, f := range b.Fields {
			if err := tooLong(where+" field", f.Text, maxFieldText); err != nil {
				return err
			}
		}
		if b.Accessory != nil {
			return b.Accessory.validate(where + " accessory")
		}
	case "header":
		if b.text() == "" {
			return fmt.Errorf("%s: needs text", where)
		}
		return tooLong(where+" text", b.text(), maxHeaderText)
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > maxContextItems {
			return fmt.Errorf("%s: %d elements, 1 to %d", where, len(b.Elements), maxContextItems)
		}
	case "actions":
		return validateActions(where, b.Elements)
	case "input":
		if b.Label == nil || b.Label.Text == "" || b.Element == nil {
			return fmt.Errorf("%s: needs a label and an element", where)
		}
		if err := tooLong(where+" label", b.Label.Text, maxLabel); err != nil {
			return err
		}
		return b.Element.validate(where + " element")
	}
	return nil
}

func validateActions(where string, raws []json.RawMessage) error {
	if len(raws) == 0 || len(raws) > maxActions {
		return fmt.Errorf("%s: %d elements, 1 to %d", where, len(raws), maxActions)
	}
	ids := map[string]bool{}
	for j, raw := range raws {
		var e element
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s element %d: %v", where, j, err)
		}
		if ids[e.ActionID] {
			return fmt.Errorf("%s: duplicate action_id %q", where, e.ActionID)
		}
		ids[e.ActionID] = true
		if err := e.validate(fmt.Sprintf("%s element %d", where, j)); err != nil {
			return err
		}
	}
	return nil
}

func (e element) validate(where string) error {
	if e.Type == "" {
		return fmt.Errorf("%s: no type", where)
	}
	if err := tooLong(where+" action_id", e.ActionID, maxID); err != nil {
		return err
	}
	if e.Type == "button" {
		if e.Text == nil || e.Text.Text == "" || e.Text.Type != "plain_text" {
			return fmt.Errorf("%s: a button needs plain_text text", where)
		}
		if err := tooLong(where+" text", e.Text.Text, maxButtonText); err != nil {
			return err
		}
		return tooLong(where+" value", e.Value, maxButtonValue)
	}
	opts := e.allOptions()
	if len(opts) > maxOptions {
		return fmt.Errorf("%s: %d options, at most %d", where, len(opts), maxOptions)
	}
	for _, o := range opts {
		if err := tooLong(where+" option text", o.Text.Text, maxOptionText); err != nil {
			return err
		}
		if err := tooLong(where+" option value", o.Value, maxOptionValue); err != nil {
			return err
		}
	}
	return nil
}

func (e element) allOptions() []option {
	out := append([]option(nil), e.Options...)
	for _, g := range e.OptionGroups {
		out = append(out, g.Options...)
	}
	return out
}

func tooLong(what, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s: %d characters, at most %d", what, n, max)
	}
	return nil
}
