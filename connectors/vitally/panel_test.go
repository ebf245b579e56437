package vitally

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/internal/panel"
)

var (
	panelByPanel = NewPanel(Config{})
	panelByEnv   = NewPanel(Config{APIURL: acmeURL, Secret: envSecret})
)

func TestPanel_NamesTheSink(t *testing.T) {
	for _, p := range []Panel{panelByPanel, panelByEnv} {
		if p.Sink() != Name || p.Label() != "Vitally" {
			t.Errorf("Sink %q, Label %q", p.Sink(), p.Label())
		}
	}
	for _, cfg := range []Config{{}, goodEnv()} {
		c, err := Connect(cfg, Deps{Store: newMemStore(), Mark: noMark})
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := c.Panel.(Panel); !ok || p != NewPanel(cfg) {
			t.Errorf("Connect's Panel is %#v, want NewPanel's", c.Panel)
		}
	}
}

// view is the panel as Slack holds it once rendered from f: the section's blocks, with
// no state yet.
func view(f panel.SectionForm) *slack.View {
	return &slack.View{Blocks: slack.Blocks{BlockSet: f.Blocks()}}
}

// submitted is a view whose state holds values by block id: a string for a text input,
// []string for the sync checkboxes' selected option values.
func submitted(values map[string]any) *slack.View {
	state := map[string]map[string]slack.BlockAction{}
	for block, v := range values {
		var a slack.BlockAction
		switch v := v.(type) {
		case string:
			a.Value = v
		case []string:
			for _, o := range v {
				a.SelectedOptions = append(a.SelectedOptions, slack.OptionBlockObject{Value: o})
			}
		}
		state[block] = map[string]slack.BlockAction{inputAction: a}
	}
	return &slack.View{State: &slack.ViewState{Values: state}}
}

// inputs are the section's input blocks by block id.
func inputs(f panel.SectionForm) map[string]*slack.InputBlock {
	out := map[string]*slack.InputBlock{}
	for _, b := range f.Blocks() {
		if in, ok := b.(*slack.InputBlock); ok {
			out[in.BlockID] = in
		}
	}
	return out
}

