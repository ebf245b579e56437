package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Customer channels (tickets.Settings.CustomerChannels) are Slack channels whose messages
// are requests: a channel shared with a customer's organisation, where its people ask and
// ours answer, or an internal channel where colleagues ask a team. The bot reads who wrote
// each message and hands it to the ticket service (Tickets.ChannelPost), which decides
// what it is: a new request, part of one, or nothing (a greeting).

// takeCustomerPost hands ev to the ticket service when its channel is a customer channel,
// and reports whether it is one. shared says the channel is shared with another
// organisation (the event's is_ext_shared_channel). While the service cannot answer it is
// asked again, as for an agent's message (retryUnanswered); when it could not be taken in
// the handler's time, the channel catches up from its history soon (catchup.go).
func (b *Bot) takeCustomerPost(ctx context.Context, ev *slackevents.MessageEvent, shared bool) bool {
	customer, err := b.takePost(ctx, ev, shared, false)
	if err != nil {
		b.catchUpSoon(0, ev.Channel)
	}
	return customer
}

// takePost is takeCustomerPost's work, for a message read back from history too
// (replay). err says why a message that may be a customer channel's could not be taken
// (logged); it is nil when the message was taken, or is none to take.
func (b *Bot) takePost(ctx context.Context, ev *slackevents.MessageEvent, shared, replay bool) (customer bool, _ error) {
	cc, isCustomer, err := b.customerChannel(ctx, ev.Channel)
	if err != nil {
		return true, err // unanswered until the handler's time ran out: logged there
	}
	if !isCustomer {
		return false, nil
	}
	var files []slack.File
	if ev.Message != nil {
		files = ev.Message.Files
	}
	// Who wrote it (users.info, the team's members) is asked again while Slack or the
	// service cannot answer, as the message itself is (a request is not dropped for it).
	var p tickets.ChannelPost
	notAPerson := false
	err = retryUnanswered(ctx, b.log, "read who wrote a customer channel's message", ev.Channel, func() error {
		var perr error
		p, perr = b.channelPost(ctx, cc, shared, false, ev.Channel, ev.User, ev.Text, ev.TimeStamp, ev.ThreadTimeStamp, files)
		switch {
		case errors.Is(perr, errNotAPerson):
			notAPerson = true
			return nil
		case perr != nil && tickets.IsPermanent(classify("users.info", perr)):
			return fmt.Errorf("%w: %v", tickets.ErrInvalid, perr) // Slack will not say otherwise later
		}
		return perr
	})
	if notAPerson {
		return true, nil // another app's bot: neither asks nor answers
	}
	if err != nil {
		b.log.Error("customer channel: who wrote a message", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp), zap.Error(err))
		if errors.Is(err, tickets.ErrInvalid) {
			return true, nil // Slack will not say otherwise later
		}
		return true, err
	}
	p.Replay = replay
	var out tickets.ChannelOutcome
	err = retryUnanswered(ctx, b.log, "take a customer channel's message", ev.Channel, func() error {
		var perr error
		out, perr = b.tk.ChannelPost(ctx, p)
		return perr
	})
	switch {
	case err == nil:
		if out.Ignored == tickets.IgnoredBefore {
			// Lost while its request was open, read back once it was closed: not in its
			// transcript.
			b.log.Warn("customer channel: a message read back was written before its request closed", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp))
		}
		if out.Opened || out.Added || out.Rated {
			b.log.Debug("customer channel message taken", zap.String("channel", ev.Channel), zap.String("ticket", string(out.State.ID)),
				zap.Bool("opened", out.Opened), zap.Bool("rated", out.Rated))
		}
	case isOutcome(err):
		b.log.Info("customer channel message not taken", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp), zap.Error(err))
	default:
		b.log.Error("customer channel message", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp), zap.Error(err))
		return true, err
	}
	return true, nil
}

// customerChannel is the customer channel whose id is channel, if it is one, asked again
// while the ticket service cannot answer (retryUnanswered): a customer's message must not
// be taken for something else because Redis was away a moment.
func (b *Bot) customerChannel(ctx context.Context, channel string) (cc tickets.CustomerChannel, ok bool, err error) {
	err = retryUnanswered(ctx, b.log, "read the customer channels", channel, func() error {
		var cerr error
		cc, ok, cerr = b.tk.CustomerChannel(ctx, channel)
		return cerr
	})
	return cc, ok, err
}

