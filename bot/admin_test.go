package bot

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestAdminPanel: workspace admins and the users the operator names open the admin
// panel (global shortcut, App Home button); others are told it is for admins. Invalid
// input, a sink's section's included, comes back on each field that has it and saves
// nothing; valid input is saved, the section's settings under its sink's name, and with
// the section set up the panel shows the set-up check.
func TestAdminPanel(t *testing.T) {
	const eveID = "UEVE"
	w := newWorkspace(t, Config{Admins: []tickets.AgentID{eveID}, Sections: []panel.Section{fakeCRM}})
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
	v := ada.ExpectView("Frontdesk settings", "Ticketing channels", "Priority group", "Fake CRM")
	t.Run("SectionAfterThePanelsFields", func(t *testing.T) {
		ids := blockIDs(t, v.Blocks())
		cats, endpoint, token := slices.Index(ids, blockCategories), slices.Index(ids, "fake_endpoint"), slices.Index(ids, "fake_token")
		if cats < 0 || endpoint < cats || token < endpoint {
			t.Errorf("block ids %q: want the section's after %s", ids, blockCategories)
		}
	})
	t.Run("InvalidChangesNothing", func(t *testing.T) {
		ack := ada.Submit(v, map[string]any{
			teamLabel + "1": "support team", // the first row's label, in other letters
			blockPriority:   []*slacktest.User{w.bob, gus},
			blockCategories: "Product A, B",
			blockShowName:   "Yes: customers see the agent's name",
			"fake_endpoint": "ftp://crm.example",
		})
		want := map[string]string{
			teamLabel + "1": "This label is used twice.",
			blockPriority:   "<@" + gus.ID + "> is a single-channel guest and cannot join inbox channels.",
			blockCategories: "Line 1: write the category's name, a colon, then its values.",
			"fake_endpoint": "Give the endpoint as https://…",
		}
		if got := ack.Errors(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("errors = %v\nwant     %v", got, want)
		}
		if st, saved := w.tk.current(); saved != 0 || fmt.Sprint(st) != fmt.Sprint(before) {
			t.Errorf("settings saved %d times: %+v", saved, st)
		}
	})
	t.Run("SectionErrorAlone", func(t *testing.T) {
		ack := ada.Submit(v, map[string]any{
			teamLabel + "1": "Billing", blockPriority: []*slacktest.User{w.bob}, blockCategories: "",
			"fake_endpoint": "https://crm.example/api", // and no token, with none saved
		})
		want := map[string]string{"fake_token": "Paste the token."}
		if got := ack.Errors(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("errors = %v\nwant     %v", got, want)
		}
		if _, saved := w.tk.current(); saved != 0 {
			t.Errorf("settings saved %d times", saved)
		}
	})
	t.Run("ChannelWithoutTheApp", func(t *testing.T) {
		random := w.sim.AddChannel("random", false, ada)
		ada.ClickInView(v, "Add a ticketing channel")
		v.ExpectUpdate("Channel 3", "Label 3", "Remove channel 3")
		ack := ada.Submit(v, map[string]any{teamChannel + "2": random, teamLabel + "2": "Random", "fake_endpoint": ""})
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
			"fake_endpoint": "",
		})
		if len(ack.Errors()) > 0 {
			t.Fatalf("refused: %v", ack.Errors())
		}
		v.ExpectClosed() // the section is not set up: nothing to check
		st, saved := w.tk.current()
		want := tickets.Settings{
			TicketingChannels: []tickets.Team{{ChannelID: w.support.ID, Label: "Support Team"},
				{ChannelID: w.billing.ID, Label: "Billing & Accounts"}, {ChannelID: sales.ID, Label: "Sales"}},
			PriorityGroup: []tickets.AgentID{tickets.AgentID(w.bob.ID)},
			ShowAgentName: true,
			Templates:     tickets.Templates{Picked: "Hi, {agent} here!"},
			Sinks:         map[string]json.RawMessage{"fake": json.RawMessage(`{}`)},
			Categories:    []tickets.Category{{Name: "Product", Values: []string{"Request Management", "Marketing Automation"}}},
		}
		if saved != 1 || fmt.Sprintf("%#v", st) != fmt.Sprintf("%#v", want) {
			t.Errorf("saved %d times:\n%#v\nwant\n%#v", saved, st, want)
		}
		if checks := w.tk.setupChecks(); checks != 0 {
			t.Errorf("the set-up was checked %d times, want 0", checks)
		}
	})
	t.Run("SectionSetUpChecked", func(t *testing.T) {
		w.tk.mu.Lock()
		w.tk.setup = []tickets.SetupReport{{Sink: "fake", Configured: true, Found: []string{"Found the endpoint's API v2."}}}
		w.tk.mu.Unlock()
		ada.GlobalShortcut(ShortcutAdmin)
		v := ada.ExpectView("Frontdesk settings")
		ack := ada.Submit(v, map[string]any{"fake_endpoint": "https://crm.example/api", "fake_token": "tok_not_a_real_secret"})
		if len(ack.Errors()) > 0 || ack.ResponseAction() != "update" {
			t.Fatalf("ack %s %v, want the panel updated to the check", ack.ResponseAction(), ack.Errors())
		}
		v.ExpectUpdate("Fake CRM set-up", "Fake CRM is set up.", "Found the endpoint's API v2.")
		st, saved := w.tk.current()
		if want := `{"endpoint":"https://crm.example/api","token":"tok_not_a_real_secret"}`; saved != 2 || string(st.Sinks["fake"]) != want {
			t.Errorf("saved %d times, sinks %s, want fake %s", saved, st.Sinks, want)
		}
		if checks := w.tk.setupChecks(); checks != 1 {
			t.Errorf("the set-up was checked %d times, want 1", checks)
		}
	})
}

