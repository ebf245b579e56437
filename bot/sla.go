package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// clockNames are the SLA clocks as agents read them.
var clockNames = map[tickets.SLAKind]string{
	tickets.SLAFirstResponse: "First reply",
	tickets.SLANextResponse:  "Next reply",
	tickets.SLAResolution:    "Resolution",
}

// when renders t for Slack in each reader's own time zone ("today at 14:32"), with a UTC
// fallback for clients that cannot: Slack's date formatting,
// https://docs.slack.dev/messaging/formatting-message-text#date-formatting
func when(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("Jan 2 15:04 UTC"))
}

// dueLine shows ticket t's running SLA clocks on its card (tickets.CardClocks), soonest
// due first: "First reply due today at 14:32", "Resolution breached (due today at
// 11:00)", "Resolution paused". "" when none runs.
func dueLine(t *tickets.Ticket) string {
	var parts []string
	for _, c := range tickets.CardClocks(t.Due) {
		parts = append(parts, clockText(c))
	}
	return strings.Join(parts, " · ")
}

// clockText is one clock as the card and App Home show it.
func clockText(c tickets.DueClock) string {
	name := clockNames[c.Kind]
	switch {
	case c.Paused:
		return fmt.Sprintf(":double_vertical_bar: %s paused", name)
	case c.Breached:
		return fmt.Sprintf(":rotating_light: *%s breached* (due %s)", name, when(c.Due))
	case c.Warned:
		return fmt.Sprintf(":hourglass_flowing_sand: *%s due %s*", name, when(c.Due))
	}
	return fmt.Sprintf(":stopwatch: %s due %s", name, when(c.Due))
}

// AlertSLA tells of a warning or breach of one of t's SLA clocks: a line in the thread of
// its card, mentioning the escalation at a breach (a user group by mention; a channel
// gets the line too), and a direct message to each of a.Notify with a link to the card.
// A member who cannot be reached is logged and left out. Every post is tagged with key,
// so a repeat finds it rather than posting twice.
func (d *Desk) AlertSLA(ctx context.Context, t *tickets.Ticket, a tickets.SLAAlert, key string) error {
	name := clockNames[a.Clock.Kind]
	line := fmt.Sprintf(":hourglass_flowing_sand: Ticket %s: *%s* is due %s.", esc(ticketTitle(t)), strings.ToLower(name), when(a.Clock.Due))
	if a.Breach {
		line = fmt.Sprintf(":rotating_light: Ticket %s: *%s* breached its target (due %s).", esc(ticketTitle(t)), strings.ToLower(name), when(a.Clock.Due))
	}
	thread := line
	if strings.HasPrefix(a.Escalation, "S") {
		thread += fmt.Sprintf(" <!subteam^%s>", a.Escalation)
	}
	link := ""
	if !t.Card.IsZero() {
		if _, err := d.post(ctx, t.Card.Channel, t.Card.TS, key, slack.MsgOptionText(thread, false)); err != nil {
			return err
		}
		if len(a.Notify) > 0 || a.Escalation != "" && !strings.HasPrefix(a.Escalation, "S") {
			var err error // the link is for the messages elsewhere: asked only for them
			if link, err = d.Permalink(ctx, t.Card.Channel, t.Card.TS); err != nil {
				return err
			}
		}
	}
	elsewhere := line
	if link != "" {
		elsewhere += fmt.Sprintf(" <%s|Open the ticket>", link)
	}
	if a.Escalation != "" && !strings.HasPrefix(a.Escalation, "S") {
		if _, err := d.post(ctx, a.Escalation, "", key+":escalation", slack.MsgOptionText(elsewhere, false)); err != nil {
			if err = classify("chat.postMessage", err); !tickets.IsPermanent(err) {
				return err
			}
			d.log.Warn("cannot post an SLA breach in the escalation channel", zap.String("ticket", string(t.ID)),
				zap.String("channel", a.Escalation), zap.Error(err))
		}
	}
	for _, u := range a.Notify {
		dm, err := d.dm(ctx, u)
		if err == nil {
			_, err = d.post(ctx, dm, "", key+":dm:"+string(u), slack.MsgOptionText(elsewhere, false))
		}
		if err != nil {
			if err = classify("chat.postMessage", err); !tickets.IsPermanent(err) {
				return err
			}
			d.log.Warn("cannot send an SLA alert", zap.String("ticket", string(t.ID)), zap.String("user", string(u)), zap.Error(err))
		}
	}
	return nil
}
