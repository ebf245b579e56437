package vitally

import (
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/internal/panel"
)

// Block and action ids of the panel's Vitally section. The panel keeps the prefix
// "admin_" for its own fields, so these do without it; they are stable because the
// panel reads a submission by them.
const (
	blockURL          = "vitally_url"
	blockSecret       = "vitally_secret"
	blockObject       = "vitally_object"
	blockSync         = "vitally_sync"
	optPushNew        = "push_new"
	optUpdateExisting = "update_existing"
	inputAction       = "value" // the action id of every input of the section
)

// Panel is Vitally's section of the admin panel (panel.Section): the API URL and
// secret, unless the environment sets them, the custom object's name and the two sync
// toggles. What it returns is saved as tickets.Settings.Sinks[Name], through
// Sink.KeepSettings.
type Panel struct {
	fromEnv bool // the environment sets the URL and secret (Config.Enabled)
}

// NewPanel returns the section for a server whose environment's Vitally is env: when env
// is Enabled, the section leaves the URL and secret out, since the environment's win.
func NewPanel(env Config) Panel { return Panel{fromEnv: env.Enabled()} }

var _ panel.Section = Panel{}

// Sink is Name: the section edits the Vitally sink's settings.
func (Panel) Sink() string { return Name }

// Label is "Vitally".
func (Panel) Label() string { return "Vitally" }

// Form is the section as saved shows it (nil: nothing saved). Saved settings that cannot
// be decoded show as none: saving the form replaces them.
func (p Panel) Form(saved json.RawMessage) panel.SectionForm {
	v, _ := decodeSettings(saved)
	f := form{url: v.APIURL, object: v.Object, push: v.PushNew, update: v.UpdateExisting,
		secretSaved: v.Secret != "", fromEnv: p.fromEnv}
	if !v.FromPanel {
		f.push, f.update = true, true // both on until an admin says otherwise
	}
	return f
}

// FormFromView reads the section back from a submitted or updated panel; meta is what
// the form's Metadata was when the panel was rendered. Whether the environment sets the
// URL and secret is taken from meta, so that the form is read as the admin saw it.
func (Panel) FormFromView(v *slack.View, meta string) panel.SectionForm {
	f := form{
		url:         strings.TrimSpace(stateOf(v, blockURL).Value),
		secret:      strings.TrimSpace(stateOf(v, blockSecret).Value),
		object:      strings.TrimSpace(stateOf(v, blockObject).Value),
		secretSaved: strings.Contains(meta, "s"),
		fromEnv:     strings.Contains(meta, "e"),
	}
	for _, o := range stateOf(v, blockSync).SelectedOptions {
		switch o.Value {
		case optPushNew:
			f.push = true
		case optUpdateExisting:
			f.update = true
		}
	}
	return f
}

// form is the section as shown, or as an admin submitted it (panel.SectionForm).
// The secret is never shown back: secretSaved says one is saved, and an empty secret
// input keeps it (KeepSettings carries it over).
type form struct {
	url, secret, object string
	push, update        bool
	secretSaved         bool
	fromEnv             bool // the environment sets the URL and secret
}

// Metadata is "s" when a secret is saved, "e" when the environment sets the URL and
// secret, both, or neither; never "|", which the panel uses to separate its own parts.
func (f form) Metadata() string {
	m := ""
	if f.secretSaved {
		m += "s"
	}
	if f.fromEnv {
		m += "e"
	}
	return m
}

