package bot

import (
	"fmt"
	"testing"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestAdminPanel: workspace admins and the users the operator names open the admin
// panel (global shortcut, App Home button); others are told it is for admins. Invalid
// input comes back on each field that has it and saves nothing; valid input is saved,
// and with Vitally set up the panel shows the set-up check.
func TestAdminPanel(t *testing.T) {
	const eveID = "UEVE"
	w := newWorkspace(t, Config{Admins: []tickets.AgentID{eveID}})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	eve := w.sim.AddUser("eve") // a plain member, named an admin by the operator
	gus := w.sim.AddUser("gus", slacktest.SingleChannelGuest())
	if eve.ID != eveID {
		t.Fatalf("the simulator named eve %s", eve.ID)
	}
	before, _ := w.tk.current()

	t.Run("NotAnAdmin", func(t *testing.T) {
		w.bob.OpenHome()
		w.bob.ExpectHome("Settings are changed by Frontdesk admins.")
		w.bob.GlobalShortcut(ShortcutAdmin)
		w.bob.ExpectView("Only Frontdesk admins")
	})
	t.Run("OperatorsAdminFromAppHome", func(t *testing.T) {
		eve.OpenHome()
		eve.ExpectHome("Support Team", "Billing", "Open admin panel")
		eve.ClickInHome("Open admin panel")
		v := eve.ExpectView("Frontdesk settings", "Channel 1", "Channel 2")
		eve.CloseView(v)
	})

	ada.GlobalShortcut(ShortcutAdmin)
	v := ada.ExpectView("Frontdesk settings", "Ticketing channels", "Priority group", "Vitally")
	t.Run("InvalidChangesNothing", func(t *testing.T) {
		ack := ada.Submit(v, map[string]any{
			teamLabel + "1":    "support team", // the first row's label, in other letters
			blockPriority:      []*slacktest.User{w.bob, gus},
			blockCategories:    "Product A, B",
			blockShowName:      "Yes: customers see the agent's name",
			blockVitallyURL:    "ftp://acme.rest.vitally.io",
			blockVitallyObject: "Frontdesk Requests",
		})
		want := map[string]string{
			teamLabel + "1": "This label is used twice.",
			blockPriority:   "<@" + gus.ID + "> is a single-channel guest and cannot join inbox channels.",
			blockCategories: "Line 1: write the category's name, a colon, then its values.",
			blockVitallyURL: "Give the URL as https://<subdomain>.rest.vitally.io (US) or https://rest.vitally-eu.io (EU).",
		}
		if got := ack.Errors(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("errors = %v\nwant     %v", got, want)
		}
		if st, saved := w.tk.current(); saved != 0 || fmt.Sprint(st) != fmt.Sprint(before) {
			t.Errorf("settings saved %d times: %+v", saved, st)
		}
	})
	t.Run("ChannelWithoutTheApp", func(t *testing.T) {
		random := w.sim.AddChannel("random", false, ada)
		ada.ClickInView(v, "Add a ticketing channel")
		v.ExpectUpdate("Channel 3", "Label 3", "Remove channel 3")
		ack := ada.Submit(v, map[string]any{teamChannel + "2": random, teamLabel + "2": "Random"})
		if why := ack.Errors()[teamChannel+"2"]; why != "Add the Frontdesk app to this channel first (/invite @Frontdesk in the channel)." {
			t.Errorf("errors = %v, want the channel refused", ack.Errors())
		}
		if _, saved := w.tk.current(); saved != 0 {
			t.Errorf("settings saved %d times", saved)
		}
	})
	t.Run("Saved", func(t *testing.T) {
		sales := w.sim.AddChannel("sales-tickets", true, w.sim.Bot(), ada)
		ack := ada.Submit(v, map[string]any{
			teamChannel + "2": sales, teamLabel + "2": "Sales",
			teamLabel + "1": "Billing & Accounts", blockPriority: []*slacktest.User{w.bob}, blockShowName: "Yes: customers see the agent's name",
			blockCategories: "Product: Request Management, Marketing Automation", blockPicked: "Hi, {agent} here!",
			blockVitallyURL: "", blockVitallyObject: "",
		})
		if len(ack.Errors()) > 0 {
			t.Fatalf("refused: %v", ack.Errors())
		}
		v.ExpectClosed()
		st, saved := w.tk.current()
		want := tickets.Settings{
			TicketingChannels: []tickets.Team{{ChannelID: w.support.ID, Label: "Support Team"},
				{ChannelID: w.billing.ID, Label: "Billing & Accounts"}, {ChannelID: sales.ID, Label: "Sales"}},
			PriorityGroup: []tickets.AgentID{tickets.AgentID(w.bob.ID)},
			ShowAgentName: true,
			Templates:     tickets.Templates{Picked: "Hi, {agent} here!"},
			Categories:    []tickets.Category{{Name: "Product", Values: []string{"Request Management", "Marketing Automation"}}},
			Vitally:       tickets.Vitally{PushNew: true, UpdateExisting: true, FromPanel: true},
		}
		if saved != 1 || fmt.Sprintf("%#v", st) != fmt.Sprintf("%#v", want) {
			t.Errorf("saved %d times:\n%#v\nwant\n%#v", saved, st, want)
		}
	})
	t.Run("VitallySetUpChecked", func(t *testing.T) {
		w.tk.mu.Lock()
		w.tk.setup = []tickets.SetupReport{{Sink: "vitally", Configured: true, Found: []string{"Found the custom object Frontdesk Requests."}}}
		w.tk.mu.Unlock()
		ada.GlobalShortcut(ShortcutAdmin)
		v := ada.ExpectView("Frontdesk settings")
		ack := ada.Submit(v, map[string]any{blockVitallyURL: "https://acme.rest.vitally.io", blockVitallySecret: "sk_test_not_a_real_secret"})
		if len(ack.Errors()) > 0 || ack.ResponseAction() != "update" {
			t.Fatalf("ack %s %v, want the panel updated to the check", ack.ResponseAction(), ack.Errors())
		}
		v.ExpectUpdate("Vitally set-up", "Vitally is set up.", "Found the custom object Frontdesk Requests.")
		st, saved := w.tk.current()
		if saved != 2 || st.Vitally.APIURL != "https://acme.rest.vitally.io" || st.Vitally.Secret != "sk_test_not_a_real_secret" {
			t.Errorf("saved %d times, Vitally %v", saved, st.Vitally)
		}
		w.tk.mu.Lock()
		defer w.tk.mu.Unlock()
		if w.tk.checks != 1 {
			t.Errorf("the set-up was checked %d times, want 1", w.tk.checks)
		}
	})
}
