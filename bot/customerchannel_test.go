package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestCustomerChannels: in a customer channel shared with another organisation, its
// people's messages reach the ticket service as requesters' (named, with their
// organisation's name) and ours as agents'; in an internal customer channel, members of
// the team's ticketing channel and the priority group answer and everyone else asks.
// Bots' messages and other channels' reach nothing; a message mentioning the app is a
// request like any other, which the app does not answer.
func TestCustomerChannels(t *testing.T) {
	w := newWorkspace(t, Config{})
	dana := w.sim.AddUser("dana", slacktest.External("TACME"), slacktest.RealName("Dana Scully"))
	erin := w.sim.AddUser("erin")
	helper := w.sim.AddUser("helper", slacktest.BotUser())
	shared := w.sim.AddChannel("acme-support", false, w.sim.Bot(), w.alice, dana)
	w.sim.ShareChannel(shared, "TACME")
	w.sim.SetTeamName("TACME", "Acme Corp")
	internal := w.sim.AddChannel("ask-billing", false, w.sim.Bot(), w.dan, erin, w.alice, helper)
	other := w.sim.AddChannel("random", false, w.sim.Bot(), erin)
	w.tk.mu.Lock()
	w.tk.settings.CustomerChannels = []tickets.CustomerChannel{
		{Channel: shared.ID, Team: w.support.ID}, {Channel: internal.ID, Team: w.billing.ID}}
	w.tk.settings.PriorityGroup = []tickets.AgentID{tickets.AgentID(w.alice.ID)}
	w.tk.mu.Unlock()

	q := dana.Post(shared, "Our export fails")
	dana.Reply(q, "here is the log")
	w.alice.Reply(q, "Looking")
	dana.Post(shared, "<@"+slacktest.BotUserID+"> can you help?") // a request, not a question for the app
	erin.Post(other, "lunch?")
	helper.Post(internal, "deploy done")
	erin.Post(internal, "Invoice 42 is wrong")
	w.dan.Post(internal, "on it")
	w.alice.Post(internal, "me too")
	w.await(t, "seven posts taken", func() bool { return len(w.tk.channelPosts()) >= 7 })

	posts := w.tk.channelPosts()
	type seen struct {
		channel, text, requester, org, agent string
		reply                                bool
	}
	var got []seen
	for _, p := range posts {
		s := seen{channel: p.Channel, text: p.Text, agent: string(p.Agent.ID), reply: p.ThreadTS != ""}
		if p.Requester != nil {
			s.requester, s.org = p.Requester.Name, p.Requester.Fields["organisation"]
		}
		got = append(got, s)
	}
	want := []seen{
		{channel: shared.ID, text: "Our export fails", requester: "Dana Scully", org: "Acme Corp"},
		{channel: shared.ID, text: "here is the log", requester: "Dana Scully", org: "Acme Corp", reply: true},
		{channel: shared.ID, text: "Looking", agent: w.alice.ID, reply: true},
		{channel: shared.ID, text: "<@" + slacktest.BotUserID + "> can you help?", requester: "Dana Scully", org: "Acme Corp"},
		{channel: internal.ID, text: "Invoice 42 is wrong", requester: "Erin"},
		{channel: internal.ID, text: "on it", agent: w.dan.ID},
		{channel: internal.ID, text: "me too", agent: w.alice.ID},
	}
	// In order within each channel (the channels are worked apart).
	byChannel := func(ss []seen, ch string) (out []seen) {
		for _, s := range ss {
			if s.channel == ch {
				out = append(out, s)
			}
		}
		return out
	}
	for _, ch := range []string{shared.ID, internal.ID} {
		g, wt := byChannel(got, ch), byChannel(want, ch)
		if len(g) != len(wt) {
			t.Fatalf("posts in %s = %+v\nwant %+v", ch, g, wt)
		}
		for i := range wt {
			if g[i] != wt[i] {
				t.Errorf("post %d in %s = %+v, want %+v", i, ch, g[i], wt[i])
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("posts = %+v, want only those of the customer channels", got)
	}
	for _, p := range posts {
		if p.Text == "Our export fails" && (p.TS != q.TS || p.At.IsZero()) || p.Text == "here is the log" && p.ThreadTS != q.TS {
			t.Errorf("ids: %+v", p)
		}
	}
}

// TestConnectSharedChannel: whoever invites the app to a channel shared with another
// organisation is offered, by direct message, to take its requests for a team; an
// admin's click connects it (and the offer says so), anyone else's is refused. An
// internal channel, or one connected already, gets no offer.
func TestConnectSharedChannel(t *testing.T) {
	w := newWorkspace(t, Config{})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	dana := w.sim.AddUser("dana", slacktest.External("TACME"))
	shared := w.sim.AddChannel("acme-support", false, ada, w.bob, dana)
	w.sim.ShareChannel(shared, "TACME")
	internal := w.sim.AddChannel("internal-help", false, ada)

	w.bob.Invite(shared, w.sim.Bot())
	offer := w.bob.ExpectDM("shared with another organisation", "Support Team", "Billing")
	w.bob.Click(offer, "Billing")
	w.bob.ExpectEphemeral("Only workspace admins")
	if st, _ := w.tk.current(); len(st.CustomerChannels) != 0 {
		t.Fatalf("a non-admin's click connected the channel: %+v", st.CustomerChannels)
	}
	other := w.sim.AddChannel("globex-support", false, ada)
	w.sim.ShareChannel(other, "TGLOBEX")
	ada.Invite(other, w.sim.Bot())
	offer = ada.ExpectDM("shared with another organisation", "Support Team", "Billing")
	ada.Click(offer, "Billing")
	offer.ExpectUpdate("now go to *Billing*")
	st, _ := w.tk.current()
	if len(st.CustomerChannels) != 1 || st.CustomerChannels[0] != (tickets.CustomerChannel{Channel: other.ID, Team: w.billing.ID}) {
		t.Fatalf("customer channels = %+v", st.CustomerChannels)
	}

	ada.Invite(internal, w.sim.Bot()) // not shared: no offer (the sim fails the test on an unexpected DM)
	w.sim.ExpectAck(w.sim.LastEnvelope())
}

// TestAdminPanel_CustomerChannels: the admin panel lists the customer channels one a
// line, saves them as written (a channel as Slack pastes it, the team by its label, the
// customer's name, domain and grouping window), and says on the field what is wrong.
func TestAdminPanel_CustomerChannels(t *testing.T) {
	w := newWorkspace(t, Config{})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	ada.GlobalShortcut(ShortcutAdmin)
	v := ada.ExpectView("Frontdesk settings", "Customer channels")
	for text, want := range map[string]string{
		"C0ACME = nobody":                        "no team above",
		"C0ACME":                                 "write the channel's id",
		"C0ACME = Billing | Acme | acme | 5m":    "not an email domain",
		"C0ACME = Billing | Acme | acme.com | x": "no duration",
		w.support.ID + " = Billing":              "ticketing channel",
	} {
		ack := ada.Submit(v, map[string]any{blockCustomers: text})
		if got := ack.Errors()[blockCustomers]; !strings.Contains(got, want) {
			t.Errorf("%q: error %q, want one saying %q", text, got, want)
		}
	}
	if _, saved := w.tk.current(); saved != 0 {
		t.Fatal("a wrong customer channel was saved")
	}
	ack := ada.Submit(v, map[string]any{blockCustomers: "<#C0ACME|acme-support> = billing | Acme Corp | Acme.com | 10m\n\nC0HELP = Support Team"})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	st, _ := w.tk.current()
	want := []tickets.CustomerChannel{
		{Channel: "C0ACME", Team: w.billing.ID, Customer: "Acme Corp", Domain: "acme.com", Grouping: 10 * time.Minute},
		{Channel: "C0HELP", Team: w.support.ID}}
	if !slices.Equal(st.CustomerChannels, want) {
		t.Fatalf("saved %+v\nwant  %+v", st.CustomerChannels, want)
	}
	ada.GlobalShortcut(ShortcutAdmin)
	again := ada.ExpectView("Frontdesk settings", "Customer channels")
	if shown := string(again.Blocks()); !strings.Contains(shown, `C0ACME = Billing | Acme Corp | acme.com | 10m\nC0HELP = Support Team`) {
		t.Errorf("the panel shows the customer channels as %s", shown[strings.Index(shown, blockCustomers):][:300])
	}
}

// TestAdminPanel_GreetingsAndReactions: the admin panel shows the greetings (the built-in
// ones until others are set) and the status reactions, saves them as written (colons
// around an emoji's name taken off), refuses on the field what cannot be one, and keeps
// them when another field is saved.
func TestAdminPanel_GreetingsAndReactions(t *testing.T) {
	w := newWorkspace(t, Config{})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	ada.GlobalShortcut(ShortcutAdmin)
	v := ada.ExpectView("Frontdesk settings", "Greetings and thanks", "Reaction when a request is picked")
	if shown := string(v.Blocks()); !strings.Contains(shown, strings.Join(tickets.DefaultGreetings[:3], ", ")) {
		t.Errorf("the panel does not show the built-in greetings: %s", shown[strings.Index(shown, blockGreetings):][:300])
	}
	for _, c := range []struct {
		field, text, block, want string
	}{
		{blockReactPick, "two words", blockReactPick, "emoji's name"},
		{blockReactClose, ":tada", blockReactClose, "emoji's name"},
		{blockGreetings, "hi, ,,  " + strings.Repeat("x", 81), blockGreetings, "at most 80 characters"},
	} {
		ack := ada.Submit(v, map[string]any{c.field: c.text})
		if got := ack.Errors()[c.block]; !strings.Contains(got, c.want) {
			t.Errorf("%s %q: error %q, want one saying %q", c.field, c.text, got, c.want)
		}
	}
	if _, saved := w.tk.current(); saved != 0 {
		t.Fatal("a wrong greeting or reaction was saved")
	}
	ack := ada.Submit(v, map[string]any{blockGreetings: "hi, yo\ncheers mate", blockReactPick: " :Raising_Hand: ", blockReactClose: "thumbsup::skin-tone-3"})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	st, _ := w.tk.current()
	if !slices.Equal(st.Greetings, []string{"hi", "yo", "cheers mate"}) ||
		st.StatusReactions != (tickets.StatusReactions{Picked: "raising_hand", Closed: "thumbsup::skin-tone-3"}) {
		t.Fatalf("saved greetings %q, reactions %+v", st.Greetings, st.StatusReactions)
	}
	// Saved again untouched: the same; the built-in list written back is no list of its own.
	ada.GlobalShortcut(ShortcutAdmin)
	again := ada.ExpectView("Frontdesk settings", "Greetings and thanks")
	if ack := ada.Submit(again, nil); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	if st2, _ := w.tk.current(); !slices.Equal(st2.Greetings, st.Greetings) || st2.StatusReactions != st.StatusReactions {
		t.Fatalf("saving the panel unchanged changed greetings %q → %q, reactions %+v → %+v", st.Greetings, st2.Greetings, st.StatusReactions, st2.StatusReactions)
	}
	ada.GlobalShortcut(ShortcutAdmin)
	again = ada.ExpectView("Frontdesk settings", "Greetings and thanks")
	if ack := ada.Submit(again, map[string]any{blockGreetings: strings.Join(tickets.DefaultGreetings, ", "), blockReactPick: ""}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	if st3, _ := w.tk.current(); st3.Greetings != nil || st3.StatusReactions.Picked != "" {
		t.Fatalf("the built-in greetings and an emptied reaction saved as %q, %+v", st3.Greetings, st3.StatusReactions)
	}
}
