package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/internal/panel"
)

// fakeSection is a sink's section of the admin panel as a connector writes one: a CRM
// reached at an https endpoint with a token. The token is a secret and is never shown
// back, so the form's Metadata remembers that one is saved ("t"), and an empty token
// input then keeps it. Its block ids begin with its sink's name, so two fakeSections
// can share a panel.
type fakeSection struct{ sink, label string }

// fakeCRM is the section most tests use.
var fakeCRM = fakeSection{sink: "fake", label: "Fake CRM"}

// fakeSettings are a fakeSection's settings, as saved in tickets.Settings.Sinks.
type fakeSettings struct {
	Endpoint string `json:"endpoint,omitempty"`
	Token    string `json:"token,omitempty"`
}

func (s fakeSection) endpointBlock() string { return s.sink + "_endpoint" }
func (s fakeSection) tokenBlock() string    { return s.sink + "_token" }

func (s fakeSection) Sink() string  { return s.sink }
func (s fakeSection) Label() string { return s.label }

func (s fakeSection) Form(saved json.RawMessage) panel.SectionForm {
	var st fakeSettings
	_ = json.Unmarshal(saved, &st) // nil when nothing is saved: an empty form
	return &fakeForm{sec: s, endpoint: st.Endpoint, tokenSaved: st.Token != ""}
}

func (s fakeSection) FormFromView(v *slack.View, meta string) panel.SectionForm {
	return &fakeForm{sec: s,
		endpoint:   strings.TrimSpace(stateOf(v, s.endpointBlock()).Value),
		token:      strings.TrimSpace(stateOf(v, s.tokenBlock()).Value),
		tokenSaved: meta == "t",
	}
}

// fakeForm is a fakeSection as shown or submitted.
type fakeForm struct {
	sec             fakeSection
	endpoint, token string
	tokenSaved      bool
}

func (f *fakeForm) Blocks() []slack.Block {
	endpoint := slack.NewPlainTextInputBlockElement(plainText("https://crm.example/api"), inputAction)
	endpoint.InitialValue = f.endpoint
	placeholder := "Paste the token"
	if f.tokenSaved {
		placeholder = "Saved; leave empty to keep it"
	}
	token := slack.NewPlainTextInputBlockElement(plainText(placeholder), inputAction)
	return []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plainText(f.sec.label)),
		slack.NewInputBlock(f.sec.endpointBlock(), plainText(f.sec.label+" endpoint"), nil, endpoint).WithOptional(true),
		slack.NewInputBlock(f.sec.tokenBlock(), plainText(f.sec.label+" token"), nil, token).WithOptional(true),
	}
}

func (f *fakeForm) Metadata() string {
	if f.tokenSaved {
		return "t"
	}
	return ""
}

func (f *fakeForm) Settings(errs map[string]string) json.RawMessage {
	switch {
	case f.endpoint != "" && !strings.HasPrefix(f.endpoint, "https://"):
		errs[f.sec.endpointBlock()] = "Give the endpoint as https://…"
	case f.endpoint != "" && f.token == "" && !f.tokenSaved:
		errs[f.sec.tokenBlock()] = "Paste the token."
	}
	raw, _ := json.Marshal(fakeSettings{Endpoint: f.endpoint, Token: f.token})
	return raw
}

func (f *fakeForm) Configured() bool { return f.endpoint != "" }

var _ panel.Section = fakeSection{}

// A section counts as shown only when the submitted panel has one of its blocks: a panel
// rendered without it (before a deploy added it, or with other block ids) must not save
// its empty fields over the saved settings.
func TestShows(t *testing.T) {
	form := fakeCRM.Form(nil)
	with := &slack.View{Blocks: slack.Blocks{BlockSet: append([]slack.Block{slack.NewDividerBlock()}, form.Blocks()...)}}
	without := &slack.View{Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock(),
		slack.NewInputBlock("admin_vitally_url", plainText("old"), nil, slack.NewPlainTextInputBlockElement(nil, inputAction))}}}
	if !shows(with, form) {
		t.Error("a panel with the section's blocks does not show it")
	}
	if shows(without, form) {
		t.Error("a panel without the section's blocks shows it")
	}
}
