package storetest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Inbound opens, adds and closes as the Store's contract says, in one step.
func (m *Memory) Inbound(_ context.Context, w tickets.InboundWrite) (tickets.InboundApplied, error) {
	if !tickets.ValidSource(w.Source) || w.ConversationID == "" {
		return tickets.InboundApplied{}, fmt.Errorf("%w: storetest: an inbound needs a source name and a conversation id", tickets.ErrInvalid)
	}
	for _, msg := range w.Messages {
		if msg.Direction != tickets.FromCustomer && msg.Direction != tickets.FromSourceAgent &&
			!((msg.Direction == tickets.FromAgent || msg.Direction == tickets.Internal) && w.Source == tickets.SourceSlack) {
			return tickets.InboundApplied{}, fmt.Errorf("%w: storetest: a source's message has direction %q", tickets.ErrInvalid, msg.Direction)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return tickets.InboundApplied{}, m.fail
	}
	var res tickets.InboundApplied
	id, ok := m.convs[convKey(w.Source, w.ConversationID)]
	opening := -1
	if !ok {
		if w.Open == nil {
			return tickets.InboundApplied{}, tickets.ErrNotFound
		}
		for i, msg := range w.Messages {
			if msg.Direction == tickets.FromCustomer {
				opening = i
				break
			}
		}
		id, res.Opened = m.open(w), true
	}
	for i, msg := range w.Messages {
		if i == opening { // recorded and held, but the card shows it: no event
			m.record(id, msg, true)
			res.Added = append(res.Added, true)
			continue
		}
		added, err := m.addMessage(id, msg, true)
		if err != nil {
			return tickets.InboundApplied{}, err
		}
		res.Added = append(res.Added, added)
	}
	if w.Close != nil {
		// A source's close: by the source, whatever else w.Close says.
		c := tickets.Closing{Reason: w.Close.Reason, BySource: true, At: w.Close.At}
		if _, err := m.close(id, c); err != nil {
			return tickets.InboundApplied{}, err
		}
		res.Closed = true
	}
	t := m.snapshot(id)
	res.State = tickets.StateOf(t)
	if res.Opened || res.Closed || w.WholeTicket {
		res.Ticket = t
	}
	return res, nil
}

// open creates w.Open, pending, as the open ticket of w's conversation. m.mu is held.
func (m *Memory) open(w tickets.InboundWrite) tickets.ID {
	m.seq++
	o := w.Open
	t := &tickets.Ticket{
		ID: tickets.ID(fmt.Sprint(m.seq)), Number: m.seq, Source: o.Source, ConversationID: o.ConversationID,
		Customer: o.Customer, Summary: o.Summary, Opening: o.Opening, Raw: o.Raw, Team: o.Team,
		Status: tickets.StatusPending, Assignee: o.Assignee, Inbox: o.Inbox,
		CreatedAt: o.CreatedAt, PickedAt: o.PickedAt, ClosedAt: o.ClosedAt, UpdatedAt: o.UpdatedAt,
		ClosedBy: o.ClosedBy, CloseReason: o.CloseReason, Title: o.Title, History: slices.Clone(o.History),
	}
	m.tickets[t.ID] = t
	m.convs[convKey(w.Source, w.ConversationID)] = t.ID
	m.cards[t.ID] = map[string]tickets.Card{}
	m.cardEv[t.ID] = m.emit(tickets.Event{Type: tickets.EventOpened, TicketID: t.ID, At: t.CreatedAt, To: t.Team})
	return t.ID
}

// addMessage adds msg to ticket id under the status rules, at most once per direction
// and SourceMessageID, and appends its event; inThread says a source tells it (Inbound),
// whose agent messages were written where the customer is. m.mu is held.
func (m *Memory) addMessage(id tickets.ID, msg tickets.Message, inThread bool) (bool, error) {
	t, err := m.get(id)
	if err != nil {
		return false, err
	}
	var place tickets.Place
	switch {
	case (msg.Direction == tickets.FromAgent || msg.Direction == tickets.Internal) && inThread:
		// An agent's answer where the customer is, or a note (Inbound): in any open
		// status, never held.
		if t.Status == tickets.StatusClosed {
			return false, tickets.ErrClosed
		}
		place = tickets.PlaceInbox
		if !m.record(id, msg, false) {
			return false, nil
		}
		m.emit(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: msg.At, Actor: msg.Author, Message: &msg, Place: place,
			Ticket: m.asWritten(id)})
		m.clockStep(t, msg)
		return true, nil
	}
	switch msg.Direction {
	case tickets.FromCustomer, tickets.FromSourceAgent:
		switch t.Status {
		case tickets.StatusClosed:
			return false, tickets.ErrClosed
		case tickets.StatusPending:
			place = tickets.PlaceCard
		default:
			place = tickets.PlaceInbox
		}
	case tickets.Internal:
	default:
		switch t.Status {
		case tickets.StatusClosed:
			return false, tickets.ErrClosed
		case tickets.StatusPending:
			return false, tickets.ErrNotActive
		}
	}
	if !m.record(id, msg, place == tickets.PlaceCard) {
		return false, nil
	}
	m.emit(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: msg.At, Actor: msg.Author, Message: &msg, Place: place,
		Ticket: m.asWritten(id)})
	m.clockStep(t, msg)
	return true, nil
}

