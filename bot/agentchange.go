package bot

import (
	"context"
	"errors"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// agentChange is the change a message_changed or message_deleted event says a person
// made to their message: an edit of its text, or its deletion
// (https://docs.slack.dev/reference/events/message/message_changed and
// .../message_deleted). Bots' messages (Frontdesk's own posts among them) and changes that
// leave the text as it was (a link unfurled, a reply counted) are none. Slack's example
// of message_deleted carries no previous_message: without it the deleted message may be
// an agent's message or a note (takeAgentChange tries both).
func (b *Bot) agentChange(ev *slackevents.MessageEvent) (tickets.MessageChange, bool) {
	prev := ev.PreviousMessage
	if prev != nil && (prev.BotID != "" || prev.User == b.self.userID) {
		return tickets.MessageChange{}, false
	}
	c := tickets.MessageChange{Direction: tickets.FromAgent}
	switch ev.SubType {
	case slack.MsgSubTypeMessageChanged:
		now := ev.Message
		if now == nil || now.BotID != "" || now.User == "" || now.User == b.self.userID || now.Timestamp == "" ||
			prev != nil && now.Text == prev.Text {
			return tickets.MessageChange{}, false
		}
		c.SourceMessageID, c.Text = now.Timestamp, now.Text
		if now.ThreadTimestamp != "" && now.ThreadTimestamp != now.Timestamp {
			c.Direction = tickets.Internal // a note
		}
		if c.Text == "" {
			c.Delete = true // an edit that left no text (a message of files whose text went)
		}
	case slack.MsgSubTypeMessageDeleted:
		if ev.DeletedTimeStamp == "" {
			return tickets.MessageChange{}, false
		}
		c.SourceMessageID, c.Delete = ev.DeletedTimeStamp, true
		switch {
		case prev == nil:
			c.Direction = "" // either
		case prev.ThreadTimestamp != "" && prev.ThreadTimestamp != c.SourceMessageID:
			c.Direction = tickets.Internal
		}
	default:
		return tickets.MessageChange{}, false
	}
	return c, true
}

// takeAgentChange hands c to the ticket service, retrying while it cannot answer, as
// takeAgentMessage does. A message the service never took (in a channel that is no
// inbox, a message for Frontdesk, one written before the pick) is let be.
func (b *Bot) takeAgentChange(ctx context.Context, channel string, c tickets.MessageChange) {
	dirs := []tickets.Direction{c.Direction}
	if c.Direction == "" {
		dirs = []tickets.Direction{tickets.FromAgent, tickets.Internal}
	}
	var err error
	for _, d := range dirs {
		c.Direction = d
		err = retryUnanswered(ctx, b.log, "agent change", channel, func() error {
			_, err := b.tk.AgentChange(ctx, channel, c)
			return err
		})
		if !errors.Is(err, tickets.ErrNotFound) {
			break
		}
	}
	switch {
	case err == nil, errors.Is(err, tickets.ErrNotFound):
	case errors.Is(err, tickets.ErrInvalid):
		b.log.Info("agent change not taken", zap.String("channel", channel), zap.Error(err))
	default:
		b.log.Error("agent change", zap.String("channel", channel), zap.Error(err))
	}
}
