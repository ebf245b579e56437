package tickets

import "time"

// Observer is told what the Service decided, for metrics: tickets opened, picked,
// transferred and closed, and messages taken for relay. Each method is called once the
// Store has recorded the decision, never while a Store call is in progress; it must be
// quick and must not block. Set it with Config.Observer; without one nothing is told.
type Observer interface {
	// TicketOpened: t was created (not when Open returned a ticket already open).
	TicketOpened(t *Ticket)
	// TicketPicked: t was picked after waiting wait: since it was created when first
	// (its first pick), else since its latest transfer. A ticket is transferred only
	// from its inbox channel, which its first pick opened, so a pick that follows no
	// transfer is the first.
	TicketPicked(t *Ticket, wait time.Duration, first bool)
	// TicketTransferred: t moved from team from to t.Team, pending there.
	TicketTransferred(t *Ticket, from Team)
	// TicketClosed: t was closed; t.ClosedBy, t.BySource and t.HandedBack say how (a
	// hand-back without ClosedBy is the source's SLA).
	TicketClosed(t *Ticket)
	// MessageRelayed: a message of direction d (FromCustomer or FromSourceAgent to Slack,
	// FromAgent to the customer) was added to a ticket of source, to be relayed. Repeats
	// that were not added and internal notes are not told.
	MessageRelayed(source string, d Direction)
	// StatusChanged: a picked ticket's status changed (c), told when the desk group
	// carries out its event (once, unless a retry of it).
	StatusChanged(t *Ticket, c StatusChange)
	// TicketMeasured: t was closed (told when the desk group carries out the close, once
	// unless a retry of it), and its clocks measured r.
	TicketMeasured(t *Ticket, r SLAReport)
	// SLAAlerted: a warning or breach of one of t's SLA clocks fired (once per alert).
	SLAAlerted(t *Ticket, a SLAAlert)
}

// nopObserver is the Observer of a Service configured without one.
type nopObserver struct{}

func (nopObserver) TicketOpened(*Ticket)                      {}
func (nopObserver) TicketPicked(*Ticket, time.Duration, bool) {}
func (nopObserver) TicketTransferred(*Ticket, Team)           {}
func (nopObserver) TicketClosed(*Ticket)                      {}
func (nopObserver) MessageRelayed(string, Direction)          {}
func (nopObserver) SLAAlerted(*Ticket, SLAAlert)              {}
func (nopObserver) StatusChanged(*Ticket, StatusChange)       {}
func (nopObserver) TicketMeasured(*Ticket, SLAReport)         {}

// observePick tells the observer about t, just picked.
func (s *Service) observePick(t *Ticket) {
	since, first := t.CreatedAt, len(t.Transfers) == 0
	if !first {
		since = t.Transfers[len(t.Transfers)-1].At
	}
	s.obs.TicketPicked(t, max(t.PickedAt.Sub(since), 0), first)
}

// observeClose tells the observer about t when Store.Close closed it (err is nil).
func (s *Service) observeClose(t *Ticket, err error) {
	if err == nil && t != nil {
		s.obs.TicketClosed(t)
	}
}
