package slacktest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func text(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// TestClickRoundTrip is a Pick button clicked by a user, handled the way the bot does:
// ack, update the card, open a modal with the trigger.
func TestClickRoundTrip(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)
	c := startClient(t, sim, func(e socketmode.Event, sc *socketmode.Client) {
		_ = sc.Ack(*e.Request)
		cb, ok := e.Data.(slack.InteractionCallback)
		if !ok || cb.Type != slack.InteractionTypeBlockActions {
			return
		}
		_, _, _, err := api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs,
			slack.MsgOptionText("Processing by <@"+cb.User.ID+">", false), slack.MsgOptionBlocks())
		check(t, err)
		_, err = api.OpenViewContext(ctx, cb.TriggerID, slack.ModalViewRequest{Type: slack.VTModal, Title: text("Ticket T-1"),
			Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(text("Picked"), nil, nil)}}})
		check(t, err)
	})
	pick := slack.NewButtonBlockElement("ticket_pick", "T-1", text("Pick")).WithStyle(slack.StylePrimary)
	_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("New chat", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(text("New chat from Ann"), nil, nil), slack.NewActionBlock("card_actions", pick)))
	must(t, err)
	card := ch.ExpectMessage("New chat from Ann")
	if got := card.Buttons(); len(got) != 1 || got[0] != "Pick" {
		t.Fatalf("buttons %q", got)
	}
	c.next(t) // the echo of the card

	ack := alice.Click(card, "Pick")
	e := c.next(t)
	cb := e.Data.(slack.InteractionCallback)
	acts := cb.ActionCallback.BlockActions
	if len(acts) != 1 || acts[0].ActionID != "ticket_pick" || acts[0].Value != "T-1" || acts[0].BlockID != "card_actions" ||
		cb.User.ID != alice.ID || cb.Channel.ID != ch.ID || cb.Container.Type != "message" ||
		cb.Container.MessageTs != card.TS || cb.Message.Timestamp != card.TS || cb.TriggerID == "" ||
		cb.Team.ID != TeamID || cb.APIAppID != AppID || !e.Request.AcceptsResponsePayload {
		t.Errorf("block_actions %+v", cb)
	}
	if ack.EnvelopeID != e.Request.EnvelopeID {
		t.Errorf("ack %+v", ack)
	}
	card.ExpectUpdate("Processing by <@UALICE>")
	if len(card.Buttons()) != 0 {
		t.Errorf("buttons after the update %q", card.Buttons())
	}
	alice.ExpectView("Ticket T-1", "Picked")
}

// TestViewSubmission fills every kind of input and sees the app's response_action.
func TestViewSubmission(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice, bob := sim.AddUser("alice", Admin()), sim.AddUser("bob")
	tickets := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)
	var got map[string]map[string]slack.BlockAction
	c := startClient(t, sim, func(e socketmode.Event, sc *socketmode.Client) {
		cb, _ := e.Data.(slack.InteractionCallback)
		switch cb.Type {
		case slack.InteractionTypeShortcut:
			_ = sc.Ack(*e.Request)
			_, err := api.OpenViewContext(ctx, cb.TriggerID, adminModal())
			check(t, err)
		case slack.InteractionTypeViewSubmission:
			got = cb.View.State.Values
			if len(got["reason"]["value"].Value) < 10 {
				_ = sc.Ack(*e.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"reason": "Say more"}))
				return
			}
			_ = sc.Ack(*e.Request)
		default:
			_ = sc.Ack(*e.Request)
		}
	})

	alice.GlobalShortcut("frontdesk_admin")
	if cb := c.next(t).Data.(slack.InteractionCallback); cb.CallbackID != "frontdesk_admin" || cb.TriggerID == "" {
		t.Errorf("shortcut %+v", cb)
	}
	v := alice.ExpectView("Admin panel")
	ack := alice.Submit(v, map[string]any{
		"reason": "short", "Team": "Support", "Agents": []*User{alice, bob}, "Channel": tickets,
		"Flags": []string{"Show agent name"}, "mode": "Transfer",
	})
	c.next(t)
	if ack.ResponseAction() != "errors" || ack.Errors()["reason"] != "Say more" || !v.IsOpen() {
		t.Fatalf("first ack %s, open %v", ack.Payload, v.IsOpen())
	}
	ack = alice.Submit(v, map[string]any{"Reason": "a longer reason"}) // the rest as entered before
	c.next(t)
	if ack.ResponseAction() != "" {
		t.Errorf("second ack %s", ack.Payload)
	}
	v.ExpectClosed()
	want := map[string]bool{
		"reason":  got["reason"]["value"].Value == "a longer reason",
		"team":    got["team"]["value"].SelectedOption.Value == "support",
		"agents":  strings.Join(got["agents"]["value"].SelectedUsers, ",") == "UALICE,UBOB",
		"channel": got["channel"]["value"].SelectedConversation == tickets.ID,
		"flags":   len(got["flags"]["value"].SelectedOptions) == 1 && got["flags"]["value"].SelectedOptions[0].Value == "show",
		"mode":    got["mode"]["value"].SelectedOption.Value == "transfer",
		"note":    got["note"]["value"].Value == "" && got["note"]["value"].Type == "plain_text_input",
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("%s = %+v", k, got[k])
		}
	}
}

