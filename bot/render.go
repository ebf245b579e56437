package bot

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Slack's limits on what the bot renders (Block Kit reference).
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxFields      = 10
	maxHeaderText  = 150
	maxContextText = 2000
	maxBlocks      = 50
	maxMessageText = 40000
	maxButtonText  = 75
)

// sourceNames are how people know the sources; others show under their own name.
var sourceNames = map[string]string{
	"webhook":           "Chatbot",
	"chatra":            "Chatra",
	"gladly":            "Gladly",
	"widget":            "Website chat",
	tickets.SourceSlack: "Slack channel",
}

// sourceName is how people know a ticket's source: "Chatra", "Gladly".
func sourceName(t *tickets.Ticket) string {
	if name := sourceNames[t.Source]; name != "" {
		return name
	}
	return t.Source
}

// sourceLabel says where a chat comes from: "Chatbot (whatsapp)".
func sourceLabel(t *tickets.Ticket) string {
	name := sourceName(t)
	if ch := t.Customer.Fields["channel"]; ch != "" {
		name += " (" + ch + ")"
	}
	return name
}

// esc escapes text from outside (customers, sources) for Slack's mrkdwn, so that it can
// neither mention anyone (<!channel>) nor forge a link.
func esc(s string) string { return escaper.Replace(s) }

// escaper is made once: a Replacer is safe for concurrent use, and making one for every
// message cost more than the escaping.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// clip shortens s to max bytes (see tickets.Clip).
func clip(s string, max int) string { return tickets.Clip(s, max) }

// quote renders customer text as a mrkdwn block quote.
func quote(s string) string {
	return "> " + strings.ReplaceAll(esc(s), "\n", "\n> ")
}

func mention(a tickets.AgentID) string { return "<@" + string(a) + ">" }
func channelLink(id string) string     { return "<#" + id + ">" }

// ticketTitle is "#135 · Carol".
func ticketTitle(t *tickets.Ticket) string {
	return fmt.Sprintf("#%d · %s", t.Number, t.Customer.DisplayName())
}

// contactLine lists how to reach the customer: "carol@example.com · +44 20 7946 0000".
func contactLine(c tickets.Customer) string {
	var parts []string
	for _, s := range []string{c.Email, c.Phone} {
		if s != "" {
			parts = append(parts, esc(s))
		}
	}
	if c.ID != "" && c.Name == "" && len(parts) == 0 {
		parts = append(parts, esc(c.ID))
	}
	return strings.Join(parts, " · ")
}

// fieldKeys are the customer's extra fields in a stable order.
func fieldKeys(c tickets.Customer) []string {
	return slices.Sorted(maps.Keys(c.Fields))
}

// status says where the ticket stands, seen from a card in channel cardChannel: a card
// left behind by a transfer says where the ticket went.
func status(t *tickets.Ticket, cardChannel string) string {
	switch {
	case t.Status == tickets.StatusClosed:
		if t.ClosedBy.ID != "" {
			s := "Closed by " + mention(t.ClosedBy.ID)
			if t.CloseReason != "" {
				s += ": " + esc(clip(t.CloseReason, 300))
			}
			return s
		}
		return "Closed: " + esc(clip(t.CloseReason, 300))
	case cardChannel != "" && cardChannel != t.Team.ChannelID:
		return fmt.Sprintf("Transferred to %s (%s)", esc(t.Team.Label), channelLink(t.Team.ChannelID))
	case t.Status.Picked():
		s := "Processing by " + mention(t.Assignee.ID)
		if t.Inbox != "" {
			s += " in " + channelLink(t.Inbox)
		}
		return s + heldLine(t)
	default:
		return "Pending"
	}
}
