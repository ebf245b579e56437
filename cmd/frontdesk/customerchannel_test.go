package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestCustomerChannel: a channel shared with a customer's organisation (Slack Connect) is
// a customer channel of the support team (CUSTOMER_CHANNELS). Its person's greeting
// opens nothing; their question opens ticket #1, whose card names their organisation; a
// quick follow-up joins it. An agent picks it: no inbox channel, the question shows 👀,
// the two agents answer in its thread (the first response) and the customer replies
// there, all in the transcript, the agent's note under the card as a note; Live Chat
// Control on the thread ends it, which tells the thread (the rating question's buttons
// count the requester's click only) and marks the question ✅. A 🎫 reaction and the
// Create ticket shortcut make any message a request.
func TestCustomerChannel(t *testing.T) {
	t.Parallel()
	sim := slacktest.New(t)
	alice := sim.AddUser("alice")
	bob := sim.AddUser("bob")
	dana := sim.AddUser("dana", slacktest.External("TACME"), slacktest.RealName("Dana Scully"))
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice, bob)
	shared := sharedWithAcme(sim, alice, bob, dana)
	sim.SetTeamName("TACME", "Acme Corp")
	d := startDesk(t, sim, &customers{}, onRedis(t, map[string]string{
		"TICKETING_CHANNELS": support.ID + "=Support Team",
		"CUSTOMER_CHANNELS":  shared.ID + "=support team",
		"RATING_WINDOW":      "1h",
	}))

	dana.Post(shared, "Hi everyone :wave:")
	question := dana.Post(shared, "Our export fails with a 500")
	card := support.ExpectMessage("Ticket #1", "Our export fails with a 500", "Dana Scully", "Acme Corp",
		"<#"+shared.ID+">", "/archives/"+shared.ID+"/p"+strings.ReplaceAll(question.TS, ".", "")+"|the request>")
	followUp := dana.Post(shared, "and the logs say timeout") // joins it (the card's thread stays the team's own)

	// Picked, it is answered in its thread: no inbox channel.
	alice.Click(card, "Pick")
	card.ExpectUpdate("Processing by <@" + alice.ID)
	question.ExpectReaction("eyes")
	alice.Reply(question, "Looking into it")
	note := alice.Reply(card, "a known bug, see INC-12") // under the card: the team's note
	bob.Reply(question, "I can confirm it")              // the other agent answers too
	idReply := dana.Reply(question, "Thanks, here is the request id: 42")
	alice.Post(shared, "(unrelated) lunch at noon?") // an agent's top-level message: no answer
	ctx := context.Background()
	var tk *tickets.Ticket
	waitFor(t, func() bool {
		var err error
		tk, err = d.Service().ChannelTicket(ctx, shared.ID, question.TS, "")
		msgs, _ := d.Service().Transcript(ctx, tk.ID)
		return err == nil && len(msgs) == 6
	})
	msgs, _ := d.Service().Transcript(ctx, tk.ID)
	var got, notes []string
	for _, m := range msgs {
		if m.Direction == tickets.Internal {
			notes = append(notes, m.Text) // the card's thread and the customer's are worked apart
			continue
		}
		got = append(got, string(m.Direction)+": "+m.Text)
	}
	want := []string{"customer: Our export fails with a 500", "customer: and the logs say timeout",
		"agent: Looking into it", "agent: I can confirm it", "customer: Thanks, here is the request id: 42"}
	if !slices.Equal(got, want) || !slices.Equal(notes, []string{"a known bug, see INC-12"}) { // before its edit
		t.Errorf("transcript = %q and notes %q, want %q and the note", got, notes, want)
	}
	if tk.Inbox != "" || tk.Responded.IsZero() || tk.Assignee.ID != tickets.AgentID(alice.ID) {
		t.Errorf("inbox %q, first response at %v, assignee %q", tk.Inbox, tk.Responded, tk.Assignee.ID)
	}

	// Edits and deletions in the thread reach the transcript.
	dana.Edit(idReply, "Thanks, here is the request id: 43")
	dana.Delete(followUp)
	alice.Edit(note, "a known bug, see INC-13")
	waitFor(t, func() bool {
		msgs, _ := d.Service().Transcript(ctx, tk.ID)
		edited, deleted, noted := false, false, false
		for _, m := range msgs {
			edited = edited || m.Text == "Thanks, here is the request id: 43" && !m.EditedAt.IsZero()
			deleted = deleted || m.Deleted && m.Direction == tickets.FromCustomer
			noted = noted || m.Direction == tickets.Internal && m.Text == "a known bug, see INC-13"
		}
		return edited && deleted && noted
	})

	// Live Chat Control works on the card and on the thread: a status from the card, then
	// ending from the thread, which tells the thread and marks it ✅.
	alice.Shortcut(card, "live_chat_control")
	v := alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "Waiting on customer"}); len(ack.Errors()) > 0 {
		t.Fatalf("waiting refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Waiting on customer")
	alice.Shortcut(question, "live_chat_control")
	v = alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "End the live chat"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by")
	question.ExpectReply("ended")
	rating := question.ExpectReply("from 1 (poor) to 5")
	question.ExpectReaction("white_check_mark")
	// The rating question's buttons: only the requester's click counts (the customer's
	// organisation's people click buttons of the app in a Slack Connect channel).
	alice.Click(rating, "5 ⭐⭐⭐⭐⭐")
	alice.ExpectEphemeral("Only the person who asked")
	dana.Click(rating, "4 ⭐⭐⭐⭐")
	rating.ExpectUpdate("Rated ⭐⭐⭐⭐ (4/5)")
	card.ExpectUpdate("*Rating:* ★★★★☆ 4/5")
	// A reply of 1 to 5 in the thread rates too (and replaces the rating).
	dana.Reply(question, "5")
	card.ExpectUpdate("*Rating:* ★★★★★ 5/5")
	waitFor(t, func() bool {
		got, err := d.Service().Get(ctx, tk.ID)
		return err == nil && got.CSAT != nil && got.CSAT.Rating == 5
	})

	// Thanks alone open nothing; a 🎫 on them makes them a request all the same.
	thanks := dana.Post(shared, "Thanks a lot!")
	alice.React(thanks, "ticket")
	support.ExpectMessage("Ticket #2", "Thanks a lot!", "Dana Scully")
	// An agent's own message opens nothing; the Create ticket shortcut makes it a request,
	// and opens its details for the agent.
	heads := alice.Post(shared, "Heads-up: the export is slow for everyone today")
	alice.Shortcut(heads, "create_ticket")
	support.ExpectMessage("Ticket #3", "Heads-up: the export is slow", "Alice")
	alice.ExpectView("Ticket details")
}