func adminModal() slack.ModalViewRequest {
	input := func(id, label string, el slack.BlockElement) *slack.InputBlock {
		return slack.NewInputBlock(id, text(label), nil, el)
	}
	opt := func(value, label string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(value, text(label), nil)
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: text("Admin panel"), Submit: text("Save"), CallbackID: "admin_panel",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			input("reason", "Reason", slack.NewPlainTextInputBlockElement(nil, "value")),
			input("team", "Team", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "value", opt("sales", "Sales"), opt("support", "Support"))),
			input("agents", "Agents", slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, nil, "value")),
			input("channel", "Channel", slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, nil, "value")),
			input("flags", "Flags", slack.NewCheckboxGroupsBlockElement("value", opt("show", "Show agent name"))),
			input("mode", "Mode", slack.NewRadioButtonsBlockElement("value", opt("end", "End"), opt("transfer", "Transfer"))),
			input("note", "Note", slack.NewPlainTextInputBlockElement(nil, "value")).WithOptional(true),
		}},
	}
}

func TestShortcutAndHome(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	inbox := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	api := newAPI(sim)
	c := startClient(t, sim, nil)
	msg := alice.Post(inbox, "customer says hi")
	c.next(t)

	alice.Shortcut(msg, "live_chat_control")
	cb := c.next(t).Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "live_chat_control" || cb.Channel.ID != inbox.ID ||
		cb.MessageTs != msg.TS || cb.Message.Timestamp != msg.TS || cb.Message.User != alice.ID || cb.TriggerID == "" {
		t.Errorf("message_action %+v", cb)
	}

	_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: alice.ID, View: slack.HomeTabViewRequest{
		Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewActionBlock("home", slack.NewButtonBlockElement("admin_open", "", text("Open admin panel"))),
		}}}})
	must(t, err)
	home := alice.ExpectHome("Open admin panel")
	alice.OpenHome()
	ev := c.next(t).Data.(slackevents.EventsAPIEvent)
	opened, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || opened.User != alice.ID || opened.Tab != "home" || opened.View == nil || opened.View.ID != home.ID {
		t.Errorf("app_home_opened %+v", ev.InnerEvent.Data)
	}
	alice.ClickInHome("Open admin panel")
	cb = c.next(t).Data.(slack.InteractionCallback)
	if cb.Container.Type != "view" || cb.Container.ViewID != home.ID || cb.View.ID != home.ID ||
		cb.ActionCallback.BlockActions[0].ActionID != "admin_open" {
		t.Errorf("home click %+v", cb)
	}
}

func TestInteractiveAckDeadline(t *testing.T) {
	ft := &fakeTB{TB: t}
	sim := New(ft, WithAckDeadline(100*time.Millisecond))
	alice := sim.AddUser("alice")
	startClient(t, sim, func(socketmode.Event, *socketmode.Client) {}) // never acks
	alice.GlobalShortcut("frontdesk_admin")
	if errs := ft.errors(); len(errs) != 1 || !strings.Contains(errs[0], "did not ack") {
		t.Errorf("failures %q", errs)
	}
	ft.cleanup()
}
