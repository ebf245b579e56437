package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// pick handles a click on Pick: the ticket service decides the one winner; a late
// clicker is told who has it. The card and the inbox channel follow through the outbox.
func (b *Bot) pick(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	id := tickets.ID(a.Value)
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	t, err := b.tk.Get(ctx, id)
	if err == nil {
		if why := b.workProblem(ctx, cb.User.ID, t, t.Team.ChannelID); why != "" {
			b.log.Info("pick refused", zap.String("ticket", string(id)), zap.String("user", cb.User.ID))
			b.refuse(ctx, cb, channel, why)
			return
		}
	}
	agent := b.users.agent(ctx, cb.User.ID)
	if err == nil {
		_, err = b.tk.Pick(ctx, id, agent)
	}
	if err == nil {
		b.log.Info("picked", zap.String("ticket", string(id)), zap.String("agent", cb.User.ID))
		return
	}
	var text string
	if by, ok := tickets.IsAlreadyPicked(err); ok {
		if by.ID == agent.ID {
			return // a double click by the winner
		}
		text = fmt.Sprintf("This ticket was already picked by %s.", mention(by.ID))
	} else {
		switch {
		case errors.Is(err, tickets.ErrClosed):
			text = "This ticket is closed."
		case errors.Is(err, tickets.ErrNotFound):
			text = "This ticket no longer exists."
		default:
			b.log.Error("pick", zap.String("ticket", string(id)), zap.Error(err))
			text = "The ticket could not be picked just now; please try again."
		}
	}
	b.ephemeral(ctx, channel, cb.User.ID, "", text)
}
