package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ChannelSource is the source of the tickets customer channels open
// (tickets.SourceSlack): agents answer in the request's thread themselves, where the
// requester wrote it (their messages need no delivery: tickets.Ticket.InThread); what
// Frontdesk tells the requester goes there too (the ended message, and the rating question
// with a button per mark: it carries its ratings, tickets.RatingCarrier), and the
// request's first message shows its state by a reaction (tickets.Settings.StatusReactions:
// 👀 picked, ✅ ended unless the admins chose others).
type ChannelSource struct{ d *Desk }

// ChannelSource returns the source of the tickets customer channels open, which posts
// through d.
func (d *Desk) ChannelSource() *ChannelSource { return &ChannelSource{d: d} }

var _ tickets.RatingCarrier = (*ChannelSource)(nil)

// CarriesRating reports that the rating question comes with buttons (a reply of 1 to 5
// in the thread rates as well: tickets.Service.ChannelPost).
func (c *ChannelSource) CarriesRating() bool { return true }

// Deliver tells the request's thread about out. Safe to repeat: a post carries key and a
// reaction made is not made again.
func (c *ChannelSource) Deliver(ctx context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	channel, thread, ok := tickets.SplitChannelConversation(t.ConversationID)
	if !ok {
		return tickets.Permanent(fmt.Errorf("ticket %s: %q is no customer channel's thread", t.ID, t.ConversationID))
	}
	// The desk's own posts for the same event (the inbox channel's notice) carry its id:
	// the thread's are told apart.
	key = "thread:" + key
	switch out.Kind {
	case tickets.OutAccepted:
		return c.mark(ctx, t, channel, thread, out)
	case tickets.OutEnded:
		if out.Text != "" {
			if _, err := c.d.post(ctx, channel, thread, key, slack.MsgOptionText(out.Text, false)); err != nil {
				return err
			}
		}
		if out.RatingQuestion != "" {
			if _, err := c.d.post(ctx, channel, thread, key+"/rating", ratingQuestion(out.RatingQuestion)...); err != nil {
				return err
			}
		}
		return c.mark(ctx, t, channel, thread, out)
	}
	return nil // a transfer or a hand-back changes nothing the requester sees; agents' messages are there
}

// mark shows the request's state on its first message (ts thread of channel): out.Unreact
// taken off, out.React added. A name Slack does not know (an emoji the admins set that the
// workspace does not have) is logged, and the rest of the delivery goes on.
func (c *ChannelSource) mark(ctx context.Context, t *tickets.Ticket, channel, thread string, out tickets.Outbound) error {
	if out.Unreact != "" {
		if err := c.unreact(ctx, channel, thread, out.Unreact); err != nil {
			return err
		}
	}
	if out.React == "" {
		return nil
	}
	err := c.react(ctx, channel, thread, out.React)
	if slackCode(err) == "invalid_name" {
		c.d.log.Warn("a status reaction is no emoji of this workspace: set another in the admin panel",
			zap.String("ticket", string(t.ID)), zap.String("reaction", out.React))
		return nil
	}
	return err
}

// ratingQuestion is the rating question q with a button per mark, 1 to 5 (ActionRate).
func ratingQuestion(q string) []slack.MsgOption {
	buttons := make([]slack.BlockElement, 5)
	for i := range buttons {
		n := strconv.Itoa(i + 1)
		buttons[i] = slack.NewButtonBlockElement(ActionRate+":"+n, n, plainText(n+" "+strings.Repeat("⭐", i+1)))
	}
	return []slack.MsgOption{slack.MsgOptionText(q, false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(md(esc(q)), nil, nil), slack.NewActionBlock(blockRate, buttons...))}
}

// react adds the bot's reaction name to message ts of channel, once.
func (c *ChannelSource) react(ctx context.Context, channel, ts, name string) error {
	err := c.d.api.AddReactionContext(ctx, name, slack.NewRefToMessage(channel, ts))
	if err == nil {
		return nil
	}
	switch slackCode(err) {
	case "already_reacted":
		return nil
	case "message_not_found", "channel_not_found", "is_archived", "not_in_channel":
		return nil // the message or the channel is gone, or the app left it: nothing to show it on
	case "invalid_name":
		return err // mark says so
	}
	return classify("reactions.add", err)
}

// unreact takes the bot's reaction name off message ts of channel, if it is there.
func (c *ChannelSource) unreact(ctx context.Context, channel, ts, name string) error {
	err := c.d.api.RemoveReactionContext(ctx, name, slack.NewRefToMessage(channel, ts))
	switch slackCode(err) {
	case "", "no_reaction", "invalid_name":
		return nil
	case "message_not_found", "channel_not_found", "is_archived", "not_in_channel":
		return nil
	}
	return classify("reactions.remove", err)
}