// TestAdminPanel_SectionMetadata: what a section remembers across views (that a secret
// is saved) survives adding and removing rows and comes back on submission; only the
// sections' sinks are in the settings the panel saves, so the service keeps the others'.
func TestAdminPanel_SectionMetadata(t *testing.T) {
	w := newWorkspace(t, Config{Sections: []panel.Section{fakeCRM}})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	w.tk.mu.Lock()
	w.tk.settings.Sinks = map[string]json.RawMessage{
		"fake":  json.RawMessage(`{"endpoint":"https://crm.example/api","token":"tok_saved"}`),
		"other": json.RawMessage(`{"kept":"by the service"}`),
	}
	w.tk.mu.Unlock()

	ada.GlobalShortcut(ShortcutAdmin)
	v := ada.ExpectView("Frontdesk settings", "Fake CRM")
	if md := v.PrivateMetadata(); md != "0,1|t" {
		t.Fatalf("private_metadata = %q, want the rows and the section's %q", md, "t")
	}
	ada.ClickInView(v, "Add a ticketing channel")
	awaitMetadata(t, v, "0,1,2|t")
	ada.ClickInView(v, "Remove channel 1")
	awaitMetadata(t, v, "1,2|t")

	// The token input is empty: the saved token is kept, as the metadata says one is.
	ack := ada.Submit(v, map[string]any{"fake_endpoint": "https://crm.example/v2"})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectUpdate("Fake CRM set-up", "Settings saved.")
	st, saved := w.tk.current()
	want := map[string]json.RawMessage{"fake": json.RawMessage(`{"endpoint":"https://crm.example/v2"}`)}
	if saved != 1 || sinksJSON(st.Sinks) != sinksJSON(want) {
		t.Errorf("saved %d times, sinks %s, want %s", saved, sinksJSON(st.Sinks), sinksJSON(want))
	}
}

// TestAdminPanel_Sections: several sections show in order after the panel's fields, each
// saved under its own sink; with more than one set up, the check is titled generically
// and reports each by its label.
func TestAdminPanel_Sections(t *testing.T) {
	crm, desk := fakeCRM, fakeSection{sink: "desk", label: "Fake Desk"}
	w := newWorkspace(t, Config{Sections: []panel.Section{crm, desk}})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	w.tk.mu.Lock()
	w.tk.setup = []tickets.SetupReport{
		{Sink: "fake", Configured: true},
		{Sink: "desk", Configured: true, Problems: []string{"The token cannot read tickets."}},
	}
	w.tk.mu.Unlock()

	ada.GlobalShortcut(ShortcutAdmin)
	v := ada.ExpectView("Frontdesk settings", "Fake CRM", "Fake Desk")
	ids := blockIDs(t, v.Blocks())
	if i, j, k := slices.Index(ids, blockCategories), slices.Index(ids, "fake_token"), slices.Index(ids, "desk_endpoint"); i < 0 || j < i || k < j {
		t.Errorf("block ids %q: want the panel's fields, then Fake CRM's, then Fake Desk's", ids)
	}
	if md := v.PrivateMetadata(); md != "0,1||" {
		t.Errorf("private_metadata = %q, want the rows and two empty metadata", md)
	}
	ack := ada.Submit(v, map[string]any{
		"fake_endpoint": "https://crm.example/api", "fake_token": "tok_crm",
		"desk_endpoint": "https://desk.example/api", "desk_token": "tok_desk",
	})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectUpdate("Set-up check", "Fake CRM is set up.", "Fake Desk needs attention.", "The token cannot read tickets.")
	st, _ := w.tk.current()
	want := map[string]json.RawMessage{
		"desk": json.RawMessage(`{"endpoint":"https://desk.example/api","token":"tok_desk"}`),
		"fake": json.RawMessage(`{"endpoint":"https://crm.example/api","token":"tok_crm"}`),
	}
	if sinksJSON(st.Sinks) != sinksJSON(want) {
		t.Errorf("sinks %s, want %s", sinksJSON(st.Sinks), sinksJSON(want))
	}
}

