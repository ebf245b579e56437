package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// world is a workspace with two teams, a priority group and Frontdesk running on it.
type world struct {
	sim                    *slacktest.Sim
	alice, bob, dan, priya *slacktest.User
	support, billing       *slacktest.Channel
	src                    *customers
	vars                   map[string]string
	d                      *desk
	rdb                    redis.UniversalClient // the test's own connection to Frontdesk's Redis
	prefix                 string
}

func newWorld(t *testing.T, vars map[string]string) *world {
	client, prefix := redistest.Open(t)
	w := &world{sim: slacktest.New(t), src: &customers{}, rdb: client, prefix: prefix}
	w.alice, w.bob, w.dan, w.priya = w.sim.AddUser("alice"), w.sim.AddUser("bob"), w.sim.AddUser("dan"), w.sim.AddUser("priya")
	w.support = w.sim.AddChannel("support-tickets", false, w.sim.Bot(), w.alice, w.bob)
	w.billing = w.sim.AddChannel("billing-tickets", false, w.sim.Bot(), w.dan)
	w.vars = map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": w.support.ID + "=Support Team," + w.billing.ID + "=Billing",
		"PRIORITY_GROUP":     w.priya.ID,
	}
	for k, v := range vars {
		w.vars[k] = v
	}
	w.d = startDesk(t, w.sim, w.src, w.vars)
	return w
}

// active opens a ticket for conv and has alice pick it; it returns the card and the
// inbox channel with everything so far consumed.
func (w *world) active(t *testing.T, conv string) (*slacktest.Message, *slacktest.Channel) {
	t.Helper()
	w.d.open(t, conv, "Support Team", "Carol", "Hello")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	dm := w.priya.ExpectDM("Ticket #", "Carol")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active", "picked")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello")
	w.src.expect(t, conv+" accepted: You are now chatting")
	return card, inbox
}

// A pick whose attempt created the inbox channel and then failed (the invite) finds that
// channel again when it is retried: it was recorded as the ticket's inbox as soon as it
// was made, so the retry neither makes it again nor asks for the name, and the bot's first
// message there says who picked the ticket.
func TestPick_RetryFindsTheChannelItMade(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.d.open(t, "retry-1", "Support Team", "Carol", "Hello")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	dm := w.priya.ExpectDM("Ticket #", "Carol")
	w.sim.FailWith("conversations.invite", 1, http.StatusInternalServerError)
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMember(w.alice)
	inbox.ExpectMessage("Live chat", "Active", "picked", "<@"+w.alice.ID)
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello")
	var made, taken int
	for _, c := range w.sim.Calls("conversations.create") {
		switch c.Error {
		case "":
			made++
		case "name_taken":
			taken++
		}
	}
	if made != 1 || taken != 0 {
		t.Errorf("conversations.create made %d channels and found the name taken %d times, want 1 and 0", made, taken)
	}
}

func TestPick_SameInstant(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.d.open(t, "race-1", "Support Team", "Carol", "Hello")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	dm := w.priya.ExpectDM("Ticket #")
	w.sim.ClickAtOnce(card, "Pick", w.alice, w.bob)
	updated := card.ExpectUpdate("Processing by")
	winner, loser := w.alice, w.bob
	if strings.Contains(updated.Text(), w.bob.ID) {
		winner, loser = w.bob, w.alice
	}
	loser.ExpectEphemeral("already picked by <@" + winner.ID)
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMember(winner)
	inbox.ExpectMessage("Live chat", "<@"+winner.ID, "Active")
	inbox.ExpectMessage("Hello")
	dm.ExpectUpdate("Processing by")
	w.src.expect(t, "race-1 accepted:")
	if n := len(w.sim.Calls("conversations.create")); n != 1 {
		t.Errorf("%d inbox channels created, want 1", n)
	}
	for _, m := range inbox.Members() {
		if m == loser.ID {
			t.Errorf("the loser was invited to the inbox channel")
		}
	}
}

