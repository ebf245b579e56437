package bot

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// vitallyForm is the admin panel's Vitally section. The secret is never shown back:
// secretSaved says one is saved, and an empty secret input keeps it.
type vitallyForm struct {
	url, secret, object string
	push, update        bool
	secretSaved         bool
	fromEnv             bool // the environment sets the URL and secret
}

func vitallyFromSettings(v tickets.Vitally, fromEnv bool) vitallyForm {
	f := vitallyForm{url: v.APIURL, object: v.Object, push: v.PushNew, update: v.UpdateExisting,
		secretSaved: v.Secret != "", fromEnv: fromEnv}
	if !v.FromPanel {
		f.push, f.update = true, true // both on until an admin says otherwise
	}
	return f
}

// vitallyFromState reads the section back from a submitted or updated panel.
func vitallyFromState(v *slack.View, meta string) vitallyForm {
	f := vitallyForm{
		url:         strings.TrimSpace(stateOf(v, blockVitallyURL).Value),
		secret:      strings.TrimSpace(stateOf(v, blockVitallySecret).Value),
		object:      strings.TrimSpace(stateOf(v, blockVitallyObject).Value),
		secretSaved: strings.Contains(meta, "s"),
		fromEnv:     strings.Contains(meta, "e"),
	}
	for _, o := range stateOf(v, blockVitallySync).SelectedOptions {
		switch o.Value {
		case optPushNew:
			f.push = true
		case optUpdateExisting:
			f.update = true
		}
	}
	return f
}

// metadata is the section's part of the panel's private_metadata: "s" when a secret is
// saved, "e" when the environment sets the URL and secret.
func (f vitallyForm) metadata() string {
	m := ""
	if f.secretSaved {
		m += "s"
	}
	if f.fromEnv {
		m += "e"
	}
	return m
}

// blocks renders the section.
func (f vitallyForm) blocks() []slack.Block {
	bs := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plainText("Vitally")),
		slack.NewContextBlock("", md("Tickets opened from now on appear on the customer's Organization and Account in Vitally, "+
			"as a custom object, and stay up to date there. On saving, Frontdesk creates the object and its traits "+
			"in Vitally where they are missing, and tells you what it did (or, if Vitally refuses, exactly what to create).")),
	}
	if f.fromEnv {
		bs = append(bs, slack.NewContextBlock("", md("The API URL and secret are set by the server's environment (VITALLY_API_URL, VITALLY_SECRET).")))
	} else {
		url := slack.NewPlainTextInputBlockElement(plainText("https://<subdomain>.rest.vitally.io or https://rest.vitally-eu.io"), inputAction)
		url.InitialValue = f.url
		url.MaxLength = 500
		hint := "The REST API secret from Vitally → Settings → Integrations → Vitally REST API, or the Basic authorization header shown there."
		placeholder := "Paste the secret"
		if f.secretSaved {
			placeholder = "Saved; leave empty to keep it"
		}
		secret := slack.NewPlainTextInputBlockElement(plainText(placeholder), inputAction)
		secret.MaxLength = 1000
		bs = append(bs,
			slack.NewInputBlock(blockVitallyURL, plainText("Vitally API URL"), nil, url).WithOptional(true),
			slack.NewInputBlock(blockVitallySecret, plainText("Vitally secret"), plainText(hint), secret).WithOptional(true))
	}
	object := slack.NewPlainTextInputBlockElement(plainText(tickets.DefaultVitallyObject), inputAction)
	object.InitialValue = f.object
	object.MaxLength = 100
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
		slack.NewInputBlock(blockVitallyObject, plainText("Custom object"), plainText("Its name in Vitally; empty for "+tickets.DefaultVitallyObject+"."), object).WithOptional(true),
		slack.NewInputBlock(blockVitallySync, plainText("Sync"), nil, sync).WithOptional(true))
}

// settings turns the section into settings, with a problem per block that has one.
func (f vitallyForm) settings(errs map[string]string) tickets.Vitally {
	v := tickets.Vitally{Object: f.object, PushNew: f.push, UpdateExisting: f.update, FromPanel: true}
	if !f.fromEnv {
		v.APIURL, v.Secret = f.url, f.secret
		switch {
		case (tickets.Vitally{APIURL: f.url}).Validate() != nil:
			errs[blockVitallyURL] = "Give the URL as https://<subdomain>.rest.vitally.io (US) or https://rest.vitally-eu.io (EU)."
		case f.url == "" && f.secret != "":
			errs[blockVitallyURL] = "Give the API URL that goes with this secret."
		case f.url != "" && f.secret == "" && !f.secretSaved:
			errs[blockVitallySecret] = "Paste the REST API secret (or its Basic authorization header)."
		}
		if err := (tickets.Vitally{Secret: f.secret}).Validate(); err != nil {
			errs[blockVitallySecret] = "The secret has characters Vitally's secrets never have; paste it again."
		}
	}
	if err := (tickets.Vitally{Object: f.object}).Validate(); err != nil {
		errs[blockVitallyObject] = "Give the custom object's name, up to 100 characters, on one line."
	}
	return v
}

// configured reports whether saving the section sets Vitally up, so it is worth checking.
func (f vitallyForm) configured() bool { return f.fromEnv || f.url != "" }

// checkingVitally replaces the saved panel with a modal that says the check is running;
// once Slack has it, the check's report replaces it (checkVitally).
func (p *adminPanel) checkingVitally(ctx context.Context, user string) *slack.ViewSubmissionResponse {
	view := noticeView("Vitally set-up", "Settings saved. Checking the Vitally set-up…")
	view.ExternalID = "frontdesk-vitally-check-" + rand.Text()
	afterAck(ctx, func(ctx context.Context) { p.checkVitally(ctx, user, view.ExternalID) })
	return slack.NewUpdateViewSubmissionResponse(&view)
}

// checkVitally runs the sinks' set-up checks and shows the report in the modal called
// externalID. The modal may reach Slack a moment after the acknowledgement: not_found is
// tried again a few times.
func (p *adminPanel) checkVitally(ctx context.Context, user, externalID string) {
	reports, err := p.tk.CheckSetup(ctx)
	text := ""
	switch {
	case err != nil:
		p.log.Error("check the sinks' set-up", zap.Error(err))
		text = "The settings are saved, but the Vitally set-up could not be checked just now. Save again to check."
	default:
		text = setupText(reports)
	}
	view := noticeView("Vitally set-up", text)
	for attempt := 0; ; attempt++ {
		_, err := p.api.UpdateViewContext(ctx, view, externalID, "", "")
		if err == nil || slackCode(err) != "not_found" || attempt == 10 {
			if err != nil {
				p.log.Warn("show the Vitally set-up check", zap.String("user", user), zap.Error(err))
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// setupText renders set-up reports for an admin.
func setupText(reports []tickets.SetupReport) string {
	var b strings.Builder
	for _, r := range reports {
		if !r.Configured {
			continue
		}
		if r.OK() {
			b.WriteString("*" + sinkLabel(r.Sink) + " is set up.* Tickets opened from now on are synced.\n")
		} else {
			b.WriteString("*" + sinkLabel(r.Sink) + " needs attention.* The settings are saved; until this is fixed, tickets may not sync.\n")
		}
		for _, p := range r.Problems {
			b.WriteString(":x: " + esc(p) + "\n")
		}
		for _, f := range r.Found {
			b.WriteString(":white_check_mark: " + esc(f) + "\n")
		}
	}
	if b.Len() == 0 {
		return "Settings saved."
	}
	return clip(strings.TrimSpace(b.String()), maxSectionText)
}
