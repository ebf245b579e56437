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
func (b *Bot) agentChange(ev *slackevents.MessageEvent) (agentEdit, bool) {
	prev := ev.PreviousMessage
	if prev != nil && (prev.BotID != "" || prev.User == b.self.userID) {
		return agentEdit{}, false
	}
	var e agentEdit
	c := &e.MessageChange
	c.Direction = tickets.FromAgent
	switch ev.SubType {
	case slack.MsgSubTypeMessageChanged:
		now := ev.Message
		if now == nil || now.BotID != "" || now.User == "" || now.User == b.self.userID || now.Timestamp == "" ||
			prev != nil && now.Text == prev.Text {
			return agentEdit{}, false
		}
		c.SourceMessageID, c.Text, e.now, e.was = now.Timestamp, now.Text, now, prev
		if now.ThreadTimestamp != "" && now.ThreadTimestamp != now.Timestamp {
			c.Direction = tickets.Internal // a note
		}
		if c.Text == "" {
			c.Delete = true // an edit that left no text (a message of files whose text went)
		}
	case slack.MsgSubTypeMessageDeleted:
		if ev.DeletedTimeStamp == "" {
			return agentEdit{}, false
		}
		c.SourceMessageID, c.Delete = ev.DeletedTimeStamp, true
		switch {
		case prev == nil:
			c.Direction = "" // either
		case prev.ThreadTimestamp != "" && prev.ThreadTimestamp != c.SourceMessageID:
			c.Direction = tickets.Internal
		}
	default:
		return agentEdit{}, false
	}
	return e, true
}

// agentEdit is an agent's change of a message, and for an edit the message as it now is
// and as it was (when Slack says).
type agentEdit struct {
	tickets.MessageChange
	now, was *slack.Msg
}

// thread is the ts of the thread the changed message is a reply in, "" for a top-level
// message or when Slack does not say.
func (e agentEdit) thread() string {
	for _, m := range []*slack.Msg{e.now, e.was} {
		if m != nil && m.ThreadTimestamp != "" && m.ThreadTimestamp != e.SourceMessageID {
			return m.ThreadTimestamp
		}
	}
	return ""
}

// takeAgentChange hands c to the ticket service, retrying while it cannot answer, as
// takeAgentMessage does. A message the service never took (in a channel that is no inbox,
// a message for Frontdesk, one written while the chat waited for a pick) is let be, with
// one exception: an edit of a message written since the chat's latest pick, whose own
// event is late (a connection that ended took it with it, and Slack sends it again only
// after a while) takes the message as it now is, so the customer gets the edited text once
// and the late event finds it taken.
func (b *Bot) takeAgentChange(ctx context.Context, channel string, e agentEdit) {
	c := e.MessageChange
	if c.Direction == tickets.FromAgent && !c.Delete {
		// A message whose event a connection took with it when it ended comes from the
		// channel's history, as it now is (gaps.go): the edit then changes nothing.
		b.fillGap(ctx, channel, c.SourceMessageID)
	}
	change := func() error {
		return retryUnanswered(ctx, b.log, "agent change", channel, func() error {
			_, err := b.tk.AgentChange(ctx, channel, c)
			return err
		})
	}
	dirs := []tickets.Direction{c.Direction}
	if c.Direction == "" {
		dirs = []tickets.Direction{tickets.FromAgent, tickets.Internal}
	}
	var err error
	for _, d := range dirs {
		c.Direction = d
		if err = change(); !errors.Is(err, tickets.ErrNotFound) {
			break
		}
	}
	if errors.Is(err, tickets.ErrNotFound) && e.now != nil && b.takenLate(ctx, channel, e.now, e.was) {
		// Taken as it now is, or, when its own event was taken meanwhile (by another
		// replica), as it was: the change is applied again, changing nothing in the first case.
		err = change()
	}
	if thread := e.thread(); errors.Is(err, tickets.ErrNotFound) && thread != "" {
		// Not in an inbox channel: a note under a card of a request answered in its
		// customer channel's thread, perhaps (customerchannel.go).
		err = retryUnanswered(ctx, b.log, "note change", channel, func() error {
			_, err := b.tk.ChannelChange(ctx, channel, thread, e.MessageChange)
			return err
		})
	}
	switch {
	case err == nil, errors.Is(err, tickets.ErrNotFound):
	case errors.Is(err, tickets.ErrInvalid):
		b.log.Info("agent change not taken", zap.String("channel", channel), zap.Error(err))
	default:
		b.log.Error("agent change", zap.String("channel", channel), zap.Error(err))
	}
}

// takenLate takes the edited message now, as it is, when it is a person's message
// written in an inbox channel since its ticket's latest pick, and was one to relay before
// the edit too (a message for Frontdesk, say, stays so); it reports whether it did.
func (b *Bot) takenLate(ctx context.Context, channel string, now, was *slack.Msg) bool {
	if !b.relayableMessage(now.BotID, now.User, "", now.Text) ||
		was != nil && !b.relayableMessage(was.BotID, was.User, "", was.Text) {
		return false
	}
	t, err := b.tk.ByInbox(ctx, channel)
	if err != nil || !t.Status.Picked() || tsTime(now.Timestamp).Before(t.PickedAt) {
		return false
	}
	m := b.agentMessage(ctx, now.User, now.Text, now.Timestamp, now.ThreadTimestamp, now.Files)
	if err := b.takeAgentMessage(ctx, channel, m); err != nil {
		b.log.Info("an edited message not taken yet could not be taken", zap.String("channel", channel), zap.Error(err))
		return false
	}
	b.log.Info("took an edited message whose own event had not come, as it now is", zap.String("channel", channel))
	return true
}