func TestRelay_RedeliveredEventIsNotRelayedTwice(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, inbox := w.active(t, "redo-1")
	first := w.alice.Post(inbox, "only once")
	w.src.expect(t, "redo-1 message: only once")
	first.ExpectReaction("white_check_mark")
	again := w.sim.Redeliver(first.Envelope())
	w.sim.ExpectAck(again)
	// A message after it is relayed after it (one queue per channel): if the redelivery
	// were relayed, it would come first.
	w.alice.Post(inbox, "next").ExpectReaction("white_check_mark")
	w.src.expect(t, "redo-1 message: next")
	w.src.nothingMore(t)
}

func TestRelay_SlackRateLimitsLoseNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, inbox := w.active(t, "storm-1")
	w.sim.RateLimit("chat.postMessage", 4, time.Second)
	for i := range 10 {
		w.d.customerSays(t, "storm-1", fmt.Sprintf("s-%d", i), fmt.Sprintf("storm %d", i))
	}
	for i := range 10 {
		inbox.ExpectMessage(fmt.Sprintf("storm %d", i))
	}
	// Every message was posted once: 429s were retried, nothing doubled.
	posted := map[string]int{}
	for _, m := range inbox.Messages() {
		if strings.HasPrefix(m.Text(), "storm ") {
			posted[m.Text()]++
		}
	}
	for i := range 10 {
		if n := posted[fmt.Sprintf("storm %d", i)]; n != 1 {
			t.Errorf("storm %d posted %d times", i, n)
		}
	}
	// A post Slack refused (429) certainly did not happen: its retry does not look through
	// the channel's history first (conversations.history is limited more tightly).
	for _, c := range w.sim.Calls("conversations.history") {
		if c.Params["channel"] == inbox.ID {
			t.Errorf("a retry after a 429 looked through the inbox's history: %v", c.Params)
		}
	}
}

func TestRelay_FailedDeliveryCanBeSentAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, inbox := w.active(t, "fail-1")
	w.src.failWith(tickets.Permanent(errors.New("customer blocked the chatbot")))
	msg := w.alice.Post(inbox, "can you see this?")
	msg.ExpectReaction("x")
	note := msg.ExpectReply("Not delivered", "customer blocked the chatbot")
	w.src.failWith(nil)
	w.alice.Click(note, "Send again")
	note.ExpectUpdate("Sending again")
	w.src.expect(t, "fail-1 message: can you see this?")
	msg.ExpectReaction("white_check_mark")
}

func TestRestart_MidChat(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, inbox := w.active(t, "restart-1")
	w.alice.Post(inbox, "before").ExpectReaction("white_check_mark")
	w.src.expect(t, "restart-1 message: before")

	w.d.stop(t)
	w.sim.ExpectConnections(0)
	// While Frontdesk is down the customer keeps writing; it is taken once it is back.
	w.d = startDesk(t, w.sim, w.src, w.vars)
	w.d.customerSays(t, "restart-1", "r-1", "are you still there?")
	inbox.ExpectMessage("are you still there?")
	w.alice.Post(inbox, "after").ExpectReaction("white_check_mark")
	w.src.expect(t, "restart-1 message: after")
}

func TestControl_OutsideAnInbox(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	msg := w.alice.Post(w.support, "hello team")
	w.alice.Shortcut(msg, "live_chat_control")
	w.alice.ExpectEphemeral("Live Chat Control works on messages in a live chat's inbox channel")
}

