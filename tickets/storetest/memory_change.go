package storetest

import (
	"context"
	"slices"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ChangeMessage changes the latest message of ticket id with c's direction and source
// id, in the transcript and among the held messages, as the Store's contract says.
func (m *Memory) ChangeMessage(_ context.Context, id tickets.ID, c tickets.MessageChange, when time.Time) (tickets.ChangeApplied, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return tickets.ChangeApplied{}, err
	}
	msgs := m.messages[id]
	for i := len(msgs) - 1; i >= 0; i-- {
		old := msgs[i]
		if old.Direction != c.Direction || old.SourceMessageID != c.SourceMessageID || c.SourceMessageID == "" {
			continue
		}
		now, changed := c.Apply(old, when)
		if !changed {
			return tickets.ChangeApplied{Message: now}, nil
		}
		msgs[i] = now
		for j, h := range m.held[id] {
			if h.ID == old.ID {
				m.held[id][j] = now
			}
		}
		m.tickets[id].UpdatedAt = when
		opening := slices.IndexFunc(msgs, func(m tickets.Message) bool { return m.Direction == tickets.FromCustomer }) == i
		if tk := m.tickets[id]; opening {
			tk.Opening = tickets.OpeningOf(now)
			if title, ok := tickets.TitleAfter(tk.Title, tk.Origins[tickets.FieldTitle], old, now); ok {
				tk.Title = title
			}
		}
		m.emit(tickets.Event{Type: tickets.EventChanged, TicketID: id, At: when, Message: &now, Opening: opening, Ticket: m.asWritten(id)})
		return tickets.ChangeApplied{Message: now, Changed: true}, nil
	}
	if c.Delete && c.SourceMessageID != "" {
		m.seen[string(id)+"/"+string(c.Direction)+"/"+c.SourceMessageID] = true
	}
	return tickets.ChangeApplied{}, tickets.ErrNotFound
}
