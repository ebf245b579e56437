package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// membersTTL is how long a channel's member list is trusted.
const membersTTL = 30 * time.Second

// members remembers who is in which channel, for a while.
type members struct {
	api *slack.Client
	m   *lru.Cache[string, cachedMembers]
}

type cachedMembers struct {
	ids map[string]bool
	exp time.Time
}

func newMembers(api *slack.Client) *members {
	return &members{api: api, m: newMemo[cachedMembers]()}
}

// in reports whether user is a member of channel.
func (ms *members) in(ctx context.Context, channel, user string) (bool, error) {
	if c, ok := ms.m.Get(channel); ok && time.Now().Before(c.exp) && c.ids[user] {
		return true, nil
	}
	// Not known as a member: ask again (they may have just joined).
	ids := map[string]bool{}
	params := &slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 1000}
	for {
		page, cursor, err := ms.api.GetUsersInConversationContext(ctx, params)
		if err != nil {
			return false, classify("conversations.members", err)
		}
		for _, id := range page {
			ids[id] = true
		}
		if cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	ms.m.Add(channel, cachedMembers{ids: ids, exp: time.Now().Add(membersTTL)})
	return ids[user], nil
}

// workProblem says why user may not work ticket t (pick it, change its details), or "":
// a single-channel guest, a bot or a deactivated account never may; others may when they
// are in the priority group or in one of channels (the ticket's team channel, its inbox).
func (b *Bot) workProblem(ctx context.Context, user string, t *tickets.Ticket, channels ...string) string {
	u, err := b.users.get(ctx, user)
	switch {
	case err != nil:
		return "Your permissions could not be checked just now; please try again."
	case u.IsUltraRestricted:
		return "Single-channel guests cannot work tickets: they cannot join inbox channels."
	case u.IsBot || u.IsAppUser || u.Deleted:
		return "This account cannot work tickets."
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		return "Your permissions could not be checked just now; please try again."
	}
	if slices.Contains(st.PriorityGroup, tickets.AgentID(user)) {
		return ""
	}
	for _, ch := range channels {
		if ch == "" {
			continue
		}
		ok, err := b.members.in(ctx, ch, user)
		if err != nil {
			return "Your permissions could not be checked just now; please try again."
		}
		if ok {
			return ""
		}
	}
	return fmt.Sprintf("Only members of %s (or of the priority group) can work this ticket.", channelLink(t.Team.ChannelID))
}

// refuse tells the user who clicked (cb) why not: privately in channel, or, when they
// are not in it (Slack refuses ephemeral messages then), in a small modal.
func (b *Bot) refuse(ctx context.Context, cb *slack.InteractionCallback, channel, text string) {
	if channel != "" {
		_, err := b.api.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false))
		if err == nil {
			return
		}
		if code := slackCode(err); code != "user_not_in_channel" && code != "channel_not_found" && code != "not_in_channel" {
			b.log.Warn("ephemeral message", zap.String("channel", channel), zap.String("user", cb.User.ID), zap.Error(err))
			return
		}
	}
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, noticeView("Frontdesk", text)); err != nil {
		b.log.Warn("refusal modal", zap.String("user", cb.User.ID), zap.Error(err))
	}
}