// TestCustomerChannel_Internal: an internal channel where colleagues ask the technical
// team. Someone outside the team asks: a ticket; a team member answers in the thread
// (the first response); a greeting opens nothing, even with custom greetings set.
func TestCustomerChannel_Internal(t *testing.T) {
	t.Parallel()
	sim := slacktest.New(t)
	alice := sim.AddUser("alice")
	erin := sim.AddUser("erin", slacktest.RealName("Erin Sales"))
	tech := sim.AddChannel("tech-tickets", false, sim.Bot(), alice)
	ask := sim.AddChannel("ask-tech", false, sim.Bot(), alice, erin)
	d := startDesk(t, sim, &customers{}, onRedis(t, map[string]string{
		"TICKETING_CHANNELS": tech.ID + "=Technical Team",
		"CUSTOMER_CHANNELS":  ask.ID + "=Technical Team",
		"GREETINGS":          "hi, hello, moin",
	}))
	// The team shows a request picked with an emoji of its own.
	ctx := context.Background()
	st, err := d.Service().Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.StatusReactions.Picked = "raising_hand"
	if err := d.Service().UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	erin.Post(ask, "Moin!")
	q := erin.Post(ask, "Can someone reset the staging database?")
	card := tech.ExpectMessage("Ticket #1", "Can someone reset the staging database?", "Erin Sales")
	alice.Post(ask, "FYI: deploy at 5") // a team member's own message: no request
	alice.Reply(q, "On it")
	waitFor(t, func() bool {
		tk, err := d.Service().ChannelTicket(ctx, ask.ID, q.TS, "")
		return err == nil && !tk.Responded.IsZero()
	})
	alice.Click(card, "Pick")
	card.ExpectUpdate("Processing by <@" + alice.ID)
	q.ExpectReaction("raising_hand")
	open, _ := d.Service().Queues(ctx, tickets.AgentID(alice.ID))
	if n := len(open.Mine); n != 1 {
		t.Errorf("alice has %d tickets, want 1 (a greeting or a team member's message made one)", n)
	}
}

