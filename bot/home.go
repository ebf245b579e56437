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
	blocks := homeBlocks(st, admin)
	if q, err := b.tk.Queues(ctx, tickets.AgentID(user)); err != nil {
		b.log.Warn("home: queues", zap.String("user", user), zap.Error(err))
		blocks = append(blocks, slack.NewContextBlock("", md("The queues could not be read just now; open this tab again in a moment.")))
	} else {
		blocks = append(blocks, queueBlocks(q)...)
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
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

// Home lists at most this many of the agent's tickets and of each team's.
const (
	homeMine = 20
	homeTeam = 10
)

// queueBlocks are the App Home's queues: the agent's open tickets, then each team's,
// soonest due first, one line each with status and due times.
func queueBlocks(q tickets.Queues) []slack.Block {
	blocks := []slack.Block{slack.NewDividerBlock()}
	section := func(title string, ts []*tickets.Ticket, limit int, empty string) {
		lines := []string{title}
		for i, t := range ts {
			if i == limit {
				lines = append(lines, fmt.Sprintf("_and %d more_", len(ts)-limit))
				break
			}
			lines = append(lines, queueLine(t))
		}
		if len(ts) == 0 {
			lines = append(lines, "_"+empty+"_")
		}
		blocks = append(blocks, slack.NewSectionBlock(md(clip(strings.Join(lines, "\n"), maxSectionText)), nil, nil))
	}
	section(fmt.Sprintf("*Your tickets* (%d)", len(q.Mine)), q.Mine, homeMine, "None open: pick one in a ticketing channel.")
	for _, tq := range q.Teams {
		if len(blocks) >= maxBlocks-2 {
			break
		}
		section(fmt.Sprintf("*%s* · %s (%d open)", esc(clip(tq.Team.Label, 200)), channelLink(tq.Team.ChannelID), len(tq.Tickets)),
			tq.Tickets, homeTeam, "Nothing open.")
	}
	return blocks
}

// queueLine is one ticket in a queue: where it is (its inbox channel once picked), its
// number and customer, status (and who has it) and its soonest clock.
func queueLine(t *tickets.Ticket) string {
	where := channelLink(t.Team.ChannelID)
	if t.Inbox != "" && t.Status.Picked() {
		where = channelLink(t.Inbox)
	}
	line := fmt.Sprintf("• %s %s · %s", where, esc(clip(ticketTitle(t), 120)), t.Status.Label())
	if t.Status.Picked() && t.Assignee.ID != "" {
		line += " · " + mention(t.Assignee.ID)
	}
	if len(t.Due) > 0 {
		line += " · " + clockText(t.Due[0])
	}
	return line
}
