package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func (m *Memory) Pick(_ context.Context, id tickets.ID, agent tickets.Agent, at time.Time) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case tickets.StatusClosed:
		return nil, tickets.ErrClosed
	case tickets.StatusActive, tickets.StatusWaiting, tickets.StatusOnHold:
		return nil, &tickets.AlreadyPickedError{By: t.Assignee}
	}
	t.Status, t.Assignee, t.PickedAt, t.UpdatedAt = tickets.StatusActive, agent, at, at
	m.emit(tickets.Event{Type: tickets.EventPicked, TicketID: id, At: at, Actor: agent, AfterTransfer: len(t.Transfers) > 0})
	for _, msg := range m.held[id] {
		m.emit(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: at, Message: &msg, Place: tickets.PlaceInbox, Replay: true})
	}
	delete(m.held, id)
	return m.snapshot(id), nil
}

func (m *Memory) Transfer(_ context.Context, id tickets.ID, to tickets.Team, by tickets.Agent, at time.Time) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return nil, err
	}
	if t.Status == tickets.StatusClosed {
		return nil, tickets.ErrClosed
	}
	if t.Status == tickets.StatusPending && t.Team.ChannelID == to.ChannelID {
		return nil, tickets.ErrSameTeam
	}
	from := t.Team
	t.Transfers = append(t.Transfers, tickets.Transfer{From: from, To: to, By: by, At: at})
	t.Team, t.Status, t.Assignee, t.UpdatedAt = to, tickets.StatusPending, tickets.Agent{}, at
	prev := m.cardEv[id]
	m.cardEv[id] = m.emit(tickets.Event{Type: tickets.EventTransferred, TicketID: id, At: at, Actor: by, From: from, To: to, PrevCardEvent: prev})
	return m.snapshot(id), nil
}

func (m *Memory) Close(_ context.Context, id tickets.ID, c tickets.Closing) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.close(id, c)
}

// close closes ticket id. m.mu is held.
func (m *Memory) close(id tickets.ID, c tickets.Closing) (*tickets.Ticket, error) {
	t, err := m.get(id)
	if err != nil {
		return nil, err
	}
	if t.Status == tickets.StatusClosed {
		return nil, tickets.ErrClosed
	}
	if c.IfPending && t.Status.Picked() {
		return nil, tickets.ErrNotActive
	}
	t.Status, t.ClosedAt, t.UpdatedAt, t.ClosedBy, t.CloseReason = tickets.StatusClosed, c.At, c.At, c.By, c.Reason
	t.BySource, t.HandedBack = c.BySource, c.HandBack
	k := convKey(t.Source, t.ConversationID)
	if m.convs[k] == id {
		delete(m.convs, k)
	}
	m.last[k] = id
	delete(m.held, id)
	m.emit(tickets.Event{Type: tickets.EventClosed, TicketID: id, At: c.At, Actor: c.By, Reason: c.Reason, BySource: c.BySource, HandedBack: c.HandBack})
	return m.snapshot(id), nil
}

func (m *Memory) Rate(_ context.Context, id tickets.ID, c tickets.CSAT) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return err
	}
	if t.Status != tickets.StatusClosed {
		return fmt.Errorf("%w: ticket %s is not closed", tickets.ErrInvalid, id)
	}
	t.CSAT, t.UpdatedAt = &c, c.At
	m.emit(tickets.Event{Type: tickets.EventRated, TicketID: id, At: c.At})
	return nil
}

// SetStatus applies c to a picked ticket.
func (m *Memory) SetStatus(_ context.Context, id tickets.ID, c tickets.StatusChange, ifSince time.Time) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Status == tickets.StatusClosed:
		return nil, tickets.ErrClosed
	case !t.Status.Picked():
		return nil, tickets.ErrNotActive
	case !ifSince.IsZero() && (len(t.Statuses) == 0 || !t.Statuses[len(t.Statuses)-1].At.Equal(ifSince)):
		return nil, tickets.ErrStale
	case t.Status == c.To:
		return nil, tickets.ErrSameStatus
	}
	m.changeStatus(t, c)
	return m.snapshot(id), nil
}

// changeStatus records c, from t's status, and appends its event. m.mu is held.
func (m *Memory) changeStatus(t *tickets.Ticket, c tickets.StatusChange) {
	c.From = t.Status
	t.Status, t.UpdatedAt = c.To, c.At
	t.Statuses = append(t.Statuses, c)
	m.emit(tickets.Event{Type: tickets.EventStatus, TicketID: t.ID, At: c.At, Actor: c.By, Status: &c})
}

// Reopen opens closed ticket id again, as the Store's contract says.
func (m *Memory) Reopen(_ context.Context, id tickets.ID, at time.Time) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return nil, err
	}
	conv := convKey(t.Source, t.ConversationID)
	open, isOpen := m.convs[conv]
	switch {
	case t.IsOpen() && open == id:
		return m.snapshot(id), nil // reopened already
	case t.IsOpen() || isOpen || m.last[conv] != id:
		return nil, tickets.ErrStale
	}
	c := tickets.StatusChange{From: tickets.StatusClosed, To: tickets.StatusPending, At: at, Cause: tickets.CauseReopen, ClosedAt: t.ClosedAt}
	if t.Assignee.ID != "" {
		c.To = tickets.StatusActive
	}
	t.Status, t.UpdatedAt = c.To, at
	t.ClosedAt, t.ClosedBy, t.CloseReason, t.BySource, t.HandedBack = time.Time{}, tickets.Agent{}, "", false, false
	t.Statuses = append(t.Statuses, c)
	m.convs[conv] = id
	m.emit(tickets.Event{Type: tickets.EventReopened, TicketID: id, At: at, Actor: t.Assignee, Status: &c})
	return m.snapshot(id), nil
}
