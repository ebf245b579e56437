package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// onEvent routes an Events API event: messages (in order per channel) to the relay, App
// Home opens to the home tab. For a message to relay it returns true and calls stored once
// the relay is done with it (the ticket service has it, or said no); else it returns false
// and never calls stored. A message Slack
// sends again is dropped by the store (its ts is its id); an App Home event by its
// event_id.
func (b *Bot) onEvent(ctx context.Context, evt socketmode.Event, stored func()) bool {
	api, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return false
	}
	cbe, ok := api.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return false
	}
	switch ev := api.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if c, ok := b.agentChange(ev); ok {
			b.inOrder(ctx, ev.Channel, func(ctx context.Context) {
				defer stored()
				if b.takeCustomerChange(ctx, ev, c) {
					return // a customer channel's (customerchannel.go)
				}
				b.takeAgentChange(ctx, ev.Channel, c)
			})
			return true
		}
		if !b.relayable(ev) {
			if !b.personMessage(ev.BotID, ev.User, ev.SubType) {
				return false
			}
			// It mentions the app: in a customer channel it is a request all the same;
			// elsewhere it is for the app (mention.go).
			b.inOrder(ctx, ev.Channel, func(ctx context.Context) {
				defer stored()
				b.takeCustomerPost(ctx, ev, cbe.IsExtSharedChannel)
			})
			return true
		}
		b.inOrder(ctx, ev.Channel, func(ctx context.Context) {
			defer stored()
			// Not deduplicated by event_id: a redelivery after a crash must be relayed
			// unless the store has the message already, which it tells by its ts.
			if b.takeCustomerPost(ctx, ev, cbe.IsExtSharedChannel) {
				return // a customer channel's (customerchannel.go)
			}
			b.relay(ctx, ev)
		})
		return true
	case *slackevents.MemberJoinedChannelEvent:
		if ev.User != b.self.userID || ev.Inviter == "" {
			return false
		}
		b.go_(ctx, func(ctx context.Context) {
			if b.firstTime(ctx, cbe.EventID) {
				b.offerCustomerChannel(ctx, ev.Channel, ev.Inviter)
			}
		})
	case *slackevents.ReactionAddedEvent:
		if ev.Reaction != ticketReaction || ev.Item.Type != "message" || ev.User == b.self.userID {
			return false
		}
		b.go_(ctx, func(ctx context.Context) {
			if b.firstTime(ctx, cbe.EventID) {
				b.ticketFromReaction(ctx, ev)
			}
		})
	case *slackevents.AppMentionEvent:
		if ev.BotID != "" || ev.User == "" || ev.User == b.self.userID {
			return false
		}
		b.go_(ctx, func(ctx context.Context) {
			if b.firstTime(ctx, cbe.EventID) {
				b.answerMention(ctx, ev)
			}
		})
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab != "home" {
			return false
		}
		b.go_(ctx, func(ctx context.Context) {
			if b.firstTime(ctx, cbe.EventID) {
				b.publishHome(ctx, ev.User)
			}
		})
	}
	return false
}

// firstTime reports whether event id is seen for the first time. When Redis cannot say,
// the event is handled: the message dedupe in the store still stops a double relay.
func (b *Bot) firstTime(ctx context.Context, id string) bool {
	if id == "" {
		return true
	}
	first, err := b.seen.Seen(ctx, "slack-event", id, b.cfg.EventTTL)
	if err != nil {
		b.log.Warn("event dedupe unavailable", zap.String("event_id", id), zap.Error(err))
		return true
	}
	return first
}

// relayable reports whether a message event is a person's new message: not the bot's own
// (that would loop), not an edit, a deletion or a join.
func (b *Bot) relayable(ev *slackevents.MessageEvent) bool {
	return b.relayableMessage(ev.BotID, ev.User, ev.SubType, ev.Text)
}

// relayableMessage is relayable for a message's bot id, user and subtype, as events and
// conversations.history give them.
func (b *Bot) relayableMessage(botID, user, subtype, text string) bool {
	// A message that mentions the app is for it (mention.go).
	return b.personMessage(botID, user, subtype) && !b.mentionsMe(text)
}

// personMessage reports whether a message of that bot id, user and subtype is a person's
// new message: not a bot's, not an edit, a deletion or a join.
func (b *Bot) personMessage(botID, user, subtype string) bool {
	if botID != "" || user == "" || user == b.self.userID {
		return false
	}
	switch subtype {
	case "", slack.MsgSubTypeFileShare, slack.MsgSubTypeThreadBroadcast:
		return true
	}
	return false
}

// tsTime is when the Slack message of ts was written: a ts is unix seconds with
// microseconds ("1733412345.000200"). Zero when ts is not one.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	us, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(s, us*1000).UTC()
}