// texts is everything the section shows, as JSON.
func texts(t *testing.T, f panel.SectionForm) string {
	t.Helper()
	raw, err := json.Marshal(f.Blocks())
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// selected are the values of the sync checkboxes the section shows ticked.
func selected(f panel.SectionForm) []string {
	var out []string
	if in := inputs(f)[blockSync]; in != nil {
		for _, o := range in.Element.(*slack.CheckboxGroupsBlockElement).InitialOptions {
			out = append(out, o.Value)
		}
	}
	return out
}

func settingsOf(t *testing.T, f panel.SectionForm) (Settings, map[string]string) {
	t.Helper()
	errs := map[string]string{}
	raw := f.Settings(errs)
	v, err := decodeSettings(raw)
	if err != nil {
		t.Fatalf("Settings returned %s: %v", raw, err)
	}
	return v, errs
}

// Until an admin saves the section both toggles show on, since the environment's set-up
// alone pushes and updates; the secret is never shown back, only said to be saved; with
// the environment's URL and secret, neither input is shown.
func TestPanel_Form(t *testing.T) {
	t.Run("nothing saved", func(t *testing.T) {
		f := panelByPanel.Form(nil)
		in := inputs(f)
		if len(in) != 4 || in[blockURL] == nil || in[blockSecret] == nil || in[blockObject] == nil || in[blockSync] == nil {
			t.Fatalf("inputs %v", in)
		}
		text := texts(t, f)
		for _, want := range []string{"Vitally API URL", "Paste the secret", "Custom object", DefaultObject,
			"Push new tickets to Vitally", "Update existing tickets in Vitally", "Tickets opened from now on"} {
			if !strings.Contains(text, want) {
				t.Errorf("the section lacks %q", want)
			}
		}
		if got := fmt.Sprint(selected(f)); got != "[push_new update_existing]" {
			t.Errorf("ticked %s, want both until an admin saved", got)
		}
		if f.Metadata() != "" || f.Configured() {
			t.Errorf("Metadata %q, Configured %v", f.Metadata(), f.Configured())
		}
	})
	t.Run("saved", func(t *testing.T) {
		saved := vitallyJSON(t, Settings{APIURL: acmeURL, Secret: verySecret, Object: "Chats", UpdateExisting: true, Since: t0, FromPanel: true})
		f := panelByPanel.Form(saved)
		in := inputs(f)
		url := in[blockURL].Element.(*slack.PlainTextInputBlockElement)
		obj := in[blockObject].Element.(*slack.PlainTextInputBlockElement)
		sec := in[blockSecret].Element.(*slack.PlainTextInputBlockElement)
		if url.InitialValue != acmeURL || obj.InitialValue != "Chats" || sec.InitialValue != "" ||
			sec.Placeholder.Text != "Saved; leave empty to keep it" {
			t.Errorf("URL %q, object %q, secret %q (%q)", url.InitialValue, obj.InitialValue, sec.InitialValue, sec.Placeholder.Text)
		}
		if strings.Contains(texts(t, f), "very_secret") {
			t.Error("the section shows the secret")
		}
		if got := fmt.Sprint(selected(f)); got != "[update_existing]" {
			t.Errorf("ticked %s, want what the admin saved", got)
		}
		if f.Metadata() != "s" || !f.Configured() {
			t.Errorf("Metadata %q, Configured %v", f.Metadata(), f.Configured())
		}
	})
	t.Run("environment", func(t *testing.T) {
		f := panelByEnv.Form(vitallyJSON(t, Settings{Object: "Chats", PushNew: true, FromPanel: true}))
		in := inputs(f)
		if in[blockURL] != nil || in[blockSecret] != nil || in[blockObject] == nil || in[blockSync] == nil {
			t.Errorf("inputs %v, want the object and the toggles only", in)
		}
		if !strings.Contains(texts(t, f), "set by the server's environment (VITALLY_API_URL, VITALLY_SECRET)") {
			t.Error("the section does not say the environment sets the URL and secret")
		}
		if got := fmt.Sprint(selected(f)); got != "[push_new]" {
			t.Errorf("ticked %s", got)
		}
		if f.Metadata() != "e" || !f.Configured() {
			t.Errorf("Metadata %q, Configured %v", f.Metadata(), f.Configured())
		}
		if got := fmt.Sprint(selected(panelByEnv.Form(nil))); got != "[push_new update_existing]" {
			t.Errorf("nothing saved: ticked %s, want both", got)
		}
	})
	t.Run("unreadable saved settings show as none", func(t *testing.T) {
		f := panelByPanel.Form(json.RawMessage(`{"secret":"` + verySecret))
		if f.Metadata() != "" || strings.Contains(texts(t, f), "very_secret") {
			t.Errorf("Metadata %q", f.Metadata())
		}
	})
}

// What the section shows is read back as it was, from a view without state too (a
// block_actions payload may carry only the inputs touched), and the metadata keeps what
// the inputs do not show.
func TestPanel_RoundTrip(t *testing.T) {
	for _, c := range []struct {
		panel Panel
		saved Settings
		meta  string
		want  Settings
	}{
		{panelByPanel, Settings{}, "", Settings{PushNew: true, UpdateExisting: true, FromPanel: true}},
		{panelByPanel, Settings{APIURL: acmeURL, Secret: verySecret, Object: "Chats", PushNew: true, Since: t0, FromPanel: true}, "s",
			Settings{APIURL: acmeURL, Object: "Chats", PushNew: true, FromPanel: true}},
		{panelByEnv, Settings{UpdateExisting: true, FromPanel: true}, "e", Settings{UpdateExisting: true, FromPanel: true}},
		{panelByEnv, Settings{APIURL: acmeURL, Secret: verySecret}, "se", Settings{PushNew: true, UpdateExisting: true, FromPanel: true}},
	} {
		f := c.panel.Form(vitallyJSON(t, c.saved))
		meta := f.Metadata()
		if meta != c.meta || strings.Contains(meta, "|") {
			t.Errorf("%v: Metadata %q, want %q", c.saved, meta, c.meta)
		}
		back := c.panel.FormFromView(view(f), meta)
		if back.Metadata() != meta || back.Configured() != f.Configured() {
			t.Errorf("%v: read back with Metadata %q, Configured %v", c.saved, back.Metadata(), back.Configured())
		}
		got, errs := settingsOf(t, back)
		if len(errs) > 0 || got != c.want {
			t.Errorf("%v: read back %+v, %v\nwant %+v", c.saved, got, errs, c.want)
		}
	}
	// The other panel's metadata wins: the form is read as the admin saw it.
	f := panelByPanel.FormFromView(submitted(map[string]any{blockURL: acmeURL, blockSecret: "sk"}), "e")
	if got, _ := settingsOf(t, f); got.APIURL != "" || got.Secret != "" {
		t.Errorf("read with the environment's metadata: %+v, want no URL or secret", got)
	}
}

// An admin's submission: inputs are trimmed, toggles read, a new secret saved; the
// secret saved before is kept by leaving the input empty.
func TestPanel_Submitted(t *testing.T) {
	f := panelByPanel.FormFromView(submitted(map[string]any{
		blockURL: " " + acmeURL + " ", blockSecret: " sk_test_not_a_real_secret ", blockObject: " Chats ",
		blockSync: []string{optUpdateExisting, "other"},
	}), "")
	got, errs := settingsOf(t, f)
	want := Settings{APIURL: acmeURL, Secret: "sk_test_not_a_real_secret", Object: "Chats", UpdateExisting: true, FromPanel: true}
	if len(errs) > 0 || got != want || !f.Configured() {
		t.Errorf("read %+v, %v (configured %v)\nwant %+v", got, errs, f.Configured(), want)
	}
	f = panelByPanel.FormFromView(submitted(map[string]any{blockURL: acmeURL, blockSecret: ""}), "s")
	if got, errs := settingsOf(t, f); len(errs) > 0 || got.Secret != "" || got.APIURL != acmeURL {
		t.Errorf("secret left empty with one saved: %+v, %v", got, errs)
	}
	f = panelByPanel.FormFromView(submitted(map[string]any{blockURL: "", blockObject: ""}), "")
	if got, errs := settingsOf(t, f); len(errs) > 0 || got != (Settings{FromPanel: true}) || f.Configured() {
		t.Errorf("nothing given: %+v, %v, configured %v", got, errs, f.Configured())
	}
	if f := panelByPanel.FormFromView(&slack.View{}, ""); f.Configured() {
		t.Error("an empty view is configured")
	}
	if f := panelByPanel.FormFromView(nil, "se"); f.Metadata() != "se" {
		t.Errorf("a nil view: Metadata %q", f.Metadata())
	}
}

// Each problem comes back on its own input, with the panel's words; the environment's
// URL and secret are neither checked nor saved from the panel.
func TestPanel_Problems(t *testing.T) {
	const (
		badURL        = "Give the URL as https://<subdomain>.rest.vitally.io (US) or https://rest.vitally-eu.io (EU)."
		urlForSecret  = "Give the API URL that goes with this secret."
		pasteSecret   = "Paste the REST API secret (or its Basic authorization header)."
		badSecret     = "The secret has characters Vitally's secrets never have; paste it again."
		badObjectName = "Give the custom object's name, up to 100 characters, on one line."
	)
	for _, c := range []struct {
		name   string
		panel  Panel
		meta   string
		values map[string]any
		want   map[string]string
	}{
		{"ftp", panelByPanel, "", map[string]any{blockURL: "ftp://acme.rest.vitally.io", blockObject: DefaultObject}, map[string]string{blockURL: badURL}},
		{"not a URL", panelByPanel, "s", map[string]any{blockURL: "acme"}, map[string]string{blockURL: badURL}},
		{"secret without a URL", panelByPanel, "", map[string]any{blockSecret: "sk"}, map[string]string{blockURL: urlForSecret}},
		{"URL without a secret", panelByPanel, "", map[string]any{blockURL: acmeURL}, map[string]string{blockSecret: pasteSecret}},
		{"secret with a control character", panelByPanel, "", map[string]any{blockURL: acmeURL, blockSecret: "sk\x00x"}, map[string]string{blockSecret: badSecret}},
		{"secret too long", panelByPanel, "", map[string]any{blockURL: acmeURL, blockSecret: strings.Repeat("s", 1001)}, map[string]string{blockSecret: badSecret}},
		{"object too long", panelByPanel, "", map[string]any{blockObject: strings.Repeat("o", 101)}, map[string]string{blockObject: badObjectName}},
		{"object with a tab", panelByEnv, "e", map[string]any{blockObject: "a\tb"}, map[string]string{blockObject: badObjectName}},
		{"every input", panelByPanel, "", map[string]any{blockURL: "nope", blockSecret: "a\nb", blockObject: strings.Repeat("o", 101)},
			map[string]string{blockURL: badURL, blockSecret: badSecret, blockObject: badObjectName}},
		{"environment: URL and secret ignored", panelByEnv, "e", map[string]any{blockURL: "nope", blockSecret: "a\nb"}, map[string]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errs := settingsOf(t, c.panel.FormFromView(submitted(c.values), c.meta))
			if fmt.Sprint(errs) != fmt.Sprint(c.want) {
				t.Errorf("errors = %v\nwant     %v", errs, c.want)
			}
		})
	}
}