// TestAdminPanel_NoSections: without sections the panel saves no sink's settings (the
// service keeps the saved ones) and checks no set-up.
func TestAdminPanel_NoSections(t *testing.T) {
	w := newWorkspace(t, Config{})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	ada.GlobalShortcut(ShortcutAdmin)
	v := ada.ExpectView("Frontdesk settings")
	if md := v.PrivateMetadata(); md != "0,1" {
		t.Errorf("private_metadata = %q, want the rows alone", md)
	}
	if ack := ada.Submit(v, map[string]any{teamLabel + "1": "Billing & Accounts"}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectClosed()
	st, saved := w.tk.current()
	if saved != 1 || st.Sinks != nil {
		t.Errorf("saved %d times, sinks %s, want none", saved, st.Sinks)
	}
	if checks := w.tk.setupChecks(); checks != 0 {
		t.Errorf("the set-up was checked %d times, want 0", checks)
	}
}

// TestNew_Sections: a Config whose sections would save over each other's settings, or
// that has a nil one, is refused.
func TestNew_Sections(t *testing.T) {
	for name, secs := range map[string][]panel.Section{
		"Twice":  {fakeCRM, fakeSection{sink: "fake", label: "Another"}},
		"Nil":    {fakeCRM, nil},
		"NoSink": {fakeSection{label: "Nameless"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(Config{Sections: secs}, slack.New("xoxb-test"), newFakeTickets(tickets.Settings{}), &memSeen{}, nil)
			if err == nil {
				t.Error("New took them")
			}
		})
	}
}

// TestPanelMetadata: the sections' metadata come back in order; a panel opened before a
// restart that added a section carries fewer, and the missing ones are empty.
func TestPanelMetadata(t *testing.T) {
	f := adminForm{rowIDs: []int{0, 2}, sections: []panel.SectionForm{
		&fakeForm{sec: fakeCRM, tokenSaved: true}, &fakeForm{sec: fakeCRM}, &fakeForm{sec: fakeCRM, tokenSaved: true},
	}}
	md := panelMetadata(f)
	if md != "0,2|t||t" {
		t.Fatalf("panelMetadata = %q", md)
	}
	for _, tc := range []struct {
		md    string
		n     int
		rows  []int
		metas []string
	}{
		{md, 3, []int{0, 2}, []string{"t", "", "t"}},
		{"0,2|t", 3, []int{0, 2}, []string{"t", "", ""}},
		{"0,2", 2, []int{0, 2}, []string{"", ""}},
		{md, 1, []int{0, 2}, []string{"t"}},
		{"", 1, nil, []string{""}},
	} {
		rows, metas := parseMetadata(tc.md, tc.n)
		if fmt.Sprint(rows) != fmt.Sprint(tc.rows) || fmt.Sprintf("%q", metas) != fmt.Sprintf("%q", tc.metas) {
			t.Errorf("parseMetadata(%q, %d) = %v %q, want %v %q", tc.md, tc.n, rows, metas, tc.rows, tc.metas)
		}
	}
}

// blockIDs lists the block ids of a view's blocks, in order.
func blockIDs(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var blocks []struct {
		BlockID string `json:"block_id"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(blocks))
	for i, b := range blocks {
		ids[i] = b.BlockID
	}
	return ids
}

// awaitMetadata waits until v's private_metadata is want: the bot updates the view after
// it has acknowledged the click.
func awaitMetadata(t *testing.T, v *slacktest.View, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for v.PrivateMetadata() != want {
		if time.Now().After(deadline) {
			t.Fatalf("private_metadata = %q, want %q", v.PrivateMetadata(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sinksJSON shows the sinks' settings in full (printing tickets.SinkSettings hides them),
// sorted by sink.
func sinksJSON(s map[string]json.RawMessage) string {
	b, err := json.Marshal(s)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
