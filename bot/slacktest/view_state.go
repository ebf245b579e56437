package slacktest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// stateValues builds view.state.values for a submission: each input block's element
// with its value — the test's (found by block_id or label text), else what the user
// entered last time, else the element's initial value — in Slack's shape. It returns
// the labels of required inputs left empty. Call with s.mu held.
func (s *Sim) stateValues(v *viewData, fill map[string]any) (obj, []string, error) {
	values := obj{}
	used := map[string]bool{}
	var empty, inputs []string
	for _, b := range v.blocks.items {
		if b.Type != "input" || b.Element == nil {
			continue
		}
		el, label := *b.Element, b.Label.Text
		inputs = append(inputs, fmt.Sprintf("%s (%q)", b.BlockID, label))
		st := initialState(el)
		if prev, ok := v.values[b.BlockID][el.ActionID].(obj); ok {
			st = prev
		}
		val, given := fill[b.BlockID]
		if given {
			used[b.BlockID] = true
		} else if val, given = fill[label]; given {
			used[label] = true
		}
		if given {
			var err error
			if st, err = s.fillElement(el, val); err != nil {
				return nil, nil, fmt.Errorf("input %s (%q): %w", b.BlockID, label, err)
			}
		}
		if isEmpty(st) && !b.Optional {
			empty = append(empty, label)
		}
		values[b.BlockID] = obj{el.ActionID: st}
	}
	for k := range fill {
		if !used[k] {
			return nil, nil, fmt.Errorf("no input with block_id or label %q; inputs: %s", k, strings.Join(inputs, ", "))
		}
	}
	return values, empty, nil
}

// initialState is an element's state before the user touches it.
func initialState(el element) obj {
	st := obj{"type": el.Type}
	switch el.Type {
	case "static_select", "external_select", "radio_buttons":
		st["selected_option"] = optionOrNil(el.InitialOption)
	case "multi_static_select", "multi_external_select", "checkboxes":
		st["selected_options"] = optionsJSON(el.InitialOptions)
	case "users_select":
		st["selected_user"] = nilIfEmpty(el.InitialUser)
	case "multi_users_select":
		st["selected_users"] = orEmpty(el.InitialUsers)
	case "conversations_select":
		st["selected_conversation"] = nilIfEmpty(el.InitialConversation)
	case "multi_conversations_select":
		st["selected_conversations"] = orEmpty(el.InitialConversations)
	case "channels_select":
		st["selected_channel"] = nilIfEmpty(el.InitialChannel)
	case "multi_channels_select":
		st["selected_channels"] = orEmpty(el.InitialChannels)
	case "datepicker":
		st["selected_date"] = nilIfEmpty(el.InitialDate)
	case "datetimepicker":
		// A datetimepicker's state is selected_date_time, unix seconds (slack-go's
		// BlockAction.SelectedDateTime), null when none is chosen.
		if el.InitialDateTime > 0 {
			st["selected_date_time"] = el.InitialDateTime
		} else {
			st["selected_date_time"] = nil
		}
	default: // plain_text_input, number_input, email_text_input, url_text_input…
		st["value"] = nilIfEmpty(el.InitialValue)
	}
	return st
}

// fillElement is an element's state with the test's value: text for text inputs, an
// option's text (or value) for selects, checkboxes and radio buttons, *User or ids for
// user selects, *Channel or ids for conversation and channel selects.
func (s *Sim) fillElement(el element, val any) (obj, error) {
	list, err := toStrings(val)
	if err != nil {
		return nil, err
	}
	one := func() (string, error) {
		if len(list) != 1 {
			return "", fmt.Errorf("%s takes one value, got %d", el.Type, len(list))
		}
		return list[0], nil
	}
	st := obj{"type": el.Type}
	key := map[string]string{
		"users_select": "selected_user", "multi_users_select": "selected_users",
		"conversations_select": "selected_conversation", "multi_conversations_select": "selected_conversations",
		"channels_select": "selected_channel", "multi_channels_select": "selected_channels",
		"datepicker": "selected_date", "timepicker": "selected_time",
	}[el.Type]
	switch {
	case el.Type == "static_select" || el.Type == "radio_buttons":
		text, err := one()
		if err != nil {
			return nil, err
		}
		o, err := findOption(el, text)
		st["selected_option"] = o
		return st, err
	case el.Type == "multi_static_select" || el.Type == "checkboxes":
		opts := []obj{}
		for _, text := range list {
			o, err := findOption(el, text)
			if err != nil {
				return nil, err
			}
			opts = append(opts, o)
		}
		st["selected_options"] = opts
	case strings.HasPrefix(el.Type, "multi_") && key != "":
		st[key] = list
	case key != "":
		v, err := one()
		st[key] = v
		return st, err
	case el.Type == "datetimepicker": // the test gives unix seconds, as a string or a time
		v, err := one()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("a datetimepicker takes unix seconds, not %q", v)
		}
		st["selected_date_time"] = n
		return st, nil
	case slices.Contains([]string{"plain_text_input", "number_input", "email_text_input", "url_text_input", "rich_text_input"}, el.Type):
		v, err := one()
		st["value"] = v
		return st, err
	default:
		return nil, fmt.Errorf("filling a %s is not simulated", el.Type)
	}
	return st, nil
}
