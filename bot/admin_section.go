package bot

import (
	"encoding/json"

	"github.com/slack-go/slack"
)

// Section is a part of the admin panel that a sink adds for its own settings, such as
// Vitally's: the sink renders it in Block Kit and reads it back, and the panel saves what
// it returns as tickets.Settings.Sinks[Sink()] (through the sink's SettingsKeeper). The
// panel shows sections after its own fields, in the order of Config.Sections. A connector
// satisfies it without importing bot (connectors.Section is the same interface).
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
//
// It is an alias of an interface literal, not a named type, so that a package that
// cannot import bot (connectors) can declare Section again with the same literal and
// have its sections be bot Sections: Go matches the methods of a Section by their exact
// signatures, and two named SectionForm types, however alike, would not match. The
// literal here and any such copy must stay the same.
type SectionForm = interface {
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