// channelPost is the message ts (in thread, or top-level when it is "" or ts) of customer
// channel cc, written by user, as the ticket service takes it: who wrote it, a requester
// or one of the team's agents (isAgent). With ask (someone asked for a ticket for it:
// a 🎫, the Create ticket shortcut), its author is the requester whoever they are.
func (b *Bot) channelPost(ctx context.Context, cc tickets.CustomerChannel, shared, ask bool, channel, user, text, ts, thread string, files []slack.File) (tickets.ChannelPost, error) {
	p := tickets.ChannelPost{Channel: channel, TS: ts, ThreadTS: thread, Text: text, At: tsTime(ts), Ask: ask}
	for _, f := range files {
		link := f.Permalink
		if link == "" {
			link = f.URLPrivate
		}
		if link != "" {
			p.Attachments = append(p.Attachments, tickets.Attachment{URL: link, Name: f.Name, MIME: f.Mimetype, Size: int64(max(f.Size, 0))})
		}
	}
	u, err := b.users.get(ctx, user)
	if err != nil {
		return p, err
	}
	if u.IsBot || u.IsAppUser {
		return p, errNotAPerson
	}
	agent := false
	if !ask {
		if agent, err = b.isAgent(ctx, u, shared, cc); err != nil {
			return p, err
		}
	}
	if agent {
		p.Agent = tickets.Agent{ID: tickets.AgentID(u.ID), Name: displayName(u), Email: u.Profile.Email}
		return p, nil
	}
	c := tickets.Customer{ID: u.ID, Name: displayName(u), Email: u.Profile.Email, Fields: map[string]string{}}
	if team := userTeam(u); team != b.self.teamID && team != "" && cc.Customer == "" {
		if name := b.teamName(ctx, team); name != "" {
			c.Fields[tickets.CustomerOrganisation] = name
		}
	}
	p.Requester = &c
	return p, nil
}

// errNotAPerson: a message of a bot user, which customer channels ignore.
var errNotAPerson = errors.New("a bot's message")

// isAgent reports whether u answers rather than asks in customer channel cc: in a channel
// shared with another organisation, everyone of ours does; in an internal one, the
// members of the team's ticketing channel and the priority group do.
func (b *Bot) isAgent(ctx context.Context, u *slack.User, shared bool, cc tickets.CustomerChannel) (bool, error) {
	if team := userTeam(u); team != "" && b.self.teamID != "" && team != b.self.teamID {
		return false, nil // another organisation's person
	}
	if shared {
		return true, nil
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		return false, err
	}
	if slices.Contains(st.PriorityGroup, tickets.AgentID(u.ID)) {
		return true, nil
	}
	return b.members.in(ctx, cc.Team, u.ID)
}

// userTeam is the id of u's organisation as users.info gives it.
func userTeam(u *slack.User) string {
	if u.TeamID != "" {
		return u.TeamID
	}
	return u.Profile.Team
}

// teamName is the name of the organisation whose team id is team (team.info), or "" when
// Slack does not say: a name is nice to have on a card, never worth a request.
func (b *Bot) teamName(ctx context.Context, team string) string {
	if name, ok := b.teams.Get(team); ok {
		return name
	}
	info, err := b.api.GetOtherTeamInfoContext(ctx, team)
	if err != nil {
		b.log.Info("team.info of a customer's organisation", zap.String("team", team), zap.Error(err))
		return ""
	}
	b.teams.Add(team, info.Name)
	return info.Name
}

// ticketReaction is the reaction (🎫, :ticket:) that makes a customer channel's message a
// request.
const ticketReaction = "ticket"