// agentMessage is the message an agent wrote in an inbox channel: a top-level message
// goes to the customer, a thread reply (threadTS set and not ts) is an internal note.
func (b *Bot) agentMessage(ctx context.Context, user, text, ts, threadTS string, files []slack.File) tickets.Message {
	m := tickets.Message{
		Direction:       tickets.FromAgent,
		Author:          b.users.agentSoon(ctx, user),
		Text:            text,
		SourceMessageID: ts,
		At:              tsTime(ts), // when it was written: the customer gets them in that order
	}
	if threadTS != "" && threadTS != ts {
		m.Direction = tickets.Internal
	}
	for _, f := range files {
		m.Attachments = append(m.Attachments, tickets.Attachment{URL: b.fileLink(ctx, f), Name: f.Name, MIME: f.Mimetype, Size: int64(max(f.Size, 0))})
	}
	return m
}

// relay hands an agent's message in an inbox channel to the ticket service: a top-level
// message goes to the customer, a thread reply is an internal note. A top-level message
// waits for the channel's earlier messages Slack has not sent yet (gaps.go). When it
// cannot be sent the agent is told why, privately.
func (b *Bot) relay(ctx context.Context, ev *slackevents.MessageEvent) {
	var files []slack.File
	if ev.Message != nil {
		files = ev.Message.Files
	}
	m := b.agentMessage(ctx, ev.User, ev.Text, ev.TimeStamp, ev.ThreadTimeStamp, files)
	if m.Direction == tickets.FromAgent {
		b.fillGap(ctx, ev.Channel, ev.TimeStamp)
	}
	err := b.takeAgentMessage(ctx, ev.Channel, m)
	if errors.Is(err, tickets.ErrNotFound) && m.Direction == tickets.Internal {
		b.takeCardReply(ctx, ev.Channel, ev.ThreadTimeStamp, m) // not an inbox channel: under a card, perhaps
		return
	}
	var why string
	switch {
	case err == nil, errors.Is(err, tickets.ErrNotFound):
		return // taken, or not an inbox channel
	case errors.Is(err, tickets.ErrNotActive):
		why = "This chat is waiting for someone to pick it, so your message was not sent to the customer."
	case errors.Is(err, tickets.ErrClosed):
		why = "This chat has ended, so your message was not sent to the customer."
	case errors.Is(err, tickets.ErrInvalid):
		why = "Your message could not be taken: " + err.Error()
	default:
		b.log.Error("relay agent message", zap.String("channel", ev.Channel), zap.Error(err))
		why = "Your message could not be taken just now; please send it again."
	}
	b.ephemeral(ctx, ev.Channel, ev.User, ev.ThreadTimeStamp, ":warning: "+why)
}

// takeAgentMessage hands m to the ticket service. The envelope is acknowledged already,
// so while the service cannot answer (Redis restarting, say) it is tried again, with
// backoff, for as long as the handler may run (Config.HandlerTimeout); the channel's later
// messages wait behind it, keeping their order. Outcomes (not an inbox, chat not active,
// ended, invalid) are not retried.
func (b *Bot) takeAgentMessage(ctx context.Context, channel string, m tickets.Message) error {
	return retryUnanswered(ctx, b.log, "relay agent message", channel, func() error {
		_, err := b.tk.AgentMessage(ctx, channel, m)
		return err
	})
}

// retryUnanswered calls call until the ticket service answers (nil, or an outcome:
// isOutcome) or ctx ends, backing off from 100 ms to 2 s; each retry is logged as what.
func retryUnanswered(ctx context.Context, log *zap.Logger, what, channel string, call func() error) error {
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || isOutcome(err) || ctx.Err() != nil {
			return err
		}
		log.Warn(what+": will retry", zap.String("channel", channel), zap.Int("attempt", attempt), zap.Error(err))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// isOutcome reports whether err is the ticket service's answer about the message, not a
// failure to reach it.
func isOutcome(err error) bool {
	for _, e := range []error{tickets.ErrNotFound, tickets.ErrNotActive, tickets.ErrClosed, tickets.ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// fileURL is the best link Slack gives for a file.
func fileURL(f slack.File) string {
	for _, u := range []string{f.Permalink, f.URLPrivate} {
		if u != "" {
			return u
		}
	}
	return ""
}

// ephemeral tells user something in channel that only they see (in thread when set).
func (b *Bot) ephemeral(ctx context.Context, channel, user, thread, text string) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, err := b.api.PostEphemeralContext(ctx, channel, user, opts...); err != nil {
		b.log.Warn("ephemeral message", zap.String("channel", channel), zap.String("user", user), zap.Error(err))
	}
}
