package bot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestAdminPanel_SLA: from the admin panel, a team's button pushes its SLA modal. What
// is written wrong comes back on its field and saves nothing; a valid policy is saved
// for that team alone, shown again when the modal opens, kept when the panel is saved,
// and removed when every field is cleared.
func TestAdminPanel_SLA(t *testing.T) {
	w := newWorkspace(t, Config{})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	w.tk.mu.Lock()
	w.tk.settings.CustomerChannels = []tickets.CustomerChannel{{Channel: "C0ACME", Team: w.support.ID}}
	w.tk.mu.Unlock()
	ada.GlobalShortcut(ShortcutAdmin)
	panelView := ada.ExpectView("Frontdesk settings", "SLAs, statuses and replies")
	ada.ClickInView(panelView, "Support Team")
	v := ada.ExpectView("SLA and statuses", "Support Team", "Targets", "Business hours", "Automatic replies")

	ack := ada.Submit(v, map[string]any{
		slaTarget + "urgent": "15m / 1h",
		slaTarget + "high":   "1h / soon / 1d",
		slaHours:             "Mars/Olympus Mon-Fri 09:00-17:00",
		slaHolidays:          "Christmas",
		slaWarn:              "150%",
		slaReopen:            "a while",
	})
	errs := ack.Errors()
	for _, block := range []string{slaTarget + "urgent", slaTarget + "high", slaHours, slaHolidays, slaWarn, slaReopen} {
		if errs[block] == "" {
			t.Errorf("no error on %s: %v", block, errs)
		}
	}
	if _, saved := w.tk.current(); saved != 0 {
		t.Fatalf("an invalid policy was saved")
	}
	// The escalation is checked by the service: its error comes back on its field.
	ack = ada.Submit(v, map[string]any{slaTarget + "urgent": "", slaTarget + "high": "", slaHours: "", slaHolidays: "", slaWarn: "", slaReopen: "",
		slaTarget + "none": "1h / - / 2d", slaEscalate: "@oncall"})
	if !strings.Contains(ack.Errors()[slaEscalate], "not a user group") {
		t.Fatalf("escalation errors: %v", ack.Errors())
	}

	ack = ada.Submit(v, map[string]any{
		slaTarget + "high":   "",
		slaTarget + "urgent": "15m / 1h / 4h",
		slaTarget + "none":   "4h / - / 3d",
		slaHours:             "Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00",
		slaHolidays:          "2026-12-24\n2026-12-25",
		slaWarn:              "80%",
		slaEscalate:          "S0ONCALL",
		slaReopen:            "2h",
		slaOptions:           []string{"Wait on the customer after each reply"},
		slaReplyIn:           "Thanks! An agent will be with you shortly.",
		slaReplyOut:          "Thanks! We are back {next_open}.",
	})
	if len(ack.Errors()) > 0 {
		t.Fatalf("a valid policy refused: %v", ack.Errors())
	}
	st, _ := w.tk.current()
	p, ok := st.SLAFor(w.support.ID)
	if !ok || len(st.SLAs) != 1 {
		t.Fatalf("policies saved: %+v", st.SLAs)
	}
	want := tickets.SLAPolicy{Team: w.support.ID, Escalation: "S0ONCALL", ReopenWindow: 2 * time.Hour, AutoWaiting: true,
		AutoReply: tickets.AutoReply{InHours: "Thanks! An agent will be with you shortly.", OutOfHours: "Thanks! We are back {next_open}."},
		SLA: tickets.SLA{WarnAt: 0.8, Targets: map[tickets.Urgency]tickets.Targets{
			tickets.UrgencyUrgent: {FirstResponse: 15 * time.Minute, NextResponse: time.Hour, Resolution: 4 * time.Hour},
			"":                    {FirstResponse: 4 * time.Hour, Resolution: 72 * time.Hour}}}}
	want.Hours, _ = tickets.ParseHours("Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00")
	want.Hours.Holidays, _ = tickets.ParseHolidays("2026-12-24 2026-12-25")
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("saved  %+v\nwant   %+v", p, want)
	}
	// The team's open tickets are timed by the saved policy at once (once the modal closed).
	w.await(t, "the team's open tickets re-timed", func() bool { return slices.Contains(w.tk.rearmedTeams(), w.support.ID) })

	// The panel saved again keeps the policy, and the customer channels it shows; the
	// modal shows the policy as saved.
	ack = ada.Submit(panelView, map[string]any{})
	if len(ack.Errors()) > 0 {
		t.Fatalf("the panel refused: %v", ack.Errors())
	}
	if st, _ := w.tk.current(); len(st.SLAs) != 1 || len(st.CustomerChannels) != 1 {
		t.Fatalf("the panel's save dropped the policy or the customer channels: %+v, %+v", st.SLAs, st.CustomerChannels)
	}
	ada.GlobalShortcut(ShortcutAdmin)
	panelView = ada.ExpectView("Frontdesk settings", "Support Team ✓")
	ada.ClickInView(panelView, "Support Team ✓")
	v = ada.ExpectView("SLA and statuses")
	for _, s := range []string{"15m / 1h / 4h", "4h / - / 3d", "Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00", "2026-12-24 2026-12-25", "80%", "2h"} {
		if !strings.Contains(string(v.Blocks()), s) {
			t.Errorf("the modal does not show %q", s)
		}
	}
	// Everything cleared: the policy goes.
	ack = ada.Submit(v, map[string]any{
		slaTarget + "urgent": "", slaTarget + "none": "", slaHours: "", slaHolidays: "", slaWarn: "", slaEscalate: "",
		slaReopen: "", slaOptions: []string{}, slaReplyIn: "", slaReplyOut: "",
	})
	if len(ack.Errors()) > 0 {
		t.Fatalf("clearing refused: %v", ack.Errors())
	}
	if st, _ := w.tk.current(); len(st.SLAs) != 0 {
		t.Errorf("cleared, the policy stays: %+v", st.SLAs)
	}
	// Not for other users.
	w.bob.GlobalShortcut(ShortcutAdmin)
	w.bob.ExpectView("Only Frontdesk admins")
}
