package bot

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// cardBlocks renders ticket t's card as it should look in channel cardChannel: who the
// customer is, where they come from, what they said, the team, the status, and a Pick
// button while the ticket waits in that channel's team.
// For a customer channel's request, request is the link to the customer's message that
// began it ("" when Slack did not give one).
func cardBlocks(t *tickets.Ticket, cardChannel, request string) []slack.Block {
	header := slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType,
		clip("Ticket "+ticketTitle(t), maxHeaderText), false, false))
	who := "*Customer*\n" + esc(clip(t.Customer.DisplayName(), 500))
	if id := contactLine(t.Customer); id != "" {
		who += "\n" + clip(id, 1000)
	}
	fields := []*slack.TextBlockObject{
		md(clip(who, maxFieldText)),
		md("*Source*\n" + sourceField(t, request)),
		md("*Team*\n" + esc(clip(t.Team.Label, 200))),
		md("*Status*\n" + clip(status(t, cardChannel), maxFieldText-20)),
	}
	blocks := []slack.Block{header}
	if t.Title != "" {
		blocks = append(blocks, slack.NewSectionBlock(md(clip("*"+esc(t.Title)+"*", maxSectionText)), nil, nil))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	if said := cardText(t); said != "" {
		blocks = append(blocks, slack.NewSectionBlock(md(said), nil, nil))
	}
	if d := detailsLine(t); d != "" {
		blocks = append(blocks, slack.NewContextBlock("", md(clip(d, maxSectionText))))
	}
	if d := dueLine(t); d != "" {
		blocks = append(blocks, slack.NewContextBlock("", md(clip(d, maxContextText))))
	}
	if extra := extraFields(t.Customer, 5); extra != "" {
		blocks = append(blocks, slack.NewContextBlock("", md(extra)))
	}
	var buttons []slack.BlockElement
	if t.Status == tickets.StatusPending && cardChannel == t.Team.ChannelID {
		buttons = append(buttons, slack.NewButtonBlockElement(ActionPick, string(t.ID),
			slack.NewTextBlockObject(slack.PlainTextType, "Pick", false, false)).WithStyle(slack.StylePrimary))
	}
	buttons = append(buttons, detailsButton(t.ID))
	return append(blocks, slack.NewActionBlock("ticket_actions", buttons...))
}

// sourceField is the card's Source: where the chat comes from, and for a customer
// channel's request, the channel, the link to the customer's message (request) and the
// requester's organisation.
func sourceField(t *tickets.Ticket, request string) string {
	channel, _, ok := tickets.SplitChannelConversation(t.ConversationID)
	if !t.InThread() || !ok {
		return esc(clip(sourceLabel(t), 500))
	}
	s := sourceName(t) + " <#" + channel + ">"
	if strings.HasPrefix(request, "https://") {
		s += " · <" + strings.NewReplacer("|", "%7C", ">", "%3E").Replace(request) + "|the request>"
	}
	if org := t.Customer.Fields[tickets.CustomerOrganisation]; org != "" {
		s += "\n" + esc(clip(org, 200))
	}
	return s
}

// cardFallback is the card's notification text.
func cardFallback(t *tickets.Ticket, cardChannel string) string {
	return clip(fmt.Sprintf("Ticket %s via %s: %s", ticketTitle(t), sourceLabel(t), plain(status(t, cardChannel))), 3000)
}

// plain strips the mrkdwn mentions out of a status line for notification text.
func plain(s string) string {
	return strings.NewReplacer("<#", "#", "<@", "@", ">", "").Replace(s)
}

// cardText is what the customer said first, or the source's summary.
func cardText(t *tickets.Ticket) string {
	switch {
	case t.Opening != "":
		return clip(quote(t.Opening), maxSectionText)
	case t.Summary != "":
		return clip("*Summary:* "+esc(t.Summary), maxSectionText)
	}
	return ""
}

// extraFields lists up to n of the customer's other fields on one line.
func extraFields(c tickets.Customer, n int) string {
	var parts []string
	keys := fieldKeys(c)
	for i, k := range keys {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("*%s:* %s", esc(clip(k, 100)), esc(clip(c.Fields[k], 200))))
	}
	return clip(strings.Join(parts, " · "), maxContextText)
}

func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// introBlocks is the first message of an inbox channel: every detail of the customer the
// source gave, who handles the chat, and the pick's notice (pickedLine).
func introBlocks(t *tickets.Ticket) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType,
			clip("Live chat "+ticketTitle(t), maxHeaderText), false, false)),
		slack.NewSectionBlock(md(clip(fmt.Sprintf(
			"*Customer:* %s\n*Source:* %s\n*Team:* %s\n*Ticket handler:* %s",
			esc(t.Customer.DisplayName()), esc(sourceLabel(t)), esc(t.Team.Label), mention(t.Assignee.ID)),
			maxSectionText)), nil, nil),
		slack.NewSectionBlock(md(pickedLine(t)), nil, nil),
	}
	var fields []*slack.TextBlockObject
	add := func(k, v string) {
		if v != "" {
			fields = append(fields, md(clip(fmt.Sprintf("*%s*\n%s", esc(clip(k, 200)), esc(v)), maxFieldText)))
		}
	}
	add("Name", t.Customer.Name)
	add("Email", t.Customer.Email)
	add("Phone", t.Customer.Phone)
	add("Customer id", t.Customer.ID)
	for _, k := range fieldKeys(t.Customer) {
		add(k, t.Customer.Fields[k])
	}
	// Ten fields a section, leaving room for the blocks around them.
	for i := 0; i < len(fields) && len(blocks) < maxBlocks-3; i += maxFields {
		blocks = append(blocks, slack.NewSectionBlock(nil, fields[i:min(i+maxFields, len(fields))], nil))
	}
	if t.Summary != "" {
		blocks = append(blocks, slack.NewSectionBlock(md(clip("*Summary:* "+esc(t.Summary), maxSectionText)), nil, nil))
	}
	if s := syncLines(t); s != "" {
		blocks = append(blocks, slack.NewContextBlock("", md(clip(s, maxSectionText))))
	}
	blocks = append(blocks, slack.NewContextBlock("", md(
		"Top-level messages here go to the customer. Replies in threads are internal notes. "+
			"Use the *Live Chat Control* shortcut on any message to transfer or end the chat.")))
	return blocks
}

