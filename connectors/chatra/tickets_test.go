package chatra

import (
	"context"
	"errors"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

// testTickets is the real ticket service over the in-memory store (storetest.Memory),
// with what the tests read back from the store.
type testTickets struct {
	*tickets.Service
	mem *storetest.Memory
	t   testing.TB
}

// newTickets returns the ticket service with a team for each label, the first being the
// default; without labels, the one team storetest.NewService gives ("Support").
func newTickets(t testing.TB, labels ...string) *testTickets {
	t.Helper()
	svc, mem := storetest.NewService(t, func(c *tickets.Config) {
		if len(labels) == 0 {
			return
		}
		c.Initial.TicketingChannels = nil
		for i, l := range labels {
			c.Initial.TicketingChannels = append(c.Initial.TicketingChannels,
				tickets.Team{ChannelID: "C" + string(rune('A'+i)), Label: l})
		}
	})
	return &testTickets{Service: svc, mem: mem, t: t}
}

// newTicketsWithoutTeams returns the ticket service with no ticketing channel set up.
func newTicketsWithoutTeams(t testing.TB) *testTickets {
	t.Helper()
	svc, mem := storetest.NewService(t, func(c *tickets.Config) { c.Initial = tickets.Settings{} })
	return &testTickets{Service: svc, mem: mem, t: t}
}

// all returns every ticket opened so far, oldest first.
func (tk *testTickets) all() []*tickets.Ticket { return tk.mem.Tickets() }

// latest returns the conversation's open ticket, else its latest closed one, else nil.
func (tk *testTickets) latest(conv string) *tickets.Ticket {
	tk.t.Helper()
	ctx := context.Background()
	got, err := tk.mem.FindOpen(ctx, Source, conv)
	if errors.Is(err, tickets.ErrNotFound) {
		got, err = tk.mem.FindLastClosed(ctx, Source, conv)
	}
	if errors.Is(err, tickets.ErrNotFound) {
		return nil
	}
	if err != nil {
		tk.t.Fatalf("find the ticket of %s: %v", conv, err)
	}
	return got
}

// transcript returns the messages of the conversation's latest ticket, in order, without
// the ids the service gives them (Message.ID: the connector sets none).
func (tk *testTickets) transcript(conv string) []tickets.Message {
	tk.t.Helper()
	last := tk.latest(conv)
	if last == nil {
		return nil
	}
	msgs, err := tk.Transcript(context.Background(), last.ID)
	if err != nil {
		tk.t.Fatalf("Transcript: %v", err)
	}
	for i := range msgs {
		msgs[i].ID = ""
	}
	return msgs
}

// texts returns the texts of the conversation's latest ticket, in order.
func (tk *testTickets) texts(conv string) []string {
	tk.t.Helper()
	var out []string
	for _, m := range tk.transcript(conv) {
		out = append(out, m.Text)
	}
	return out
}
