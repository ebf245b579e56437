package app

import (
	"time"

	"github.com/frontdeskhq/frontdesk/store/outbox"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// What the parts of Frontdesk tell the metrics: the ticket service (tickets.Observer),
// the Slack bot (bot.Metrics), the Vitally sink and the outbox workers.

// TicketOpened counts an opened ticket (tickets.Observer).
func (m *metrics) TicketOpened(t *tickets.Ticket) {
	m.opened.WithLabelValues(t.Team.Label, t.Source).Inc()
}

// TicketPicked counts a pick and, for the first, the time it took (tickets.Observer).
func (m *metrics) TicketPicked(t *tickets.Ticket, wait time.Duration, first bool) {
	m.picked.WithLabelValues(t.Team.Label, t.Source).Inc()
	if first {
		m.timeToPick.WithLabelValues(t.Team.Label, t.Source).Observe(wait.Seconds())
	}
}

// TicketTransferred counts a transfer (tickets.Observer).
func (m *metrics) TicketTransferred(t *tickets.Ticket, from tickets.Team) {
	m.transferred.WithLabelValues(t.Team.Label, from.Label, t.Source).Inc()
}

// TicketClosed counts a closed ticket (tickets.Observer).
func (m *metrics) TicketClosed(t *tickets.Ticket) {
	m.closed.WithLabelValues(t.Team.Label, t.Source, closedBy(t)).Inc()
}

// closedBy says who closed t: "agent", "source", "handed_back" (an agent gave the chat
// back to its source) or "sla" (nobody picked it in the source's time).
func closedBy(t *tickets.Ticket) string {
	switch {
	case t.HandedBack && t.ClosedBy.ID == "":
		return "sla"
	case t.HandedBack:
		return "handed_back"
	case t.BySource:
		return "source"
	}
	return "agent"
}

// MessageRelayed counts a message taken for relay (tickets.Observer).
func (m *metrics) MessageRelayed(source string, d tickets.Direction) {
	m.relayed.WithLabelValues(string(d), source).Inc()
}

// StatusChanged counts a status change (tickets.Observer).
func (m *metrics) StatusChanged(t *tickets.Ticket, c tickets.StatusChange) {
	cause := c.Cause
	if cause == "" {
		cause = "agent"
	}
	m.statuses.WithLabelValues(t.Team.Label, string(c.From), string(c.To), cause).Inc()
}

// TicketMeasured records a closed ticket's first response and resolution times
// (tickets.Observer).
func (m *metrics) TicketMeasured(t *tickets.Ticket, r tickets.SLAReport) {
	if r.Responded {
		m.firstResponse.WithLabelValues(t.Team.Label).Observe(r.FirstResponse.Seconds())
	}
	if r.Resolved {
		m.resolution.WithLabelValues(t.Team.Label).Observe(r.Resolution.Seconds())
	}
}

// SLAAlerted counts an SLA warning or breach (tickets.Observer).
func (m *metrics) SLAAlerted(t *tickets.Ticket, a tickets.SLAAlert) {
	urgency, level := string(t.Urgency), "warning"
	if urgency == "" {
		urgency = "none"
	}
	if a.Breach {
		level = "breach"
	}
	m.slaAlerts.WithLabelValues(t.Team.Label, urgency, string(a.Clock.Kind), level).Inc()
}

// Connected sets the Socket Mode gauge and counts reconnections (bot.Metrics).
func (m *metrics) Connected(up bool) {
	if !up {
		m.socketUp.Set(0)
		return
	}
	m.socketUp.Set(1)
	if m.connectedOnce.Swap(true) {
		m.reconnects.Inc()
	}
}

// EnvelopeAcked records how long an envelope waited for its ack (bot.Metrics).
func (m *metrics) EnvelopeAcked(took time.Duration) { m.ackTook.Observe(took.Seconds()) }

// OrderChecked counts a check of an inbox channel's message order and the messages it
// recovered (bot.Metrics).
func (m *metrics) OrderChecked(outcome string, recovered int) {
	m.orderChecks.WithLabelValues(outcome).Inc()
	m.recovered.Add(float64(recovered))
}

// CaughtUp counts a catch-up of a customer channel and the messages it read back
// (bot.Metrics).
func (m *metrics) CaughtUp(outcome string, read int) {
	m.catchUps.WithLabelValues(outcome).Inc()
	m.catchUpRead.Add(float64(read))
}

// vitallySynced counts a Vitally sync (vitally.Deps.Observe).
func (m *metrics) vitallySynced(outcome, reason string) {
	m.vitallySyncs.WithLabelValues(outcome, reason).Inc()
}

// outboxObserver returns what tells group's handler calls (outbox.Config.Observe).
func (m *metrics) outboxObserver(group string) func(outcome string, took time.Duration) {
	for _, o := range []string{outbox.OutcomeOK, outbox.OutcomeRetry, outbox.OutcomeGaveUp, outbox.OutcomeSuperseded} {
		m.handled.WithLabelValues(group, o) // shown as 0 until it happens
	}
	took := m.handlerTook.WithLabelValues(group)
	return func(outcome string, d time.Duration) {
		m.handled.WithLabelValues(group, outcome).Inc()
		if outcome != outbox.OutcomeSuperseded { // no call was made
			took.Observe(d.Seconds())
		}
	}
}
