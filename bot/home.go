package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// publishHome shows user the App Home tab: what Frontdesk does, the teams, and for admins
// the button to the admin panel.
func (b *Bot) publishHome(ctx context.Context, user string) {
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.log.Error("home: settings", zap.Error(err))
		return
	}
	admin, err := b.admin.isAdmin(ctx, user)
	if err != nil {
		b.log.Warn("home: admin check", zap.String("user", user), zap.Error(err))
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: homeBlocks(st, admin)}}
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		b.log.Warn("publish home", zap.String("user", user), zap.Error(err))
	}
}

func homeBlocks(st *tickets.Settings, admin bool) []slack.Block {
	var teams []string
	for _, t := range st.TicketingChannels {
		teams = append(teams, fmt.Sprintf("• %s: %s", esc(t.Label), channelLink(t.ChannelID)))
	}
	if len(teams) == 0 {
		teams = []string{"No ticketing channel yet."}
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plainText("Frontdesk")),
		slack.NewSectionBlock(md("Customers' live chats arrive as tickets in the ticketing channels. Press *Pick* on a ticket to answer the customer from its private inbox channel: top-level messages there go to the customer, thread replies stay internal. Use the *Live Chat Control* shortcut on a message in an inbox channel to transfer or end the chat."), nil, nil),
		slack.NewSectionBlock(md(clip("*Ticketing channels*\n"+strings.Join(teams, "\n"), maxSectionText)), nil, nil),
	}
	if admin {
		blocks = append(blocks, slack.NewActionBlock("home_actions",
			slack.NewButtonBlockElement(ActionOpenAdmin, "", plainText("Open admin panel")).WithStyle(slack.StylePrimary)))
	} else {
		blocks = append(blocks, slack.NewContextBlock("", md("Settings are changed by Frontdesk admins.")))
	}
	return blocks
}