// The section keeps within Block Kit's limits however long what is saved is (the
// panel's own blocks leave room for its 6 and 2 per ticketing channel).
func TestPanel_WithinSlackLimits(t *testing.T) {
	long := Settings{APIURL: "https://" + strings.Repeat("a", maxURL-len("https://.io")) + ".io", Secret: strings.Repeat("s", maxSecret),
		Object: strings.Repeat("o", maxObject), FromPanel: true}
	if err := long.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []panel.SectionForm{panelByPanel.Form(vitallyJSON(t, long)), panelByEnv.Form(nil)} {
		blocks := f.Blocks()
		if len(blocks) > 8 {
			t.Errorf("%d blocks", len(blocks))
		}
		for _, b := range blocks {
			checkBlock(t, b)
		}
	}
}

// checkBlock checks the Block Kit limits of the kinds of blocks the section uses.
func checkBlock(t *testing.T, b slack.Block) {
	t.Helper()
	limit := func(what, s string, max int) {
		t.Helper()
		if n := utf8.RuneCountInString(s); n > max {
			t.Errorf("%s is %d characters, more than %d", what, n, max)
		}
	}
	switch b := b.(type) {
	case *slack.HeaderBlock:
		limit("a header", b.Text.Text, 150)
	case *slack.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			if tx, ok := e.(*slack.TextBlockObject); ok {
				limit("a context text", tx.Text, 3000)
			}
		}
	case *slack.InputBlock:
		limit(b.BlockID+"'s block id", b.BlockID, 255)
		if strings.HasPrefix(b.BlockID, "admin_") {
			t.Errorf("block id %q has the panel's own prefix", b.BlockID)
		}
		limit(b.BlockID+"'s label", b.Label.Text, 2000)
		if b.Hint != nil {
			limit(b.BlockID+"'s hint", b.Hint.Text, 2000)
		}
		switch el := b.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			limit(b.BlockID+"'s placeholder", el.Placeholder.Text, 150)
			limit(b.BlockID+"'s initial value", el.InitialValue, 3000)
			if el.MaxLength > 0 && utf8.RuneCountInString(el.InitialValue) > el.MaxLength {
				t.Errorf("%s's initial value is longer than its max_length %d", b.BlockID, el.MaxLength)
			}
		case *slack.CheckboxGroupsBlockElement:
			for _, o := range el.Options {
				limit(b.BlockID+"'s option text", o.Text.Text, 75)
				limit(b.BlockID+"'s option value", o.Value, 150)
			}
		default:
			t.Errorf("%s: an element of type %T", b.BlockID, el)
		}
	case *slack.DividerBlock:
	default:
		t.Errorf("a block of type %T", b)
	}
}

