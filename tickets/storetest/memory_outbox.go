package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Schedule keeps ev until Fire is called with a time at or after at. The same event
// scheduled again is due at the later call's time, once.
func (m *Memory) Schedule(_ context.Context, id tickets.ID, ev tickets.Event, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return err
	}
	ev.TicketID = id
	for i, tm := range m.timers {
		if reflect.DeepEqual(tm.ev, ev) {
			m.timers[i].at = at
			return nil
		}
	}
	m.timers = append(m.timers, timer{at, ev})
	return nil
}

// Fire appends the events scheduled for now or earlier to the outbox, the earliest due
// first.
func (m *Memory) Fire(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	slices.SortStableFunc(m.timers, func(a, b timer) int { return a.at.Compare(b.at) })
	var left []timer
	for _, tm := range m.timers {
		if tm.at.After(now) {
			left = append(left, tm)
			continue
		}
		m.emit(tm.ev)
	}
	m.timers = left
}

func (m *Memory) AddEvent(_ context.Context, id tickets.ID, ev tickets.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return err
	}
	ev.TicketID = id
	m.emit(ev)
	return nil
}

// Enqueue keeps source events in Queued, once per (source, event id).
func (m *Memory) Enqueue(_ context.Context, source, conv, eventID, payload string) (bool, error) {
	switch {
	case !tickets.ValidSource(source) || conv == "" || eventID == "":
		return false, fmt.Errorf("%w: storetest: enqueue needs a source, a conversation and an event id", tickets.ErrInvalid)
	case len(eventID) > 256 || len(conv) > 256:
		return false, fmt.Errorf("%w: storetest: event or conversation id longer than 256 bytes", tickets.ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return false, m.fail
	}
	k := "inbound/" + source + "/" + eventID
	if m.seen[k] {
		return false, nil
	}
	m.seen[k] = true
	m.queued = append(m.queued, tickets.Event{Type: tickets.EventInbound, Source: source, ConversationID: conv, Payload: payload})
	return true, nil
}