// TestCustomerChannel_TransferReopen: two agents of two teams in a shared channel. The
// support agent picks the request and transfers it from its thread; the technical agent
// picks it from the new card, answers in the thread and ends it; the customer writing in
// the thread again within the reopen window reopens the same ticket, with the same agent.
func TestCustomerChannel_TransferReopen(t *testing.T) {
	t.Parallel()
	sim := slacktest.New(t)
	alice := sim.AddUser("alice")
	bob := sim.AddUser("bob")
	dana := sim.AddUser("dana", slacktest.External("TACME"), slacktest.RealName("Dana Scully"))
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	tech := sim.AddChannel("tech-tickets", false, sim.Bot(), bob)
	shared := sharedWithAcme(sim, alice, bob, dana)
	d := startDesk(t, sim, &customers{}, onRedis(t, map[string]string{
		"TICKETING_CHANNELS": support.ID + "=Support Team," + tech.ID + "=Technical Team",
		"CUSTOMER_CHANNELS":  shared.ID + "=Support Team",
		"REOPEN_WINDOW":      "Technical Team: 1h",
	}))
	question := dana.Post(shared, "The API returns 500 on /export")
	card := support.ExpectMessage("Ticket #1", "The API returns 500 on /export")
	alice.Click(card, "Pick")
	card.ExpectUpdate("Processing by <@" + alice.ID)
	question.ExpectReaction("eyes")

	alice.Shortcut(question, "live_chat_control")
	v := alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "Transfer to another team", "lcc_team": "Technical Team"}); len(ack.Errors()) > 0 {
		t.Fatalf("transfer refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Transferred to Technical Team")
	card2 := tech.ExpectMessage("Ticket #1", "The API returns 500 on /export", "Pending")
	bob.Click(card2, "Pick")
	card2.ExpectUpdate("Processing by <@" + bob.ID)
	bob.Reply(question, "Fixed in 2.3.1")
	bob.Shortcut(question, "live_chat_control")
	v = bob.ExpectView("Live Chat Control")
	if ack := bob.Submit(v, map[string]any{"lcc_action": "End the live chat"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card2.ExpectUpdate("Closed by")
	question.ExpectReply("ended")
	question.ExpectReaction("white_check_mark")

	// Within the reopen window, the customer's next reply reopens the same ticket, which
	// takes its ✅ off.
	dana.Reply(question, "It fails again since this morning")
	card2.ExpectUpdate("Processing by <@" + bob.ID)
	waitFor(t, func() bool { return slices.Equal(question.Reactions(), []string{"eyes"}) })
	ctx := context.Background()
	tk, err := d.Service().ChannelTicket(ctx, shared.ID, question.TS, "")
	if err != nil || tk.Number != 1 || tk.Status != tickets.StatusActive || tk.Assignee.ID != tickets.AgentID(bob.ID) {
		t.Fatalf("after the customer wrote again: %+v, %v", tk, err)
	}
}

// TestCustomerChannel_CatchUp: Frontdesk stops with two of a customer's messages on the
// wire (Slack sends them again only 10 s later): a new request, and a reply in an open
// request's thread. Started again, it reads them back from the channel's history at once:
// the request is a ticket and the reply is in the other's transcript; nothing taken
// before is taken again, nor are the two when Slack sends them at last.
func TestCustomerChannel_CatchUp(t *testing.T) {
	t.Parallel()
	sim := slacktest.New(t, slacktest.WithRetryDelay(10*time.Second))
	alice := sim.AddUser("alice")
	dana := sim.AddUser("dana", slacktest.External("TACME"))
	erin := sim.AddUser("erin", slacktest.External("TACME"))
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	shared := sharedWithAcme(sim, alice, dana, erin)
	vars := onRedis(t, map[string]string{
		"TICKETING_CHANNELS": support.ID + "=Support Team",
		"CUSTOMER_CHANNELS":  shared.ID + "=Support Team",
	})
	d := startDesk(t, sim, &customers{}, vars)
	question := dana.Post(shared, "Our export fails with a 500")
	support.ExpectMessage("Ticket #1", "Our export fails")
	alice.Reply(question, "Looking into it")
	ctx := context.Background()
	transcript := func(d *desk) []string {
		tk, err := d.Service().ChannelTicket(ctx, shared.ID, question.TS, "")
		if err != nil {
			return nil
		}
		msgs, _ := d.Service().Transcript(ctx, tk.ID)
		var texts []string
		for _, m := range msgs {
			texts = append(texts, m.Text)
		}
		return texts
	}
	waitFor(t, func() bool { return len(transcript(d)) == 2 })

	held := []<-chan struct{}{
		sim.HoldInFlight(func(e *slacktest.Envelope) bool { return strings.Contains(string(e.Payload), "the request id is 42") }),
		sim.HoldInFlight(func(e *slacktest.Envelope) bool { return strings.Contains(string(e.Payload), "SSO is down") }),
	}
	lost := []*slacktest.Message{
		dana.Reply(question, "the request id is 42"),
		erin.Post(shared, "Another thing: SSO is down for us"), // another person's: a request of its own
	}
	for _, h := range held {
		select {
		case <-h:
		case <-time.After(hangGuard):
			t.Fatal("the simulator never held the message")
		}
	}
	d.stop(t)

	began := time.Now()
	d = startDesk(t, sim, &customers{}, vars)
	support.ExpectMessage("Ticket #2", "SSO is down")
	waitFor(t, func() bool { return len(transcript(d)) == 3 })
	if since := time.Since(began); since > 9*time.Second {
		t.Fatalf("read back after %v: not by the catch-up, by Slack's sending again", since)
	}
	// Slack sends both again at last: taken already.
	for _, m := range lost {
		waitFor(t, func() bool { return sentAgainAndAcked(sim, m.Envelope().EventID) })
	}
	time.Sleep(time.Second) // anything taken twice would show by now
	if got := transcript(d); !slices.Equal(got, []string{"Our export fails with a 500", "Looking into it", "the request id is 42"}) {
		t.Fatalf("transcript after the catch-up: %q", got)
	}
	open, _ := d.Service().OpenThreads(ctx)
	if n := len(open[shared.ID]); n != 2 {
		t.Errorf("%d open requests in the channel, want 2: %v", n, open)
	}
	for _, m := range support.Messages() {
		if strings.Contains(m.Text(), "Ticket #3") {
			t.Fatalf("a message taken twice opened a third ticket: %q", m.Text())
		}
	}
}

// sharedWithAcme is #acme-support with the app and members in it, shared with Acme's
// organisation (team TACME).
func sharedWithAcme(sim *slacktest.Sim, members ...*slacktest.User) *slacktest.Channel {
	ch := sim.AddChannel("acme-support", false, append([]*slacktest.User{sim.Bot()}, members...)...)
	sim.ShareChannel(ch, "TACME")
	return ch
}

// onRedis is vars with the variables that put Frontdesk on a key prefix of its own in the
// tests' Redis.
func onRedis(t *testing.T, vars map[string]string) map[string]string {
	client, prefix := redistest.Open(t)
	vars["REDIS_URL"], vars["REDIS_PREFIX"] = redisURL(t, client), prefix
	return vars
}
