package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ShowStatus tells t's inbox channel of status change c: who set the ticket waiting on
// the customer, on hold (until when, waiting for what) or active again; the customer's
// answer or the hold's end mention the assignee. A change the agent's own reply made
// (tickets.CauseReply) shows on the card alone: a line after every reply would be noise.
func (d *Desk) ShowStatus(ctx context.Context, t *tickets.Ticket, c tickets.StatusChange, key string) error {
	text := statusText(t, c)
	if text == "" || t.Inbox == "" {
		return nil
	}
	_, err := d.post(ctx, t.Inbox, "", key, slack.MsgOptionText(text, false))
	if slackCode(err) == "is_archived" {
		return nil // closed meanwhile
	}
	return err
}

// statusText is the inbox channel's line about change c of t; "" for none.
func statusText(t *tickets.Ticket, c tickets.StatusChange) string {
	to := "*" + c.To.Label() + "*"
	switch {
	case c.Cause == tickets.CauseReply:
		return ""
	case c.Cause == tickets.CauseReopen && c.To == tickets.StatusPending:
		return fmt.Sprintf(":leftwards_arrow_with_hook: The customer wrote again: the ticket is reopened and waits for a pick in %s.", channelLink(t.Team.ChannelID))
	case c.Cause == tickets.CauseReopen:
		return fmt.Sprintf(":leftwards_arrow_with_hook: %s The customer wrote again: the ticket is reopened and %s.", mention(t.Assignee.ID), to)
	case c.Cause == tickets.CauseCustomer:
		return fmt.Sprintf("%s The customer answered: the ticket is %s again.", mention(t.Assignee.ID), to)
	case c.Cause == tickets.CauseWake:
		s := fmt.Sprintf("%s The hold is over: the ticket is %s again.", mention(t.Assignee.ID), to)
		if c.From == tickets.StatusOnHold && len(t.Statuses) > 1 {
			if hold := t.Statuses[len(t.Statuses)-2]; hold.Note != "" {
				s += " It was waiting for: " + esc(clip(hold.Note, tickets.MaxHoldNoteBytes))
			}
		}
		return s
	case c.To == tickets.StatusOnHold:
		s := fmt.Sprintf(":double_vertical_bar: %s put the ticket %s", mention(c.By.ID), to)
		if !c.WakeAt.IsZero() {
			s += " until " + when(c.WakeAt)
		}
		if c.Note != "" {
			s += ": " + esc(c.Note)
		}
		return s + "."
	}
	return fmt.Sprintf("%s set the ticket to %s.", mention(c.By.ID), to)
}

// heldLine is what the card's status adds for a ticket waiting on the customer or on
// hold: " · Waiting on customer", " · On hold until …: note".
func heldLine(t *tickets.Ticket) string {
	switch t.Status {
	case tickets.StatusWaiting:
		return " · " + t.Status.Label()
	case tickets.StatusOnHold:
		s := " · " + t.Status.Label()
		if hold, ok := t.Hold(); ok {
			if !hold.WakeAt.IsZero() {
				s += " until " + when(hold.WakeAt)
			}
			if hold.Note != "" {
				s += ": " + esc(clip(hold.Note, 200))
			}
		}
		return s
	}
	return ""
}