func TestAdminPanel(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := context.Background()
	t.Run("NotAnAdmin", func(t *testing.T) {
		w.bob.GlobalShortcut("frontdesk_admin")
		w.bob.ExpectView("Only Frontdesk admins")
	})
	ada := w.sim.AddUser("ada", slacktest.Admin())
	gus := w.sim.AddUser("gus", slacktest.SingleChannelGuest())
	ada.GlobalShortcut("frontdesk_admin")
	v := ada.ExpectView("Frontdesk settings", "Ticketing channels")
	t.Run("SingleChannelGuestRefused", func(t *testing.T) {
		ack := ada.Submit(v, map[string]any{"admin_priority": []string{w.priya.ID, gus.ID}})
		if why := ack.Errors()["admin_priority"]; !strings.Contains(why, "single-channel guest") {
			t.Fatalf("errors = %v, want the guest refused on the priority group", ack.Errors())
		}
		st, _ := w.d.Service().Settings(ctx)
		if len(st.PriorityGroup) != 1 {
			t.Errorf("settings changed: %+v", st)
		}
	})
	t.Run("Saved", func(t *testing.T) {
		ack := ada.Submit(v, map[string]any{
			"admin_priority": []string{w.priya.ID, w.dan.ID}, "admin_show_name": "Yes: customers see the agent's name",
			"admin_team_label_1": "Billing & Accounts", "admin_tpl_picked": "Hi, {agent} here!",
		})
		if len(ack.Errors()) > 0 {
			t.Fatalf("refused: %v", ack.Errors())
		}
		st, err := w.d.Service().Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.PriorityGroup) != 2 || !st.ShowAgentName || st.TicketingChannels[1].Label != "Billing & Accounts" ||
			st.Templates.Picked != "Hi, {agent} here!" {
			t.Errorf("saved %+v", st)
		}
		// The next pick uses them at once.
		w.d.open(t, "admin-1", "", "Carol", "Hi")
		card := w.support.ExpectMessage("Ticket #")
		w.priya.ExpectDM("Ticket #")
		w.dan.ExpectDM("Ticket #")
		w.alice.Click(card, "Pick")
		w.src.expect(t, "admin-1 accepted: Hi, Alice here!") // show agent name is on now
		w.sim.DiscardUnexpected()
	})
}

func TestPriorityWindow_Reminds(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{"PRIORITY_WINDOW": "1s"})
	w.d.open(t, "wait-1", "Support Team", "Carol", "Hello?")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	w.priya.ExpectDM("Ticket #")
	card.ExpectReply("<!channel>", "still waiting")
}

func TestFirstStart_CreatesDefaultChannels(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	d := startDesk(t, sim, &customers{}, map[string]string{"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix})
	sup := sim.ExpectChannelCreated("frontdesk-support")
	tech := sim.ExpectChannelCreated("frontdesk-technical")
	waitFor(t, func() bool {
		st, err := d.Service().Settings(context.Background())
		return err == nil && len(st.TicketingChannels) == 2
	})
	st, _ := d.Service().Settings(context.Background())
	if st.TicketingChannels[0] != (tickets.Team{ChannelID: sup.ID, Label: "Support Team"}) ||
		st.TicketingChannels[1] != (tickets.Team{ChannelID: tech.ID, Label: "Technical Team"}) {
		t.Errorf("saved teams %+v", st.TicketingChannels)
	}
}

func TestCard_HugeCustomer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	long := strings.Repeat("very long value ", 150)
	fields := map[string]string{}
	for i := range 80 {
		fields[fmt.Sprintf("field-%02d", i)] = long[:1900]
	}
	_, _, err := w.d.Service().Open(context.Background(), tickets.OpenRequest{
		Source: "webhook", ConversationID: "huge-1", Summary: long,
		Customer: tickets.Customer{Name: long[:1900], Email: "x@example.com", Fields: fields},
		First:    &tickets.Message{Text: long},
	})
	if err != nil {
		t.Fatal(err)
	}
	card := w.support.ExpectMessage("Ticket #")
	w.priya.ExpectDM("Ticket #")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "field-00")
	inbox.ExpectMessage(long[:100])
	w.sim.DiscardUnexpected()
}

func TestSocketMode_Reconnects(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, inbox := w.active(t, "drop-1")
	w.sim.DropConnections()
	w.sim.ExpectConnections(1) // slack-go dials again by itself
	w.alice.Post(inbox, "after the drop").ExpectReaction("white_check_mark")
	w.src.expect(t, "drop-1 message: after the drop")
}

