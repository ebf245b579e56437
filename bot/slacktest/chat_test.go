package slacktest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestChatPostMessage(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	tickets := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)

	t.Run("TextBlocksMetadata", func(t *testing.T) {
		card := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*New chat* from Ann", false, false), nil,
			slack.NewAccessory(slack.NewButtonBlockElement("ticket_pick", "T-1", slack.NewTextBlockObject(slack.PlainTextType, "Pick", false, false))))
		chID, ts, err := api.PostMessageContext(ctx, tickets.ID, slack.MsgOptionText("New chat", false),
			slack.MsgOptionBlocks(card), slack.MsgOptionMetadata(slack.SlackMetadata{
				EventType: "frontdesk_post", EventPayload: map[string]any{"key": "T-1/card"}}))
		must(t, err)
		if chID != tickets.ID || ts == "" {
			t.Fatalf("got %s %s", chID, ts)
		}
		msg := tickets.ExpectMessage("New chat", "from Ann")
		if msg.TS != ts || msg.User() != BotUserID {
			t.Errorf("message %s by %s, want %s by UBOT", msg.TS, msg.User(), ts)
		}
		if got := msg.Buttons(); len(got) != 1 || got[0] != "Pick" {
			t.Errorf("buttons %q", got)
		}
		if md := string(msg.Metadata()); !strings.Contains(md, `"key":"T-1/card"`) {
			t.Errorf("metadata %s", md)
		}
	})
	t.Run("ThreadAndBroadcast", func(t *testing.T) {
		_, parent, err := api.PostMessageContext(ctx, tickets.ID, slack.MsgOptionText("parent", false))
		must(t, err)
		_, _, err = api.PostMessageContext(ctx, tickets.ID, slack.MsgOptionText("in thread", false), slack.MsgOptionTS(parent))
		must(t, err)
		_, _, err = api.PostMessageContext(ctx, tickets.ID, slack.MsgOptionText("broadcast", false),
			slack.MsgOptionTS(parent), slack.MsgOptionBroadcast(), slack.MsgOptionUsername("Ann (customer)"))
		must(t, err)
		p := tickets.ExpectMessage("parent")
		p.ExpectReply("in thread")
		if r := p.ExpectReply("broadcast"); r.ThreadTS() != parent {
			t.Errorf("reply thread %s, want %s", r.ThreadTS(), parent)
		}
	})
	t.Run("UserIDPostsInDM", func(t *testing.T) {
		chID, _, err := api.PostMessageContext(ctx, alice.ID, slack.MsgOptionText("a ticket for you", false))
		must(t, err)
		if !strings.HasPrefix(chID, "D") {
			t.Errorf("channel %s, want a DM", chID)
		}
		alice.ExpectDM("a ticket for you")
	})
}

func TestChatPostMessageErrors(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	sim.AddChannel("public-without-bot", false)
	private := sim.AddChannel("private-without-bot", true)
	archived := sim.AddChannel("old", false, sim.Bot())
	ch := sim.AddChannel("tickets", false, sim.Bot())
	api := newAPI(sim)
	must(t, api.ArchiveConversationContext(ctx, archived.ID))

	button := func(text, actionID string) slack.Block {
		return slack.NewActionBlock("", slack.NewButtonBlockElement(actionID, "v", slack.NewTextBlockObject(slack.PlainTextType, text, false, false)))
	}
	section := func(n int) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", n), false, false), nil, nil)
	}
	var fifty1 []slack.Block
	for range 51 {
		fifty1 = append(fifty1, slack.NewDividerBlock())
	}
	var fields []*slack.TextBlockObject
	for range 11 {
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, "f", false, false))
	}
	for _, tc := range []struct {
		name, channel, want string
		opts                []slack.MsgOption
	}{
		{"UnknownChannel", "C404", "channel_not_found", nil},
		{"PublicNotMember", "public-without-bot", "not_in_channel", nil},
		{"PrivateNotMember", private.ID, "channel_not_found", nil},
		{"Archived", archived.ID, "is_archived", nil},
		{"NoText", ch.ID, "no_text", []slack.MsgOption{slack.MsgOptionText("", false)}},
		{"TooLong", ch.ID, "msg_too_long", []slack.MsgOption{slack.MsgOptionText(strings.Repeat("a", 40001), false)}},
		{"51Blocks", ch.ID, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(fifty1...)}},
		{"SectionText", ch.ID, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(section(3001))}},
		{"Fields", ch.ID, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewSectionBlock(nil, fields, nil))}},
		{"Header", ch.ID, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false)))}},
		{"ButtonText", ch.ID, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(button(strings.Repeat("b", 76), "a"))}},
		{"ActionID", ch.ID, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(button("ok", strings.Repeat("a", 256)))}},
		{"InvalidJSON", ch.ID, "invalid_blocks", []slack.MsgOption{slack.UnsafeMsgOptionEndpoint(sim.APIURL()+"chat.postMessage",
			func(v url.Values) { v.Set("blocks", "[{") })}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts == nil {
				opts = []slack.MsgOption{slack.MsgOptionText("hi", false)}
			}
			_, _, err := api.PostMessageContext(ctx, tc.channel, opts...)
			wantSlackError(t, err, tc.want)
		})
	}
	if n := len(sim.Calls("chat.postMessage")); n != 13 {
		t.Errorf("%d chat.postMessage calls recorded, want 13", n)
	}
}

func TestChatUpdate(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)
	_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("Pending", false))
	must(t, err)
	msg := ch.ExpectMessage("Pending")

	_, _, _, err = api.UpdateMessageContext(ctx, ch.ID, ts, slack.MsgOptionText("Processing by alice", false))
	must(t, err)
	msg.ExpectUpdate("Processing by alice")
	if msg.Text() != "Processing by alice" {
		t.Errorf("text %q", msg.Text())
	}

	_, _, _, err = api.UpdateMessageContext(ctx, ch.ID, "1.000001", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "message_not_found")
	own := alice.Post(ch, "mine")
	_, _, _, err = api.UpdateMessageContext(ctx, ch.ID, own.TS, slack.MsgOptionText("x", false))
	wantSlackError(t, err, "cant_update_message")
}

func TestChatPostEphemeralAndPermalink(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice, bob := sim.AddUser("alice"), sim.AddUser("bob")
	ch := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)

	ts, err := api.PostEphemeralContext(ctx, ch.ID, alice.ID, slack.MsgOptionText("already picked by bob", false))
	must(t, err)
	if e := alice.ExpectEphemeral("already picked"); e.TS != ts || e.Channel.ID != ch.ID {
		t.Errorf("ephemeral %+v", e)
	}
	_, err = api.PostEphemeralContext(ctx, ch.ID, bob.ID, slack.MsgOptionText("x", false))
	wantSlackError(t, err, "user_not_in_channel")

	_, msgTS, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("card", false))
	must(t, err)
	ch.ExpectMessage("card")
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch.ID, Ts: msgTS})
	must(t, err)
	if !strings.Contains(link, "/archives/"+ch.ID+"/p"+strings.ReplaceAll(msgTS, ".", "")) {
		t.Errorf("permalink %s", link)
	}
	_, err = api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch.ID, Ts: "1.1"})
	wantSlackError(t, err, "message_not_found")
}
