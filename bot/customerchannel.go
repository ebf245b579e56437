package bot

import (
	"context"
	"errors"
	"slices"
	"sync"

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
// organisation (the event's is_ext_shared_channel). While the service cannot answer it
// is asked again, as for an agent's message (retryUnanswered).
func (b *Bot) takeCustomerPost(ctx context.Context, ev *slackevents.MessageEvent, shared bool) bool {
	var cc tickets.CustomerChannel
	var isCustomer bool
	err := retryUnanswered(ctx, b.log, "read the customer channels", ev.Channel, func() error {
		var err error
		cc, isCustomer, err = b.tk.CustomerChannel(ctx, ev.Channel)
		return err
	})
	if err != nil || !isCustomer {
		return err != nil // unanswered until the handler's time ran out: logged there
	}
	p, err := b.channelPost(ctx, ev, shared, cc)
	if errors.Is(err, errNotAPerson) {
		return true // another app's bot: neither asks nor answers
	}
	if err != nil {
		b.log.Error("customer channel: who wrote a message", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp), zap.Error(err))
		return true
	}
	var out tickets.ChannelOutcome
	err = retryUnanswered(ctx, b.log, "take a customer channel's message", ev.Channel, func() error {
		var perr error
		out, perr = b.tk.ChannelPost(ctx, p)
		return perr
	})
	switch {
	case err == nil:
		if out.Opened || out.Added || out.Rated {
			b.log.Debug("customer channel message taken", zap.String("channel", ev.Channel), zap.String("ticket", string(out.State.ID)),
				zap.Bool("opened", out.Opened), zap.Bool("rated", out.Rated))
		}
	case errors.Is(err, tickets.ErrInvalid), errors.Is(err, tickets.ErrNotFound):
		b.log.Info("customer channel message not taken", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp), zap.Error(err))
	default:
		b.log.Error("customer channel message", zap.String("channel", ev.Channel), zap.String("ts", ev.TimeStamp), zap.Error(err))
	}
	return true
}

// channelPost is message ev of customer channel cc as the ticket service takes it: who
// wrote it, a requester or one of the team's agents (isAgent).
func (b *Bot) channelPost(ctx context.Context, ev *slackevents.MessageEvent, shared bool, cc tickets.CustomerChannel) (tickets.ChannelPost, error) {
	p := tickets.ChannelPost{Channel: ev.Channel, TS: ev.TimeStamp, ThreadTS: ev.ThreadTimeStamp, Text: ev.Text, At: tsTime(ev.TimeStamp)}
	if ev.Message != nil {
		for _, f := range ev.Message.Files {
			link := f.Permalink
			if link == "" {
				link = f.URLPrivate
			}
			if link != "" {
				p.Attachments = append(p.Attachments, tickets.Attachment{URL: link, Name: f.Name, MIME: f.Mimetype, Size: int64(max(f.Size, 0))})
			}
		}
	}
	u, err := b.users.get(ctx, ev.User)
	if err != nil {
		return p, err
	}
	if u.IsBot || u.IsAppUser {
		return p, errNotAPerson
	}
	agent, err := b.isAgent(ctx, u, shared, cc)
	if err != nil {
		return p, err
	}
	if agent {
		p.Agent = tickets.Agent{ID: tickets.AgentID(u.ID), Name: displayName(u), Email: u.Profile.Email}
		return p, nil
	}
	c := tickets.Customer{ID: u.ID, Name: displayName(u), Email: u.Profile.Email, Fields: map[string]string{}}
	if team := userTeam(u); team != b.self.teamID && team != "" && cc.Customer == "" {
		if name := b.teamName(ctx, team); name != "" {
			c.Fields["organisation"] = name
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
	if name, ok := b.teams.get(team); ok {
		return name
	}
	info, err := b.api.GetOtherTeamInfoContext(ctx, team)
	if err != nil {
		b.log.Info("team.info of a customer's organisation", zap.String("team", team), zap.Error(err))
		return ""
	}
	b.teams.put(team, info.Name)
	return info.Name
}

// teamNames remembers other organisations' names by team id: they seldom change.
type teamNames struct {
	mu sync.Mutex
	m  map[string]string
}

func (t *teamNames) get(team string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	name, ok := t.m[team]
	return name, ok
}

func (t *teamNames) put(team, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) >= maxLinks {
		t.m = map[string]string{}
	}
	t.m[team] = name
}