// ticketFromReaction makes the message ev reacted to a request, when it is a 🎫 in a
// customer channel (a message already part of a request stays where it is).
func (b *Bot) ticketFromReaction(ctx context.Context, ev *slackevents.ReactionAddedEvent) {
	cc, ok, err := b.tk.CustomerChannel(ctx, ev.Item.Channel)
	if err != nil {
		b.log.Error("🎫: read the customer channels", zap.String("channel", ev.Item.Channel), zap.Error(err))
		return
	}
	if !ok {
		return
	}
	m, err := b.messageAt(ctx, ev.Item.Channel, ev.Item.Timestamp)
	if err != nil {
		b.log.Warn("🎫: read the message", zap.String("channel", ev.Item.Channel), zap.String("ts", ev.Item.Timestamp), zap.Error(err))
		return
	}
	if _, err := b.askFor(ctx, cc, ev.Item.Channel, m); err != nil && !errors.Is(err, errNotAPerson) {
		b.log.Error("🎫: make a request", zap.String("channel", ev.Item.Channel), zap.String("ts", ev.Item.Timestamp), zap.Error(err))
	}
}

// messageAt reads message ts of channel: conversations.replies finds a thread's reply by
// its own ts, and a top-level message as the first of its thread
// (https://docs.slack.dev/reference/methods/conversations.replies).
func (b *Bot) messageAt(ctx context.Context, channel, ts string) (*slack.Message, error) {
	params := &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: ts, Limit: 200}
	for range 10 {
		msgs, more, next, err := b.api.GetConversationRepliesContext(ctx, params)
		if err != nil {
			return nil, classify("conversations.replies", err)
		}
		for i := range msgs {
			if msgs[i].Timestamp == ts {
				return &msgs[i], nil
			}
		}
		if !more || next == "" {
			break
		}
		params.Cursor = next
	}
	return nil, fmt.Errorf("message %s is not in %s", ts, channel)
}

// askFor makes message m of customer channel cc (channel) a request: someone asked for
// it. Its author is the requester, whoever they are; a bot's message is errNotAPerson.
func (b *Bot) askFor(ctx context.Context, cc tickets.CustomerChannel, channel string, m *slack.Message) (tickets.ChannelOutcome, error) {
	if m.BotID != "" || m.User == "" {
		return tickets.ChannelOutcome{}, errNotAPerson
	}
	p, err := b.channelPost(ctx, cc, false, true, channel, m.User, m.Text, m.Timestamp, m.ThreadTimestamp, m.Files)
	if err != nil {
		return tickets.ChannelOutcome{}, err
	}
	var out tickets.ChannelOutcome
	err = retryUnanswered(ctx, b.log, "make a request of a customer channel's message", channel, func() error {
		var perr error
		out, perr = b.tk.ChannelPost(ctx, p)
		return perr
	})
	return out, err
}

// createTicket is the Create ticket message shortcut: the message it was used on, in a
// customer channel, becomes a request (or stays in the one it is part of), whose details
// modal opens for the agent who asked.
func (b *Bot) createTicket(ctx context.Context, cb *slack.InteractionCallback) {
	cc, ok, err := b.tk.CustomerChannel(ctx, cb.Channel.ID)
	switch {
	case err != nil:
		b.log.Error("create ticket: read the customer channels", zap.Error(err))
		b.refuse(ctx, cb, cb.Channel.ID, "This could not be checked just now; please try again.")
		return
	case !ok:
		b.refuse(ctx, cb, cb.Channel.ID, "Create ticket works in customer channels: channels whose messages are requests for a team (an admin sets them up, see docs/slack-channels.md).")
		return
	}
	m := cb.Message
	if m.Timestamp == "" {
		m.Timestamp = cb.MessageTs
	}
	out, err := b.askFor(ctx, cc, cb.Channel.ID, &m)
	switch {
	case errors.Is(err, errNotAPerson):
		b.refuse(ctx, cb, cb.Channel.ID, "A bot's message cannot be a request.")
		return
	case err != nil || out.State.ID == "":
		b.log.Error("create ticket", zap.String("channel", cb.Channel.ID), zap.String("ts", m.Timestamp), zap.Error(err), zap.String("ignored", out.Ignored))
		b.refuse(ctx, cb, cb.Channel.ID, "The ticket could not be made just now; please try again.")
		return
	}
	t, err := b.tk.Get(ctx, out.State.ID)
	if err != nil {
		b.log.Error("create ticket: read it", zap.String("ticket", string(out.State.ID)), zap.Error(err))
		return
	}
	if why := b.workProblem(ctx, cb.User.ID, t, t.Team.ChannelID); why != "" {
		b.ephemeral(ctx, cb.Channel.ID, cb.User.ID, "", fmt.Sprintf("Ticket %s is with %s.", esc(ticketTitle(t)), esc(t.Team.Label)))
		return
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.log.Error("create ticket: settings", zap.Error(err))
		return
	}
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, detailsView(t, st)); err != nil {
		b.log.Warn("create ticket: open its details", zap.String("ticket", string(t.ID)), zap.Error(err))
	}
}