// FuzzPanelSubmission: whatever a submission carries (its private metadata and inputs can
// be forged by anyone who can post to the Socket Mode connection's other end), reading it
// never panics, its metadata never has "|", and what it accepts KeepSettings accepts.
func FuzzPanelSubmission(f *testing.F) {
	f.Add("se", "https://acme.rest.vitally.io", "sk", "Frontdesk Requests", "push_new")
	f.Add("", "ftp://x", "a\x00b", strings.Repeat("o", 200), "")
	f.Add("|e|", "http://", "", "", "update_existing")
	sink, err := New(Config{}, Deps{Store: newMemStore()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, meta, url, secret, object, sync string) {
		for _, p := range []Panel{panelByPanel, panelByEnv} {
			form := p.FormFromView(submitted(map[string]any{blockURL: url, blockSecret: secret, blockObject: object, blockSync: []string{sync}}), meta)
			if strings.Contains(form.Metadata(), "|") {
				t.Fatalf("metadata %q", form.Metadata())
			}
			errs := map[string]string{}
			raw := form.Settings(errs)
			if len(errs) == 0 {
				if _, err := sink.KeepSettings(nil, raw, t0); err != nil {
					t.Fatalf("the panel accepted what KeepSettings refuses: %v", err)
				}
			}
			_ = form.Blocks() // renders whatever was read
		}
	})
}
