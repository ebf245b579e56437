package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Mentioning the app (@Frontdesk, Slack's app_mention event:
// https://docs.slack.dev/reference/events/app_mention) in a channel it is in gets an
// answer in the message's thread saying what the channel is to Frontdesk: a team's
// ticketing channel and how many tickets wait there, the inbox channel of a ticket and
// where it stands, or a channel Frontdesk does not use, and how an admin sets one up. It
// is how admins check that the app is in a channel. A message in an inbox channel that
// mentions the app is for Frontdesk, not the customer: it is not relayed (relayable). In a
// customer channel the app answers no mention: there the message is a request like any
// other (customerchannel.go).

// answerMention answers ev in its thread. Called once per event (firstTime).
func (b *Bot) answerMention(ctx context.Context, ev *slackevents.AppMentionEvent) {
	if _, customers, err := b.tk.CustomerChannel(ctx, ev.Channel); err == nil && customers {
		return // in a customer channel a mention is a request like any message (customerchannel.go)
	}
	text, err := b.mentionAnswer(ctx, ev.Channel)
	if err != nil {
		b.log.Warn("mention: cannot tell what the channel is", zap.String("channel", ev.Channel), zap.Error(err))
		text = "Sorry, I cannot look this channel up right now. Please mention me again in a minute."
	}
	thread := ev.ThreadTimeStamp
	if thread == "" {
		thread = ev.TimeStamp
	}
	if _, _, err := b.api.PostMessageContext(ctx, ev.Channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(thread)); err != nil {
		b.log.Warn("mention: cannot answer", zap.String("channel", ev.Channel), zap.Error(err))
	}
}

// mentionAnswer says what channel is to Frontdesk.
func (b *Bot) mentionAnswer(ctx context.Context, channel string) (string, error) {
	st, err := b.tk.Settings(ctx)
	if err != nil {
		return "", err
	}
	if i := slices.IndexFunc(st.TicketingChannels, func(t tickets.Team) bool { return t.ChannelID == channel }); i >= 0 {
		team := st.TicketingChannels[i]
		n, err := b.tk.Waiting(ctx, channel)
		if err != nil {
			return "", err
		}
		var waiting string
		switch n {
		case 0:
			waiting = "No ticket is waiting for a pick."
		case 1:
			waiting = "1 ticket is waiting for a pick."
		default:
			waiting = fmt.Sprintf("%d tickets are waiting for a pick.", n)
		}
		return fmt.Sprintf("This is the ticketing channel of *%s*: new chats for the team arrive here as tickets. %s",
			esc(team.Label), waiting), nil
	}
	t, err := b.tk.ByInbox(ctx, channel)
	switch {
	case err == nil:
		return inboxAnswer(t), nil
	case !errors.Is(err, tickets.ErrNotFound):
		return "", err
	}
	return "This channel is not set up in Frontdesk. An admin can make it a team's ticketing channel in the " +
		"admin panel (the *Frontdesk admin* shortcut, or *Open admin panel* in Frontdesk's App Home).", nil
}

// inboxAnswer says where the ticket whose inbox channel this is stands.
func inboxAnswer(t *tickets.Ticket) string {
	s := fmt.Sprintf("This is the inbox channel of ticket %s, a chat via %s in *%s*. ", esc(ticketTitle(t)), sourceLabel(t), esc(t.Team.Label))
	switch {
	case t.Status == tickets.StatusClosed:
		s += "The chat has ended"
		if t.ClosedBy.ID != "" {
			s += " (ended by " + mention(t.ClosedBy.ID) + ")"
		}
		return s + "."
	case t.Status.Picked():
		return s + "It is handled by " + mention(t.Assignee.ID) + ": top-level messages here go to the customer, thread replies stay internal."
	}
	return s + fmt.Sprintf("It waits for a pick in %s.", channelLink(t.Team.ChannelID))
}

// mentionsMe reports whether text mentions the app's bot user.
func (b *Bot) mentionsMe(text string) bool {
	return b.self.userID != "" && strings.Contains(text, "<@"+b.self.userID+">")
}