// takeCardReply hands the ticket service m, a reply under the message thread of a
// channel that is no inbox channel: under the card of a request answered in its
// customer channel's thread, it is the ticket's note (Tickets.CardReply); elsewhere
// nothing.
func (b *Bot) takeCardReply(ctx context.Context, channel, thread string, m tickets.Message) {
	err := retryUnanswered(ctx, b.log, "take a note under a card", channel, func() error {
		_, _, err := b.tk.CardReply(ctx, channel, thread, m)
		return err
	})
	if err != nil && !errors.Is(err, tickets.ErrNotFound) {
		b.log.Error("note under a card", zap.String("channel", channel), zap.String("thread", thread), zap.Error(err))
	}
}

// takeCustomerChange hands the ticket service an edit or a deletion (e, as agentChange
// read it from ev) of a message in a customer channel, and reports whether the channel is
// one: the request's transcript follows what its thread shows.
func (b *Bot) takeCustomerChange(ctx context.Context, ev *slackevents.MessageEvent, e agentEdit) bool {
	if _, isCustomer, err := b.customerChannel(ctx, ev.Channel); err != nil || !isCustomer {
		return err != nil
	}
	thread := ""
	switch {
	case e.now != nil:
		thread = e.now.ThreadTimestamp
	case ev.PreviousMessage != nil:
		thread = ev.PreviousMessage.ThreadTimestamp
	}
	c := e.MessageChange
	err := retryUnanswered(ctx, b.log, "take a customer channel's change", ev.Channel, func() error {
		_, err := b.tk.ChannelChange(ctx, ev.Channel, thread, c)
		return err
	})
	if err != nil && !errors.Is(err, tickets.ErrNotFound) {
		b.log.Error("customer channel change", zap.String("channel", ev.Channel), zap.Error(err))
	}
	return true
}

// offerCustomerChannel offers inviter, who invited the app to channel, to take the
// channel's requests as tickets, when it is shared with another organisation and is
// neither a ticketing nor a customer channel yet: a direct message with a button per team
// (connectChannel; an admin's click connects it).
func (b *Bot) offerCustomerChannel(ctx context.Context, channel, inviter string) {
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.log.Warn("offer a customer channel: settings", zap.Error(err))
		return
	}
	if _, ok := st.TeamByChannel(channel); ok {
		return
	}
	if _, ok := st.CustomerChannelOf(channel); ok {
		return
	}
	info, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	if err != nil {
		b.log.Warn("offer a customer channel: conversations.info", zap.String("channel", channel), zap.Error(err))
		return
	}
	if !info.IsExtShared {
		return
	}
	dm, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{inviter}})
	if err != nil {
		b.log.Warn("offer a customer channel: conversations.open", zap.String("user", inviter), zap.Error(err))
		return
	}
	text := fmt.Sprintf("You invited Frontdesk to <#%s>, which is shared with another organisation. Frontdesk can take the "+
		"requests people there write as tickets: pick the team they go to (an admin's click sets it up; see docs/slack-channels.md).", channel)
	var buttons []slack.BlockElement
	for i, team := range st.TicketingChannels {
		if i == maxOfferButtons {
			break
		}
		buttons = append(buttons, slack.NewButtonBlockElement(fmt.Sprintf("%s:%d", ActionConnectChannel, i), channel+" "+team.ChannelID,
			plainText(clip(team.Label, maxButtonText))))
	}
	if len(buttons) == 0 {
		return
	}
	_, _, err = b.api.PostMessageContext(ctx, dm.ID, slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(md(text), nil, nil), slack.NewActionBlock("connect_channel", buttons...)))
	if err != nil {
		b.log.Warn("offer a customer channel", zap.String("user", inviter), zap.Error(err))
	}
}

// maxOfferButtons bounds the offer's buttons: Slack takes 25 elements in an actions block.
const maxOfferButtons = 25

