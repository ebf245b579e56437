package tickets

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// GroupSLA is the consumer group that watches tickets' SLA clocks: it keeps the warning
// and breach timers of each running clock set (through the store's timers, which fire
// once however many processes run), carries out their alerts, and keeps the card's due
// line up to date. Apart from the desk's so that a burst of alerts, paced by Slack's
// limits, never holds up a customer's messages.
const GroupSLA = "sla"

// slaTypes are the events the SLA group acts on: those that bring a ticket to a team (its
// policy), change its urgency (its targets) or start or stop a clock, and the timers.
var slaTypes = []EventType{EventOpened, EventTransferred, EventUpdated, EventClock, EventSLAAlert, EventPolicy, EventStatus, EventReopened}

// SLAAlert is a warning or a breach of one of a ticket's SLA clocks, and who hears of it.
type SLAAlert struct {
	Clock  DueClock
	Breach bool
	// Notify are told by direct message: the assignee, or the priority group while no one
	// has the ticket.
	Notify []AgentID
	// Escalation is mentioned at a breach: a user group or channel id; "" for no one.
	Escalation string
}

// SLAAlertName names one warning or breach of one clock: its kind, when it started, and
// which of the two.
func SLAAlertName(kind SLAKind, started time.Time, breach bool) string {
	level := "warn"
	if breach {
		level = "breach"
	}
	return fmt.Sprintf("%s/%d/%s", kind, started.UnixMilli(), level)
}

// handleSLA is the SLA group's handler.
func (s *Service) handleSLA(ctx context.Context, ev Event) error {
	if !slices.Contains(slaTypes, ev.Type) {
		return nil
	}
	t, err := s.ticketFor(ctx, ev)
	if err != nil || !t.IsOpen() {
		return err // a closed ticket's clocks have stopped: its timers withdraw themselves
	}
	st, err := s.recentSettings(ctx)
	if ev.Type == EventPolicy {
		st, err = s.Settings(ctx) // saved since this process last read them, perhaps
	}
	if err != nil {
		return err
	}
	policy, has := st.SLAFor(t.Team.ChannelID)
	if w := policy.watch(has); w != t.Watch {
		// The ticket came to a team (or its team's policy changed): it is watched as that
		// policy says from now on.
		if err := s.store.SetWatch(ctx, t.ID, w); err != nil {
			return err
		}
		t.Watch = w
	}
	if !has {
		if ev.Type == EventPolicy {
			return s.refreshCardDue(ctx, t, nil, ev) // its due times go
		}
		return nil
	}
	now := s.now()
	if ev.Type == EventSLAAlert {
		if err := s.alertSLA(ctx, t, st, policy, ev, now); err != nil {
			return err
		}
		return s.armSLA(ctx, t, policy, now) // the breach after a warning
	}
	if err := s.armSLA(ctx, t, policy, now); err != nil {
		return err
	}
	if ev.Type != EventClock && ev.Type != EventPolicy {
		return nil // the desk group updates the card for the others
	}
	return s.refreshCardDue(ctx, t, policy.DueClocks(t, now), ev)
}

// refreshCardDue updates t's card, if it is posted, to show due, when what it shows of
// the clocks changed (a next response's clock shows only once it warned: CardClocks).
func (s *Service) refreshCardDue(ctx context.Context, t *Ticket, due []DueClock, ev Event) error {
	if t.Card.IsZero() {
		return nil // posted with its clocks
	}
	t.Due = due
	sig := cardSignature(CardClocks(due))
	if sig == t.CardDue {
		return nil
	}
	if err := s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card"); err != nil {
		return err
	}
	return s.store.SetCardDue(ctx, t.ID, sig)
}

// RearmSLA tells the SLA group of each open ticket of team (its ticketing channel id)
// that the team's policy was saved (EventPolicy), and returns how many it told: their
// clocks are then watched and timed as the saved policy says, rather than from their
// next change of team, urgency or status. Safe to repeat: a ticket whose clocks already
// go by the policy changes nothing. It reads every open ticket: for an admin's save, not
// for a message's path.
func (s *Service) RearmSLA(ctx context.Context, team string) (int, error) {
	open, err := s.store.OpenTickets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range open {
		if t.Team.ChannelID != team {
			continue
		}
		if err := s.store.AddEvent(ctx, t.ID, Event{Type: EventPolicy, TicketID: t.ID, At: s.now()}); err != nil {
			return n, fmt.Errorf("tickets: rearm %s: %w", t.ID, err)
		}
		n++
	}
	return n, nil
}

