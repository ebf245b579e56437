package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Reactions that mark an agent's message.
const (
	reactionDelivered = "white_check_mark"
	reactionFailed    = "x"
)

// The ✅ marks keep to Slack's pace for reactions.add, a Tier 3 method: "50+ per minute"
// per app and workspace, "sporadic bursts are welcome"
// (https://docs.slack.dev/apis/web-api/rate-limits; the method's tier is on
// https://docs.slack.dev/reference/methods/reactions.add). Marks are cumulative (a ✅
// stands for the messages of its chat before it, tickets.Latest), so a chat whose marks
// wait gets one for its latest message when its turn comes, and going faster would only
// draw 429s. A ❌ does not wait for them: failures are few, and each must be seen.
const (
	marksPerMinute = 50
	marksBurst     = 10
)

// MarkDelivery reacts to the agent's message with a check mark once the customer got it
// (at the pace above), or with a cross and a thread reply offering to send it again when
// it could not be delivered. A change of the message the customer could not get (the
// source cannot change a message, or gave up) is said in a thread reply.
func (d *Desk) MarkDelivery(ctx context.Context, id tickets.ID, inbox string, ev tickets.Event, key string) error {
	m := ev.Message
	if m == nil || m.SourceMessageID == "" {
		return nil
	}
	if ev.Type == tickets.EventFailed && ev.Failed == tickets.EventChanged {
		// The message reached the customer; its change did not.
		text, thread := ":warning: "+esc(clip(ev.Reason, 500)), m.SourceMessageID
		if m.Deleted {
			// Under the message it would hang from a deleted one: said in the channel.
			thread = ""
			text = fmt.Sprintf(":warning: The message you deleted (sent <!date^%d^{date_short_pretty} at {time}|%s>): %s",
				m.At.Unix(), m.At.UTC().Format("2006-01-02 15:04 UTC"), esc(clip(ev.Reason, 500)))
		}
		_, err := d.post(ctx, inbox, thread, key, slack.MsgOptionText(text, false))
		if slackCode(err) == "is_archived" {
			return nil
		}
		return err
	}
	ref := slack.NewRefToMessage(inbox, m.SourceMessageID)
	name := reactionDelivered
	if ev.Type == tickets.EventFailed {
		name = reactionFailed
	} else if err := d.marks.Wait(ctx); err != nil {
		return err
	}
	err := d.api.AddReactionContext(ctx, name, ref)
	switch slackCode(err) {
	case "already_reacted":
	case "message_not_found", "channel_not_found", "is_archived":
		return nil // the message or the channel is gone: nothing left to mark
	default:
		if err != nil {
			return classify("reactions.add", err)
		}
	}
	if ev.Type != tickets.EventFailed {
		return nil
	}
	text := ":x: Not delivered to the customer: " + esc(clip(ev.Reason, 300))
	retry := slack.NewButtonBlockElement(ActionRetry, retryValue(id, m.ID), plainText("Send again"))
	_, err = d.post(ctx, inbox, m.SourceMessageID, key,
		slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(md(text), nil, nil), slack.NewActionBlock("delivery", retry)))
	return err
}

func retryValue(id tickets.ID, messageID string) string { return string(id) + " " + messageID }

// retryDelivery sends a failed agent message again when its Send again button is pressed.
func (b *Bot) retryDelivery(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	id, msgID, _ := strings.Cut(a.Value, " ")
	_, err := b.tk.RetryDelivery(ctx, tickets.ID(id), msgID, b.users.agent(ctx, cb.User.ID))
	var why string
	switch {
	case err == nil:
		_, _, _, err := b.api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs,
			slack.MsgOptionText(":hourglass_flowing_sand: Sending again…", false), slack.MsgOptionBlocks())
		if err != nil {
			b.log.Warn("update the delivery failure note", zap.Error(err))
		}
		return
	case errors.Is(err, tickets.ErrClosed):
		why = "This chat has ended; the message cannot be sent any more."
	case errors.Is(err, tickets.ErrNotActive):
		why = "This chat is waiting for someone to pick it; send the message again once it is picked."
	case errors.Is(err, tickets.ErrNotFound):
		why = "This message can no longer be found."
	default:
		b.log.Error("retry delivery", zap.String("ticket", id), zap.Error(err))
		why = "The message could not be sent again just now; please try again."
	}
	b.ephemeral(ctx, cb.Container.ChannelID, cb.User.ID, cb.Container.ThreadTs, why)
}

// Warn tells the team, under t's card, that its source did not take a turn of the chat,
// with the source's own words, and mentions the agent who made it.
func (d *Desk) Warn(ctx context.Context, t *tickets.Ticket, ev tickets.Event, key string) error {
	what := map[tickets.EventType]string{
		tickets.EventPicked:      "that the chat was picked",
		tickets.EventTransferred: "that the chat was transferred",
		tickets.EventClosed:      "that the chat ended",
	}[ev.Failed]
	if ev.Failed == tickets.EventClosed && ev.HandedBack {
		what = "the chat back"
	}
	if what == "" {
		what = "a change to the chat"
	}
	text := fmt.Sprintf(":warning: %s did not take %s: %s", esc(sourceLabel(t)), what, esc(clip(ev.Reason, 500)))
	if ev.Actor.ID != "" {
		text = mention(ev.Actor.ID) + " " + text
	}
	_, err := d.post(ctx, t.Card.Channel, t.Card.TS, key, slack.MsgOptionText(text, false))
	return err
}
