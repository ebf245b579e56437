package slacktest

import (
	"context"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// pickBot is a toy app, enough to show the DSL: it posts a card with Pick; the first
// click wins a private channel, later clicks get an ephemeral.
type pickBot struct {
	t      *testing.T
	api    *slack.Client
	mu     sync.Mutex
	picked string
}

func (b *pickBot) handle(e socketmode.Event, sc *socketmode.Client) {
	_ = sc.Ack(*e.Request) // ack first, work after
	cb, ok := e.Data.(slack.InteractionCallback)
	if !ok || cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	ctx := context.Background()
	b.mu.Lock()
	winner := b.picked == ""
	if winner {
		b.picked = cb.User.ID
	}
	by := b.picked
	b.mu.Unlock()
	if !winner {
		_, err := b.api.PostEphemeralContext(ctx, cb.Channel.ID, cb.User.ID, slack.MsgOptionText("Already picked by <@"+by+">", false))
		check(b.t, err)
		return
	}
	ch, err := b.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "chat-1-ann", IsPrivate: true})
	check(b.t, err)
	_, err = b.api.InviteUsersToConversationContext(ctx, ch.ID, by)
	check(b.t, err)
	_, _, _, err = b.api.UpdateMessageContext(ctx, cb.Channel.ID, cb.Container.MessageTs,
		slack.MsgOptionText("Processing by <@"+by+">", false), slack.MsgOptionBlocks())
	check(b.t, err)
}

func TestStoryTwoAgentsPickAtOnce(t *testing.T) {
	sim := New(t)
	alice, bob := sim.AddUser("alice"), sim.AddUser("bob")
	tickets := sim.AddChannel("tickets", false, sim.Bot(), alice, bob)
	bot := &pickBot{t: t, api: newAPI(sim)}
	startClient(t, sim, bot.handle)
	_, _, err := bot.api.PostMessageContext(context.Background(), tickets.ID, slack.MsgOptionText("New chat from Ann", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(text("New chat from Ann — Pending"), nil,
			slack.NewAccessory(slack.NewButtonBlockElement("ticket_pick", "1", text("Pick"))))))
	must(t, err)

	card := tickets.ExpectMessage("New chat from Ann", "Pending")
	sim.ClickAtOnce(card, "Pick", alice, bob)

	card.ExpectUpdate("Processing by")
	inbox := sim.ExpectChannelCreated("chat-1-")
	winner, loser := alice, bob
	if card.Text() == "Processing by <@UBOB>" {
		winner, loser = bob, alice
	}
	inbox.ExpectMember(winner)
	loser.ExpectEphemeral("Already picked by <@" + winner.ID + ">")
	if len(sim.Calls("conversations.create")) != 1 {
		t.Errorf("%d channels created", len(sim.Calls("conversations.create")))
	}
}
