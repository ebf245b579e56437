package bot

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// setupCheck is what the set-up check's modal says it is about.
type setupCheck struct {
	title   string            // the modal's title
	subject string            // what is checked, in a sentence: "the Vitally set-up"
	labels  map[string]string // the sections' labels by sink name, for the report
}

// newSetupCheck describes the check run after a save that set up the configured
// sections: named after the section when there is one, so that the admin sees at once
// what is being checked, and generic when there are several.
func (p *adminPanel) newSetupCheck(configured []panel.Section) setupCheck {
	c := setupCheck{title: "Set-up check", subject: "the set-up", labels: make(map[string]string, len(p.sections))}
	for _, sec := range p.sections {
		c.labels[sec.Sink()] = sec.Label()
	}
	if len(configured) == 1 {
		label := configured[0].Label()
		c.title, c.subject = label+" set-up", "the "+esc(label)+" set-up"
	}
	return c
}

// checkingSetup replaces the saved panel with a modal that says the check of the
// configured sections' sinks is running; once Slack has it, the check's report replaces
// it (checkSetup).
func (p *adminPanel) checkingSetup(ctx context.Context, user string, configured []panel.Section) *slack.ViewSubmissionResponse {
	c := p.newSetupCheck(configured)
	view := noticeView(c.title, "Settings saved. Checking "+c.subject+"…")
	view.ExternalID = "frontdesk-setup-check-" + rand.Text()
	afterAck(ctx, func(ctx context.Context) { p.checkSetup(ctx, user, view.ExternalID, c) })
	return slack.NewUpdateViewSubmissionResponse(&view)
}

// checkSetup runs the sinks' set-up checks and shows the report in the modal called
// externalID. The modal may reach Slack a moment after the acknowledgement: not_found is
// tried again a few times.
func (p *adminPanel) checkSetup(ctx context.Context, user, externalID string, c setupCheck) {
	reports, err := p.tk.CheckSetup(ctx)
	text := ""
	switch {
	case err != nil:
		p.log.Error("check the sinks' set-up", zap.Error(err))
		text = "The settings are saved, but " + c.subject + " could not be checked just now. Save again to check."
	default:
		text = setupText(reports, c.labels)
	}
	view := noticeView(c.title, text)
	for attempt := 0; ; attempt++ {
		_, err := p.api.UpdateViewContext(ctx, view, externalID, "", "")
		if err == nil || slackCode(err) != "not_found" || attempt == 10 {
			if err != nil {
				p.log.Warn("show the set-up check", zap.String("user", user), zap.Error(err))
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

// setupText renders set-up reports for an admin. A sink is named by its section's label
// in labels, the name admins saw in the panel, or else as cards name it.
func setupText(reports []tickets.SetupReport, labels map[string]string) string {
	var b strings.Builder
	for _, r := range reports {
		if !r.Configured {
			continue
		}
		name := sinkLabel(r.Sink)
		if label, ok := labels[r.Sink]; ok {
			name = esc(label)
		}
		if r.OK() {
			b.WriteString("*" + name + " is set up.* Tickets opened from now on are synced.\n")
		} else {
			b.WriteString("*" + name + " needs attention.* The settings are saved; until this is fixed, tickets may not sync.\n")
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
