package gladly

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

// newTicketsFor returns the ticket service with one team, and api as the Gladly source
// (nil: no source).
func newTicketsFor(t testing.TB, api *Client) *testTickets {
	t.Helper()
	svc, mem := storetest.NewService(t, func(c *tickets.Config) {
		if api != nil {
			c.Sources = map[string]tickets.Source{Source: api}
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

// errReached is the store's answer once unreachable was called.
var errReached = errors.New("store: the ticket service was reached")

// unreachable makes every call that reaches the store fail from now on: an Inbound the
// code under test must not make fails it.
func (tk *testTickets) unreachable() { tk.mem.Fail(errReached) }

// all returns every ticket opened so far, oldest first.
func (tk *testTickets) all() []*tickets.Ticket { return tk.mem.Tickets() }

// open returns the conversation's open ticket, or nil.
func (tk *testTickets) open(conv string) *tickets.Ticket {
	tk.t.Helper()
	got, err := tk.mem.FindOpen(context.Background(), Source, conv)
	if errors.Is(err, tickets.ErrNotFound) {
		return nil
	}
	if err != nil {
		tk.t.Fatalf("FindOpen: %v", err)
	}
	return got
}

// isOpen reports whether the conversation has an open ticket.
func (tk *testTickets) isOpen(conv string) bool { return tk.open(conv) != nil }

// closed returns the close reasons of the closed tickets, oldest first.
func (tk *testTickets) closed() []string {
	var out []string
	for _, t := range tk.all() {
		if t.Status == tickets.StatusClosed {
			out = append(out, t.CloseReason)
		}
	}
	return out
}

// transcript returns the ticket's messages in order, without the ids the service gives
// them (Message.ID: the connector sets none).
func (tk *testTickets) transcript(id tickets.ID) []tickets.Message {
	tk.t.Helper()
	msgs, err := tk.Transcript(context.Background(), id)
	if err != nil {
		tk.t.Fatalf("Transcript: %v", err)
	}
	for i := range msgs {
		msgs[i].ID = ""
	}
	return msgs
}

// first returns the opening message of the one ticket opened; it fails the test unless
// exactly one was.
func (tk *testTickets) first() tickets.Message {
	tk.t.Helper()
	all := tk.all()
	if len(all) != 1 {
		tk.t.Fatalf("%d tickets opened, want 1", len(all))
	}
	msgs := tk.transcript(all[0].ID)
	if len(msgs) == 0 {
		tk.t.Fatal("the ticket has no message")
	}
	return msgs[0]
}

// texts returns the texts of the conversation's open ticket, in order.
func (tk *testTickets) texts(conv string) []string {
	tk.t.Helper()
	t := tk.open(conv)
	if t == nil {
		return nil
	}
	var out []string
	for _, m := range tk.transcript(t.ID) {
		out = append(out, m.Text)
	}
	return out
}
