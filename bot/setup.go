package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// defaultTeams are created on a first start that has no ticketing channel at all.
var defaultTeams = []struct{ name, label string }{
	{"frontdesk-support", "Support Team"},
	{"frontdesk-technical", "Technical Team"},
}

// ensureTicketingChannels creates and saves the default ticketing channels when there are
// none (nothing saved and no TICKETING_CHANNELS), so that a new install works at once;
// admins change them in the admin panel. Of several replicas starting together one does it.
func (b *Bot) ensureTicketingChannels(ctx context.Context) error {
	st, err := b.tk.Settings(ctx)
	if err != nil || len(st.TicketingChannels) > 0 {
		return err
	}
	if first, err := b.seen.Seen(ctx, "setup", "default-ticketing-channels", 10*time.Minute); err != nil || !first {
		return err
	}
	for _, d := range defaultTeams {
		id, err := b.createPublicChannel(ctx, d.name)
		if err != nil {
			return err
		}
		st.TicketingChannels = append(st.TicketingChannels, tickets.Team{ChannelID: id, Label: d.label})
	}
	if err := b.tk.UpdateSettings(ctx, *st); err != nil {
		return err
	}
	b.log.Info("created the default ticketing channels; invite your team to them",
		zap.String("support", st.TicketingChannels[0].ChannelID), zap.String("technical", st.TicketingChannels[1].ChannelID))
	return nil
}

// createPublicChannel creates a public channel named name, or name-2, name-3... when taken.
func (b *Bot) createPublicChannel(ctx context.Context, name string) (string, error) {
	for i := 1; i <= 5; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s-%d", name, i)
		}
		ch, err := b.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: n})
		if slackCode(err) == "name_taken" {
			continue
		}
		if err != nil {
			return "", classify("conversations.create", err)
		}
		return ch.ID, nil
	}
	return "", fmt.Errorf("bot: no free name for channel %s", name)
}