// customerText renders a customer message for Slack: escaped, with links to attachments.
func customerText(m tickets.Message) string {
	if m.Deleted {
		if m.Direction == tickets.FromSourceAgent {
			return deletedAtSource
		}
		return deletedLine
	}
	var b strings.Builder
	b.WriteString(esc(m.Text))
	for _, a := range m.Attachments {
		if a.Upload {
			continue // shared as a Slack file (upload.go)
		}
		name := a.Name
		if name == "" {
			name = "attachment"
		}
		fmt.Fprintf(&b, "\n:paperclip: <%s|%s>", linkURL(a.URL), esc(clip(name, 200)))
	}
	if !m.EditedAt.IsZero() {
		return clip(b.String(), maxMessageText-len(editedMark)) + editedMark
	}
	return clip(b.String(), maxMessageText)
}

// editedMark ends a customer message that was edited where it was written; deletedLine
// takes the place of one deleted there.
const (
	editedMark      = " _(edited)_"
	deletedLine     = ":wastebasket: _Deleted by the customer._"
	deletedAtSource = ":wastebasket: _Deleted where it was written._"
)

// underCardText is a customer message's text (customerText) as its card's thread shows
// it, under the name of who wrote it.
func underCardText(name, text string) string {
	return "*" + esc(name) + ":* " + text
}

// linkURL makes a URL safe inside <url|text>: those characters would end the link.
func linkURL(u string) string { return linkEscaper.Replace(u) }

var linkEscaper = strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C", " ", "%20")

// pickedLine is the notice of t's first pick (its assignee picked it): the inbox
// channel's first message carries it, so that the pick that made the channel posts no
// notice of its own.
func pickedLine(t *tickets.Ticket) string {
	return noticeText(t, tickets.Event{Type: tickets.EventPicked, Actor: t.Assignee})
}

// noticeText is the status line posted in the inbox channel for ev.
func noticeText(t *tickets.Ticket, ev tickets.Event) string {
	switch ev.Type {
	case tickets.EventPicked:
		return fmt.Sprintf(":large_green_circle: Active: %s picked ticket #%d.", mention(ev.Actor.ID), t.Number)
	case tickets.EventTransferred:
		return fmt.Sprintf(":arrow_right: Transferred to %s (%s) by %s. Pending until someone there picks it.",
			esc(ev.To.Label), channelLink(ev.To.ChannelID), mention(ev.Actor.ID))
	case tickets.EventClosed:
		if ev.BySource {
			return ":lock: The chat was closed at the source: " + esc(clip(ev.Reason, 500))
		}
		if ev.HandedBack {
			return fmt.Sprintf(":leftwards_arrow_with_hook: %s handed the chat back to %s. %s",
				mention(ev.Actor.ID), esc(sourceName(t)), esc(clip(ev.Reason, 500)))
		}
		s := fmt.Sprintf(":lock: %s ended the live chat.", mention(ev.Actor.ID))
		if ev.Reason != "" {
			s += " " + esc(clip(ev.Reason, 500))
		}
		return s
	case tickets.EventRated:
		if t.CSAT == nil {
			return ""
		}
		return fmt.Sprintf(":star: %s rated the chat %s", esc(t.Customer.DisplayName()), ratingText(*t.CSAT))
	}
	return ""
}

// syncLines says where t stands with each sink, one line each, sinks in name order.
func syncLines(t *tickets.Ticket) string {
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(t.Syncs)) {
		lines = append(lines, syncLine(name, t.Syncs[name]))
	}
	return strings.Join(lines, "\n")
}

// syncLine is one sink's status for people: "Vitally: synced to Account Acme".
func syncLine(sink string, s tickets.SyncStatus) string {
	name := sinkLabel(sink)
	switch {
	case !s.Synced:
		return fmt.Sprintf(":warning: %s: not synced. %s", name, esc(s.Reason))
	case s.Reason != "":
		return fmt.Sprintf(":warning: %s: synced to %s, but %s", name, esc(s.Where), esc(s.Reason))
	case s.Where != "":
		return fmt.Sprintf("%s: synced to %s", name, esc(s.Where))
	}
	return name + ": synced"
}

// sinkLabel is a sink's name for people.
func sinkLabel(sink string) string {
	switch sink {
	case "vitally":
		return "Vitally"
	case "ai":
		return "AI enrichment"
	}
	return esc(sink)
}