// Blocks renders the section.
func (f form) Blocks() []slack.Block {
	bs := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plainText("Vitally")),
		slack.NewContextBlock("", mrkdwn("Tickets opened from now on appear on the customer's Organization and Account in Vitally, "+
			"as a custom object, and stay up to date there. On saving, Frontdesk creates the object and its traits "+
			"in Vitally where they are missing, and tells you what it did (or, if Vitally refuses, exactly what to create).")),
	}
	if f.fromEnv {
		bs = append(bs, slack.NewContextBlock("", mrkdwn("The API URL and secret are set by the server's environment (VITALLY_API_URL, VITALLY_SECRET).")))
	} else {
		url := slack.NewPlainTextInputBlockElement(plainText("https://<subdomain>.rest.vitally.io or https://rest.vitally-eu.io"), inputAction)
		url.InitialValue = f.url
		url.MaxLength = maxURL
		hint := "The REST API secret from Vitally → Settings → Integrations → Vitally REST API, or the Basic authorization header shown there."
		placeholder := "Paste the secret"
		if f.secretSaved {
			placeholder = "Saved; leave empty to keep it"
		}
		secret := slack.NewPlainTextInputBlockElement(plainText(placeholder), inputAction)
		secret.MaxLength = maxSecret
		bs = append(bs,
			slack.NewInputBlock(blockURL, plainText("Vitally API URL"), nil, url).WithOptional(true),
			slack.NewInputBlock(blockSecret, plainText("Vitally secret"), plainText(hint), secret).WithOptional(true))
	}
	object := slack.NewPlainTextInputBlockElement(plainText(DefaultObject), inputAction)
	object.InitialValue = f.object
	object.MaxLength = maxObject
	push := slack.NewOptionBlockObject(optPushNew, plainText("Push new tickets to Vitally"), nil)
	update := slack.NewOptionBlockObject(optUpdateExisting, plainText("Update existing tickets in Vitally"), nil)
	sync := slack.NewCheckboxGroupsBlockElement(inputAction, push, update)
	if f.push {
		sync.InitialOptions = append(sync.InitialOptions, push)
	}
	if f.update {
		sync.InitialOptions = append(sync.InitialOptions, update)
	}
	return append(bs,
		slack.NewInputBlock(blockObject, plainText("Custom object"), plainText("Its name in Vitally; empty for "+DefaultObject+"."), object).WithOptional(true),
		slack.NewInputBlock(blockSync, plainText("Sync"), nil, sync).WithOptional(true))
}

// Settings is the JSON of the section's Settings, FromPanel since an admin saved them,
// with a problem put in errs under the block id of each input that has one. While the
// environment sets the URL and secret the inputs are not shown, and none are saved.
func (f form) Settings(errs map[string]string) json.RawMessage {
	v := Settings{Object: f.object, PushNew: f.push, UpdateExisting: f.update, FromPanel: true}
	if !f.fromEnv {
		v.APIURL, v.Secret = f.url, f.secret
		switch {
		case (Settings{APIURL: f.url}).Validate() != nil:
			errs[blockURL] = "Give the URL as https://<subdomain>.rest.vitally.io (US) or https://rest.vitally-eu.io (EU)."
		case f.url == "" && f.secret != "":
			errs[blockURL] = "Give the API URL that goes with this secret."
		case f.url != "" && f.secret == "" && !f.secretSaved:
			errs[blockSecret] = "Paste the REST API secret (or its Basic authorization header)."
		}
		if (Settings{Secret: f.secret}).Validate() != nil {
			errs[blockSecret] = "The secret has characters Vitally's secrets never have; paste it again."
		}
	}
	if (Settings{Object: f.object}).Validate() != nil {
		errs[blockObject] = "Give the custom object's name, up to 100 characters, on one line."
	}
	// v has no Since, and its other fields are strings and bools: it always encodes.
	raw, _ := json.Marshal(v)
	return raw
}

// Configured reports whether saving the section sets Vitally up, so that its set-up is
// worth checking.
func (f form) Configured() bool { return f.fromEnv || f.url != "" }

// plainText is Block Kit's plain_text object.
func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// mrkdwn is Block Kit's mrkdwn text object.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// stateOf is the value of the section's input block in view v (panel.StateOf).
func stateOf(v *slack.View, block string) slack.BlockAction {
	return panel.StateOf(v, block, inputAction)
}
