package slacktest

import (
	"context"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestInviteDeliversJoins(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	c := startClient(t, sim, nil)
	api := newAPI(sim)
	ch, err := api.CreateConversationContext(context.Background(), slack.CreateConversationParams{ChannelName: "chat-7", IsPrivate: true})
	must(t, err)
	inbox := sim.ExpectChannelCreated("chat-7")
	joined := func() *slackevents.MemberJoinedChannelEvent {
		ev := c.next(t).Data.(slackevents.EventsAPIEvent)
		j, ok := ev.InnerEvent.Data.(*slackevents.MemberJoinedChannelEvent)
		if !ok {
			t.Fatalf("event %T", ev.InnerEvent.Data)
		}
		return j
	}
	if j := joined(); j.User != BotUserID || j.Channel != ch.ID {
		t.Errorf("creator join %+v", j)
	}
	_, err = api.InviteUsersToConversationContext(context.Background(), ch.ID, alice.ID)
	must(t, err)
	msg, _ := messageEvent(t, c.next(t))
	if msg.SubType != "channel_join" || msg.User != alice.ID {
		t.Errorf("join message %+v", msg)
	}
	if j := joined(); j.User != alice.ID || j.Inviter != BotUserID || j.ChannelType != "G" {
		t.Errorf("invite join %+v", j)
	}
	inbox.ExpectMember(alice)
}

func TestBotEventsFilter(t *testing.T) {
	sim := New(t, WithBotEvents("message.channels"))
	alice := sim.AddUser("alice")
	public := sim.AddChannel("public", false, sim.Bot(), alice)
	private := sim.AddChannel("private", true, sim.Bot(), alice)
	if alice.Post(private, "x").Envelope() != nil {
		t.Error("a message.groups event was delivered without the subscription")
	}
	if alice.Post(public, "x").Envelope() == nil {
		t.Error("no message.channels event")
	}
	if alice.OpenHome() != nil {
		t.Error("app_home_opened delivered without the subscription")
	}
}

func TestResponseActions(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	api := newAPI(sim)
	next := map[string]*slack.ViewSubmissionResponse{
		"first":  slack.NewUpdateViewSubmissionResponse(ptr(modal("Step", "updated in place"))),
		"second": slack.NewPushViewSubmissionResponse(ptr(withSubmit(modal("Confirm", "are you sure?")))),
		"third":  slack.NewClearViewSubmissionResponse(),
	}
	startClient(t, sim, func(e socketmode.Event, sc *socketmode.Client) {
		cb, _ := e.Data.(slack.InteractionCallback)
		_ = sc.Ack(*e.Request, next[cb.View.PrivateMetadata])
	})
	req := withSubmit(modal("Step", "start"))
	req.PrivateMetadata = "first"
	_, err := api.OpenViewContext(ctx, triggerFor(sim, alice), req)
	must(t, err)
	v := alice.ExpectView("start")
	if a := alice.Submit(v, nil); a.ResponseAction() != "update" {
		t.Fatalf("ack %s", a.Payload)
	}
	v.ExpectUpdate("updated in place")

	_, err = api.UpdateViewContext(ctx, withMetadata(withSubmit(modal("Step", "again")), "second"), "", "", v.ID)
	must(t, err)
	alice.Submit(v, nil)
	confirm := alice.ExpectView("are you sure?")
	_, err = api.UpdateViewContext(ctx, withMetadata(withSubmit(modal("Confirm", "sure?")), "third"), "", "", confirm.ID)
	must(t, err)
	alice.Submit(confirm, nil)
	confirm.ExpectClosed()
	v.ExpectClosed()
}

func ptr[T any](v T) *T { return &v }

func withSubmit(m slack.ModalViewRequest) slack.ModalViewRequest {
	m.Submit = text("OK")
	return m
}

func withMetadata(m slack.ModalViewRequest, md string) slack.ModalViewRequest {
	m.PrivateMetadata = md
	return m
}

func TestCloseView(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	c := startClient(t, sim, nil)
	req := modal("Live Chat Control", "Transfer")
	req.NotifyOnClose = true
	_, err := newAPI(sim).OpenViewContext(context.Background(), triggerFor(sim, alice), req)
	must(t, err)
	v := alice.ExpectView("Transfer")
	alice.CloseView(v)
	cb := c.next(t).Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewClosed || cb.View.ID != v.ID || cb.User.ID != alice.ID {
		t.Errorf("view_closed %+v", cb)
	}
	v.ExpectClosed()
}
