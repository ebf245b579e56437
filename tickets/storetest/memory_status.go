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
	case tickets.StatusActive:
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
	if c.IfPending && t.Status == tickets.StatusActive {
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