// armSLA sets the timer of the next alert of each of t's running clocks under p: its
// warning, or once that was carried out (or its due time has passed, when the breach
// says it all) its breach; the alert of a timer sets the next. One timer a clock at a
// time keeps an idle ticket's cost to its clocks, two timers. Setting a timer again for
// the same clock and time changes nothing; an alert carried out already is not set
// again. A clock that stopped or moved leaves its old timer, which finds it so when it
// fires and does nothing.
func (s *Service) armSLA(ctx context.Context, t *Ticket, p SLAPolicy, now time.Time) error {
	for _, c := range t.Clocks(p) {
		due, ok := p.Due(c)
		if !ok {
			continue
		}
		at, breach := due.Warn, false
		if t.Alerted[SLAAlertName(c.Kind, c.Started, false)] || !now.Before(due.Due) {
			at, breach = due.Due, true
		}
		if t.Alerted[SLAAlertName(c.Kind, c.Started, breach)] {
			continue
		}
		ev := Event{Type: EventSLAAlert, TicketID: t.ID, At: at, Clock: c.Kind, Started: c.Started, Breach: breach}
		if err := s.store.Schedule(ctx, t.ID, ev, at); err != nil {
			return err
		}
	}
	return nil
}

// alertSLA carries out timer ev if its clock still runs, started when it did, and is
// warned or due at ev.At under the policy as it is now: once per alert (ClaimAlert), then
// the card shows where the clocks stand.
func (s *Service) alertSLA(ctx context.Context, t *Ticket, st *Settings, p SLAPolicy, ev Event, now time.Time) error {
	c, ok := t.Clock(p, ev.Clock)
	if !ok || !c.Started.Equal(ev.Started) {
		return nil // answered, or stopped, since
	}
	due, ok := p.Due(c)
	at := due.Warn
	if ev.Breach {
		at = due.Due
	}
	if !ok || at.Sub(ev.At).Abs() >= time.Second {
		return nil // the policy or the urgency changed: the clock's own timers are set
	}
	if t.Card.IsZero() {
		// Due before its card is posted (a burst of tickets waits its turn under Slack's
		// limits): the alert shows under the card, so it waits for it.
		return NotStarted(fmt.Errorf("ticket %s: its card is not posted yet", t.ID))
	}
	name := SLAAlertName(ev.Clock, ev.Started, ev.Breach)
	claimed, err := s.store.ClaimAlert(ctx, t.ID, name, ev.ID)
	if err != nil || !claimed {
		return err
	}
	if t.Alerted == nil {
		t.Alerted = map[string]bool{}
	}
	t.Alerted[name] = true
	t.Due = p.DueClocks(t, now)
	a := SLAAlert{Clock: DueClock{Kind: c.Kind, Warn: due.Warn, Due: due.Due, Warned: true, Breached: ev.Breach}, Breach: ev.Breach}
	if t.Assignee.ID != "" {
		a.Notify = []AgentID{t.Assignee.ID}
	} else {
		a.Notify = st.PriorityGroup
	}
	if ev.Breach {
		a.Escalation = p.Escalation
	}
	if !IsRetry(ctx) {
		s.obs.SLAAlerted(t, a)
	}
	if err := s.desk.AlertSLA(ctx, t, a, ev.ID); err != nil {
		return err
	}
	// The card is refreshed by an event of its own (EventClock, of which only a ticket's
	// latest is worked): under Slack's limits its chat.update (50 a minute) may wait its
	// turn long after the alert, and its retries then repeat no post of the alert's.
	return s.followUp(ctx, Event{Type: EventClock, TicketID: t.ID, At: now})
}

// withDue fills t.Due for the desk: t's running clocks under its team's policy, if it
// has one.
func (s *Service) withDue(ctx context.Context, t *Ticket) error {
	if !t.IsOpen() {
		t.Due = nil
		return nil
	}
	st, err := s.recentSettings(ctx)
	if err != nil {
		return err
	}
	if p, ok := st.SLAFor(t.Team.ChannelID); ok {
		t.Due = p.DueClocks(t, s.now())
	}
	return nil
}

// withReport fills t.Measured for the sinks and the metrics: what its clocks measured,
// in its team's business hours.
func (s *Service) withReport(ctx context.Context, t *Ticket) error {
	st, err := s.recentSettings(ctx)
	if err != nil {
		return err
	}
	p, _ := st.SLAFor(t.Team.ChannelID)
	t.Measured = p.Report(t)
	return nil
}