func TestAdminPanel_AddAndRemoveTeams(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ada := w.sim.AddUser("ada", slacktest.Owner())
	sales := w.sim.AddChannel("sales-tickets", true, w.sim.Bot(), ada)
	notJoined := w.sim.AddChannel("random", false, ada)
	ada.GlobalShortcut("frontdesk_admin")
	v := ada.ExpectView("Frontdesk settings")
	rows := func(n int) {
		t.Helper()
		// The ack comes before the bot updates the modal: wait for the update to land.
		waitFor(t, func() bool {
			return strings.Contains(v.Text(), fmt.Sprintf("Channel %d", n)) && !strings.Contains(v.Text(), fmt.Sprintf("Channel %d", n+1))
		})
		v.ExpectUpdate(fmt.Sprintf("Channel %d", n))
	}
	ada.ClickInView(v, "Add a ticketing channel")
	rows(3)
	ada.ClickInView(v, "Remove channel 2") // Billing
	rows(2)
	// A channel the app is not in is refused on its row.
	// (Rows keep their block ids: the new row is admin_team_*_2, shown as "Channel 2".)
	ack := ada.Submit(v, map[string]any{"Channel 2": notJoined.ID, "Label 2": "Random"})
	if why := ack.Errors()["admin_team_channel_2"]; !strings.Contains(why, "Add the Frontdesk app") {
		t.Fatalf("errors = %v", ack.Errors())
	}
	ack = ada.Submit(v, map[string]any{"Channel 2": sales.ID, "Label 2": "Sales"})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	st, err := w.d.Service().Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []tickets.Team{{ChannelID: w.support.ID, Label: "Support Team"}, {ChannelID: sales.ID, Label: "Sales"}}
	if fmt.Sprint(st.TicketingChannels) != fmt.Sprint(want) {
		t.Errorf("teams = %v, want %v", st.TicketingChannels, want)
	}
}

