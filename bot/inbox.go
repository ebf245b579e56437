package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// OpenInbox makes sure t has a private inbox channel with members in it and returns it:
// the first pick creates it (named after the ticket and the customer, with a suffix when
// the name is taken) and tells created before inviting anyone; with intro it posts there
// the customer's details and who picked the ticket (the returned TS). A pick after a
// transfer invites the new agent to the same channel.
func (d *Desk) OpenInbox(ctx context.Context, t *tickets.Ticket, members []tickets.AgentID, intro bool,
	created func(ctx context.Context, channel string) error, key string) (tickets.Card, error) {
	channel := t.Inbox
	if channel == "" {
		var err error
		if channel, err = d.createInbox(ctx, t); err != nil {
			return tickets.Card{}, err
		}
		if err := created(ctx, channel); err != nil {
			return tickets.Card{}, err
		}
	}
	if err := d.invite(ctx, t, channel, members); err != nil {
		return tickets.Card{}, err
	}
	c := tickets.Card{Channel: channel}
	if intro {
		shown := *t
		shown.Inbox = channel
		ts, err := d.post(ctx, channel, "", key+":intro",
			slack.MsgOptionBlocks(introBlocks(&shown)...),
			slack.MsgOptionText("Live chat "+ticketTitle(t)+" — "+pickedLine(&shown), false))
		if err != nil {
			return tickets.Card{}, err
		}
		c.TS = ts
	}
	return c, nil
}

// createInbox creates t's private inbox channel. When its name is taken it tries the next
// suffix, unless the channel of that name is the one an earlier attempt made for t. The
// channel gets no topic or purpose: its first message says what it is for.
func (d *Desk) createInbox(ctx context.Context, t *tickets.Ticket) (string, error) {
	base := inboxName(t)
	for i := range 10 {
		name := base
		if i > 0 {
			name = fmt.Sprintf("%s-%d", base, i+1)
		}
		ch, err := d.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: true})
		if slackCode(err) == "name_taken" {
			if id, err := d.findOwnInbox(ctx, name); err != nil || id != "" {
				return id, err
			}
			continue
		}
		if err != nil {
			return "", classify("conversations.create", err)
		}
		return ch.ID, nil
	}
	return "", tickets.Permanent(fmt.Errorf("no free channel name for ticket %s after 10 tries", t.ID))
}

// findOwnInbox looks among the private channels the bot is in for one named name that the
// bot created; "" when there is none. Such a channel is the one an earlier attempt made
// for this ticket: an inbox channel's name starts with its ticket's number, which no other
// ticket has. Only a retry looks: a first attempt cannot have made the channel.
func (d *Desk) findOwnInbox(ctx context.Context, name string) (string, error) {
	if !tickets.IsRetry(ctx) {
		return "", nil
	}
	self, err := d.selfID(ctx)
	if err != nil {
		return "", err
	}
	params := &slack.GetConversationsParameters{Types: []string{"private_channel"}, Limit: 200, ExcludeArchived: true}
	for {
		chs, cursor, err := d.api.GetConversationsContext(ctx, params)
		if err != nil {
			return "", classify("conversations.list", err)
		}
		for _, ch := range chs {
			if ch.Name == name && ch.Creator == self {
				return ch.ID, nil
			}
		}
		if cursor == "" {
			return "", nil
		}
		params.Cursor = cursor
	}
}

// selfID is the bot's own user id, asked of Slack (auth.test) the first time it is needed.
func (d *Desk) selfID(ctx context.Context) (string, error) {
	d.selfMu.Lock()
	defer d.selfMu.Unlock()
	if d.self != "" {
		return d.self, nil
	}
	auth, err := d.api.AuthTestContext(ctx)
	if err != nil {
		return "", classify("auth.test", err)
	}
	d.self = auth.UserID
	return d.self, nil
}

// invite brings members into channel. Someone who cannot join (a single-channel guest
// already in a channel, a deactivated account) is logged and skipped, never holding up
// the rest.
func (d *Desk) invite(ctx context.Context, t *tickets.Ticket, channel string, members []tickets.AgentID) error {
	var users []string
	seen := map[tickets.AgentID]bool{}
	for _, m := range members {
		if m != "" && !seen[m] {
			seen[m] = true
			users = append(users, string(m))
		}
	}
	if len(users) == 0 {
		return nil
	}
	_, err := d.api.InviteUsersToConversationContext(ctx, channel, users...)
	if err == nil || slackCode(err) == "already_in_channel" && len(users) == 1 {
		return nil
	}
	if slackCode(err) == "" {
		return classify("conversations.invite", err)
	}
	// One refusal fails the whole call: invite one by one to find who can join.
	for _, u := range users {
		_, err := d.api.InviteUsersToConversationContext(ctx, channel, u)
		switch code := slackCode(err); {
		case err == nil, code == "already_in_channel", code == "cant_invite_self":
		case code != "" && code != "ratelimited":
			d.log.Warn("cannot invite a user to an inbox channel", zap.String("ticket", string(t.ID)),
				zap.String("user", u), zap.String("reason", code))
		default:
			return classify("conversations.invite", err)
		}
	}
	return nil
}

// inboxName is "chat-135-carol": the ticket number and the customer, within Slack's
// channel-name rules (lowercase letters, digits, '-' and '_', at most 80 characters).
func inboxName(t *tickets.Ticket) string {
	name := fmt.Sprintf("chat-%d", t.Number)
	if s := slug(t.Customer.DisplayName(), 40); s != "" && t.Customer.DisplayName() != "Customer" {
		name += "-" + s
	}
	return name
}

// slug keeps the ASCII letters and digits of s, lowercased, joined by single dashes.
func slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
		if b.Len() >= max {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}