// clockStep starts or stops t's SLA clocks, and moves its status, as msg, just added,
// does (Store.SetWatch): an agent's message is the first response, or answers the
// customer message waiting, and with AutoWait sets an active ticket waiting on the
// customer; a customer's message after the first response waits for an answer, and
// makes a ticket waiting on the customer active. m.mu is held.
func (m *Memory) clockStep(t *tickets.Ticket, msg tickets.Message) {
	changed := false
	switch msg.Direction {
	case tickets.FromAgent:
		if t.Responded.IsZero() {
			t.Responded, changed = msg.At, true
		}
		if !t.Awaiting.IsZero() {
			t.Awaiting, changed = time.Time{}, true
		}
		if t.Watch.AutoWait && t.Status == tickets.StatusActive {
			m.changeStatus(t, tickets.StatusChange{To: tickets.StatusWaiting, At: msg.At, By: msg.Author, Cause: tickets.CauseReply})
		}
	case tickets.FromCustomer:
		if !t.Responded.IsZero() && t.Awaiting.IsZero() {
			t.Awaiting, changed = msg.At, true
		}
		if t.Status == tickets.StatusWaiting {
			m.changeStatus(t, tickets.StatusChange{To: tickets.StatusActive, At: msg.At, Cause: tickets.CauseCustomer})
		}
	}
	if changed && t.Watch.Clocks {
		m.emit(tickets.Event{Type: tickets.EventClock, TicketID: t.ID, At: msg.At})
	}
}

// SetWatch records how ticket id is watched.
func (m *Memory) SetWatch(_ context.Context, id tickets.ID, w tickets.Watch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return err
	}
	t.Watch = w
	return nil
}

// ClaimAlert records that eventID carries out alert name, unless another event did.
func (m *Memory) ClaimAlert(_ context.Context, id tickets.ID, name, eventID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return false, err
	}
	key := string(id) + "\x00" + name
	if by, ok := m.alerts[key]; ok {
		return by == eventID, nil
	}
	m.alerts[key] = eventID
	if t.Alerted == nil {
		t.Alerted = map[string]bool{}
	}
	t.Alerted[name] = true
	return true, nil
}

// record adds msg to ticket id's transcript (and to the messages held for replay) unless
// it was added before, and reports whether it added it. m.mu is held.
func (m *Memory) record(id tickets.ID, msg tickets.Message, hold bool) bool {
	if msg.SourceMessageID != "" {
		k := string(id) + "/" + string(msg.Direction) + "/" + msg.SourceMessageID
		if m.seen[k] {
			return false
		}
		m.seen[k] = true
	}
	m.messages[id] = append(m.messages[id], msg)
	if hold {
		m.held[id] = append(m.held[id], msg)
	}
	m.tickets[id].UpdatedAt = msg.At
	return true
}

// AddInboxMessage adds msg to the ticket whose inbox is channelID.
func (m *Memory) AddInboxMessage(_ context.Context, channelID string, msg tickets.Message) (tickets.InboxAdded, error) {
	if msg.Direction != tickets.FromAgent && msg.Direction != tickets.Internal {
		return tickets.InboxAdded{}, fmt.Errorf("%w: storetest: an inbox message has direction %q", tickets.ErrInvalid, msg.Direction)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return tickets.InboxAdded{}, m.fail
	}
	id, ok := m.inboxes[channelID]
	if !ok {
		return tickets.InboxAdded{}, tickets.ErrNotFound
	}
	added, err := m.addMessage(id, msg, false)
	if err != nil {
		return tickets.InboxAdded{}, err
	}
	return tickets.InboxAdded{Ticket: id, Source: m.tickets[id].Source, Added: added}, nil
}

// SetCardDue records what the card shows of ticket id's clocks.
func (m *Memory) SetCardDue(_ context.Context, id tickets.ID, sig string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return err
	}
	t.CardDue = sig
	return nil
}
