// Package panel is what the admin panel (package bot) and the connectors that add a
// section to it share: the Section a sink offers for its own settings, and reading an
// input back from a submitted or updated modal. It sits between the two because neither
// may import the other (docs/architecture.md, "Packages and their rules").
package panel

import (
	"encoding/json"

	"github.com/slack-go/slack"
)

// Section is a part of the admin panel that a sink adds for its own settings, such as
// Vitally's: the sink renders it in Block Kit and reads it back, and the panel saves what
// it returns as tickets.Settings.Sinks[Sink()] (through the sink's SettingsKeeper). The
// panel shows sections after its own fields, in the order it is given them.
type Section interface {
	// Sink names the sink whose settings the section edits.
	Sink() string
	// Label names the sink for people ("Vitally"): the set-up check's modal is titled
	// with it.
	Label() string
	// Form is the section as the saved settings show it; saved is nil when none are saved.
	Form(saved json.RawMessage) SectionForm
	// FormFromView reads the section back from a submitted or updated panel; meta is the
	// form's Metadata when the panel was rendered.
	FormFromView(v *slack.View, meta string) SectionForm
}

// SectionForm is a Section as shown, or as an admin submitted it.
type SectionForm interface {
	// Blocks renders the section. Its block ids are its own: they must not begin with
	// "admin_", which the panel's own fields use.
	Blocks() []slack.Block
	// Metadata is what the form must remember across views (that a secret is saved); the
	// panel keeps it in its private_metadata and hands it back to FormFromView. It must not
	// contain "|".
	Metadata() string
	// Settings returns the settings to save. A problem with a field goes into errs under
	// the field's block id, and then nothing is saved.
	Settings(errs map[string]string) json.RawMessage
	// Configured reports whether saving the form sets the sink up, so that its set-up is
	// worth checking (tickets.Service.CheckSetup) once saved.
	Configured() bool
}

// StateOf is the value of the input block in view v whose element has action id action:
// what the user entered, or, for an input the state leaves out (a block_actions payload
// may carry only what was touched), the value the view was opened with, so that
// re-rendering a modal loses nothing. A nil v has no values.
func StateOf(v *slack.View, block, action string) slack.BlockAction {
	if v == nil {
		return slack.BlockAction{}
	}
	if v.State != nil {
		if st, ok := v.State.Values[block][action]; ok {
			return st
		}
	}
	var st slack.BlockAction
	for _, b := range v.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok || in.BlockID != block {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.SelectBlockElement:
			st.SelectedConversation = el.InitialConversation
		case *slack.MultiSelectBlockElement:
			st.SelectedUsers = el.InitialUsers
		case *slack.PlainTextInputBlockElement:
			st.Value = el.InitialValue
		case *slack.RadioButtonsBlockElement:
			if el.InitialOption != nil {
				st.SelectedOption = *el.InitialOption
			}
		case *slack.CheckboxGroupsBlockElement:
			for _, o := range el.InitialOptions {
				if o != nil {
					st.SelectedOptions = append(st.SelectedOptions, *o)
				}
			}
		}
	}
	return st
}