// connectChannel is a click on the offer's button of a team: an admin's makes the channel
// a customer channel of that team, and the offer says so.
func (b *Bot) connectChannel(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	channel, team, _ := strings.Cut(a.Value, " ")
	admin, err := b.admin.isAdmin(ctx, cb.User.ID)
	switch {
	case err != nil:
		b.refuse(ctx, cb, cb.Channel.ID, "Your permissions could not be checked just now; please try again.")
		return
	case !admin:
		b.refuse(ctx, cb, cb.Channel.ID, "Only workspace admins (and the admins Frontdesk is set up with) can connect a channel. Ask one to click here.")
		return
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.refuse(ctx, cb, cb.Channel.ID, "The settings could not be read just now; please try again.")
		return
	}
	next := *st
	next.Sinks = nil // UpdateSettings keeps the saved sinks' settings
	next.CustomerChannels = slices.DeleteFunc(slices.Clone(st.CustomerChannels), func(c tickets.CustomerChannel) bool { return c.Channel == channel })
	next.CustomerChannels = append(next.CustomerChannels, tickets.CustomerChannel{Channel: channel, Team: team})
	if err := b.tk.UpdateSettings(ctx, next); err != nil {
		b.log.Warn("connect a customer channel", zap.String("channel", channel), zap.Error(err))
		why := "The channel could not be connected just now; please try again."
		if errors.Is(err, tickets.ErrInvalid) {
			why = "The channel could not be connected: " + err.Error()
		}
		b.refuse(ctx, cb, cb.Channel.ID, why)
		return
	}
	label := team
	if t, ok := next.TeamByChannel(team); ok {
		label = t.Label
	}
	b.log.Info("customer channel connected", zap.String("channel", channel), zap.String("team", team), zap.String("by", cb.User.ID))
	done := fmt.Sprintf(":white_check_mark: Requests in <#%s> now go to *%s* (<@%s> connected it).", channel, esc(label), cb.User.ID)
	if _, _, _, err := b.api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs,
		slack.MsgOptionText(done, false), slack.MsgOptionBlocks(slack.NewSectionBlock(md(done), nil, nil))); err != nil {
		b.log.Warn("connect a customer channel: update the offer", zap.Error(err))
	}
}

// rateInThread takes a click on a rating button (ActionRate) under the rating question in
// a request's thread: the requester's rating of the request, recorded (a click again
// replaces it) and shown under the question; anyone else is told that only the requester
// rates.
func (b *Bot) rateInThread(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	rating, err := strconv.Atoi(a.Value)
	channel, thread := cb.Container.ChannelID, cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	if err != nil || channel == "" || thread == "" {
		b.log.Warn("rating button without its rating or thread", zap.String("channel", channel))
		return
	}
	t, err := b.tk.RateAs(ctx, tickets.SourceSlack, tickets.ChannelConversation(channel, thread), cb.User.ID, rating)
	switch {
	case err == nil:
	case errors.Is(err, tickets.ErrNotRequester):
		b.ephemeral(ctx, channel, cb.User.ID, thread, "Only the person who asked can rate this request.")
		return
	case errors.Is(err, tickets.ErrNotFound), errors.Is(err, tickets.ErrInvalid):
		b.ephemeral(ctx, channel, cb.User.ID, thread, "This request can no longer be rated.")
		return
	default:
		b.log.Error("rate a request in its thread", zap.String("channel", channel), zap.Error(err))
		b.ephemeral(ctx, channel, cb.User.ID, thread, "Your rating could not be recorded just now; please try again.")
		return
	}
	b.log.Info("request rated in its thread", zap.String("ticket", string(t.ID)), zap.Int("rating", rating))
	// The question stays, with its buttons (a click again changes the rating), and says
	// what was given.
	blocks := slices.Clone(cb.Message.Blocks.BlockSet)
	blocks = slices.DeleteFunc(blocks, func(bl slack.Block) bool { return bl.ID() == blockRated })
	blocks = append(blocks, slack.NewContextBlock(blockRated, md(fmt.Sprintf("Rated %s (%d/5). Thank you!", strings.Repeat("⭐", rating), rating))))
	if _, _, _, err := b.api.UpdateMessageContext(ctx, channel, cb.Container.MessageTs,
		slack.MsgOptionText(cb.Message.Text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.log.Warn("show a rating under its question", zap.String("channel", channel), zap.Error(err))
	}
}
