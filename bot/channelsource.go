package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Reactions a request's first message in a customer channel gets, for its requester to
// see where it stands.
const (
	reactionPicked = "eyes"
	reactionClosed = "white_check_mark"
)

// ChannelSource is the source of the tickets customer channels open
// (tickets.SourceSlack): agents answer in the request's thread themselves, where the
// requester wrote it (their messages need no delivery: tickets.Ticket.InThread); what
// Frontdesk tells the requester goes there too, and the request's first message shows its
// state by a reaction (👀 picked, ✅ ended).
type ChannelSource struct{ d *Desk }

// ChannelSource returns the source of the tickets customer channels open, which posts
// through d.
func (d *Desk) ChannelSource() *ChannelSource { return &ChannelSource{d: d} }

var _ tickets.Source = (*ChannelSource)(nil)

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
		return c.react(ctx, channel, thread, reactionPicked)
	case tickets.OutEnded:
		if out.Text != "" {
			if _, err := c.d.post(ctx, channel, thread, key, slack.MsgOptionText(out.Text, false)); err != nil {
				return err
			}
		}
		return c.react(ctx, channel, thread, reactionClosed)
	}
	return nil // a transfer or a hand-back changes nothing the requester sees; agents' messages are there
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
	}
	return classify("reactions.add", err)
}
