package storetest_test

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (tickets.Store, storetest.Hooks) {
		m := storetest.NewMemory()
		var drained []tickets.Event // Events reads everything, Drain forgets
		return m, storetest.Hooks{
			Events: func(id tickets.ID) []tickets.Event {
				drained = append(drained, m.Drain()...)
				var evs []tickets.Event
				for _, ev := range drained {
					if ev.TicketID == id {
						evs = append(evs, ev)
					}
				}
				return evs
			},
			Queued: func(source, conv string) []tickets.Event {
				var evs []tickets.Event
				for _, ev := range m.Queued() {
					if ev.Source == source && ev.ConversationID == conv {
						evs = append(evs, ev)
					}
				}
				return evs
			},
			Fire: m.Fire,
		}
	})
}