func TestControl_HandBackToTheSource(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, _, err := w.d.Service().Open(context.Background(), tickets.OpenRequest{
		Source: "helpdesk", ConversationID: "hd-1", Customer: tickets.Customer{Name: "Hal"},
		First: &tickets.Message{Text: "Refund please"},
	})
	if err != nil {
		t.Fatal(err)
	}
	card := w.support.ExpectMessage("Ticket #", "Hal")
	w.priya.ExpectDM("Ticket #")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Refund please")
	w.src.expect(t, "hd-1 accepted:")
	msg := w.alice.Post(inbox, "Passing you to billing staff")
	w.src.expect(t, "hd-1 message: Passing you to billing staff")
	msg.ExpectReaction("white_check_mark")
	w.alice.Shortcut(msg, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	if !strings.Contains(string(v.Blocks()), "Hand back to helpdesk") {
		t.Fatal("Live Chat Control does not offer the hand-back")
	}
	if ack := w.alice.Submit(v, map[string]any{"lcc_action": "Hand back to helpdesk", "lcc_reason": "refunds are theirs"}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by", "handed back to helpdesk: refunds are theirs")
	inbox.ExpectMessage("handed the chat back to helpdesk")
	inbox.ExpectArchived()
	w.src.expect(t, "hd-1 handed_back:")
	w.src.nothingMore(t)      // no "ended" message: the chat goes on at the helpdesk
	w.sim.DiscardUnexpected() // the priority group's copy of the card is updated too
}

func TestRelay_FilesReachTheCustomer(t *testing.T) {
	t.Parallel()
	// PUBLIC_URL must be known before Frontdesk listens: take a free port first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	w := newWorld(t, map[string]string{"HTTP_ADDR": addr, "PUBLIC_URL": "http://" + addr})
	_, inbox := w.active(t, "file-1")
	pdf := []byte("%PDF-1.4 the invoice")
	msg := w.alice.Share(inbox, "Here is your invoice", "invoice.pdf", "application/pdf", pdf)
	w.src.expect(t, "file-1 message: Here is your invoice")
	msg.ExpectReaction("white_check_mark")
	files := w.src.attachments()
	if len(files) != 1 || files[0].Name != "invoice.pdf" || files[0].MIME != "application/pdf" || files[0].Size != int64(len(pdf)) ||
		!strings.HasPrefix(files[0].URL, "http://"+addr+"/files/") {
		t.Fatalf("attachments = %+v", files)
	}
	// The customer opens the link without any Slack login.
	res, err := http.Get(files[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET link = %d %q (%s)", res.StatusCode, body, res.Header.Get("Content-Type"))
	}
	// A link that was tampered with opens nothing.
	bad := files[0].URL[:len(files[0].URL)-3] + "abc"
	if code, _ := get(t, addr, strings.TrimPrefix(bad, "http://"+addr)); code != http.StatusNotFound {
		t.Errorf("tampered link = %d, want 404", code)
	}
	if n := w.sim.FileDownloads(msg.Files()[0].ID); n != 1 {
		t.Errorf("%d downloads from Slack, want 1", n)
	}
}

func TestPick_InboxNameTaken(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.sim.AddChannel("chat-1-carol", true, w.bob) // someone else's channel has the name
	_, inbox := w.active(t, "taken-1")
	if inbox.Name != "chat-1-carol-2" {
		t.Errorf("inbox channel %q, want chat-1-carol-2", inbox.Name)
	}
}

func TestAdminPanel_OperatorAdminsAndRefusedMembers(t *testing.T) {
	t.Parallel()
	eve := "UEVE"
	w := newWorld(t, map[string]string{"ADMIN_USER_IDS": eve})
	ops := w.sim.AddUser("eve") // a plain member, named an admin by the operator
	if ops.ID != eve {
		t.Fatalf("the simulator named eve %s", ops.ID)
	}
	robot := w.sim.AddUser("robot", slacktest.BotUser())
	gone := w.sim.AddUser("gone", slacktest.Deactivated())
	ops.GlobalShortcut("frontdesk_admin")
	v := ops.ExpectView("Frontdesk settings")
	for _, tc := range []struct {
		user *slacktest.User
		want string
	}{{robot, "is a bot"}, {gone, "is deactivated"}} {
		ack := ops.Submit(v, map[string]any{"admin_priority": []string{tc.user.ID}})
		if why := ack.Errors()["admin_priority"]; !strings.Contains(why, tc.want) {
			t.Errorf("%s in the priority group: errors %v, want %q", tc.user.ID, ack.Errors(), tc.want)
		}
	}
}

// TestPick_OnlyThoseWhoMayWork: someone outside the ticketing channel (it is public, so
// they can see the card) and a single-channel guest are refused Pick and the Details
// form; a member picks as usual.
func TestPick_OnlyThoseWhoMayWork(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	gus := w.sim.AddUser("gus", slacktest.SingleChannelGuest())
	tk := w.d.open(t, "auth-1", "Support Team", "Carol", "Hello")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	w.priya.ExpectDM("Ticket #")

	w.dan.Click(card, "Pick") // dan works in Billing: not in the channel, told in a modal
	w.dan.ExpectView("Only members of")
	gus.Click(card, "Pick")
	gus.ExpectView("Single-channel guests cannot work tickets")
	w.dan.Click(card, "Details")
	w.dan.ExpectView("Only members of")
	got, err := w.d.Service().Get(context.Background(), tk.ID)
	if err != nil || got.Status != tickets.StatusPending {
		t.Fatalf("after refused picks: %+v, %v", got, err)
	}
	w.bob.Click(card, "Pick")
	card.ExpectUpdate("Processing by <@" + w.bob.ID)
	w.sim.DiscardUnexpected()
}

// TestAdminPanel_SubmitChecksAdmin: the admin check is made on submit too: a forged
// admin panel submission from a member is refused and saves nothing.
func TestAdminPanel_SubmitChecksAdmin(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	before, _ := w.d.Service().Settings(context.Background())
	ack := w.sim.DeliverInteraction(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": w.bob.ID, "name": "bob"},
		"view": map[string]any{"id": "VFORGED", "type": "modal", "callback_id": "admin_panel", "private_metadata": "0|",
			"state": map[string]any{"values": map[string]any{
				"admin_team_channel_0": map[string]any{"value": map[string]any{"type": "conversations_select", "selected_conversation": w.billing.ID}},
				"admin_team_label_0":   map[string]any{"value": map[string]any{"type": "plain_text_input", "value": "Hijacked"}},
				"admin_priority":       map[string]any{"value": map[string]any{"type": "multi_users_select", "selected_users": []string{w.bob.ID}}},
			}}},
	})
	if why := ack.Errors()["admin_team_channel_0"]; !strings.Contains(why, "Only Frontdesk admins") {
		t.Fatalf("errors = %v, want the member refused", ack.Errors())
	}
	after, _ := w.d.Service().Settings(context.Background())
	if after.TicketingChannels[0] != before.TicketingChannels[0] || len(after.PriorityGroup) != len(before.PriorityGroup) {
		t.Errorf("a forged submission changed the settings: %+v", after)
	}
}
