package webhook

import (
	"context"
	"fmt"
	"sync"

	"github.com/frontdeskhq/frontdesk/connectors/internal/inboundtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// fakeTickets is an in-memory Tickets keeping the service's edge behaviour: one open
// ticket per conversation, repeated message ids not relayed twice, ErrNotFound without an
// open (or, for Rate, a closed) ticket. fail, when set, is returned by every call and
// nothing changes.
type fakeTickets struct {
	mu      sync.Mutex
	seq     int64
	open    map[string]*tickets.Ticket // conversation → open ticket
	closed  map[string]*tickets.Ticket // conversation → latest closed ticket
	seen    map[string]bool            // conversation + message id
	calls   int                        // every call
	changes int                        // every call that changed something
	fail    error

	opened   []tickets.OpenRequest
	messages []tickets.Message
}

func newFakeTickets() *fakeTickets {
	return &fakeTickets{open: map[string]*tickets.Ticket{}, closed: map[string]*tickets.Ticket{}, seen: map[string]bool{}}
}

func (f *fakeTickets) Open(_ context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return nil, false, f.fail
	}
	if t, ok := f.open[req.ConversationID]; ok {
		c := *t
		return &c, false, nil
	}
	f.seq++
	f.changes++
	t := &tickets.Ticket{ID: tickets.ID(fmt.Sprintf("T%d", f.seq)), Number: f.seq, Source: req.Source,
		ConversationID: req.ConversationID, Customer: req.Customer, Status: tickets.StatusPending}
	f.open[req.ConversationID] = t
	f.opened = append(f.opened, req)
	c := *t
	return &c, true, nil
}

// Inbound is the handler's one call, carried out on the steps below.
func (f *fakeTickets) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	return inboundtest.Apply(ctx, f, in)
}

func (f *fakeTickets) SourceMessage(_ context.Context, source, conv string, m tickets.Message) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return nil, false, f.fail
	}
	t, ok := f.open[conv]
	if !ok || source != Source {
		return nil, false, tickets.ErrNotFound
	}
	c := *t
	if f.seen[conv+"\x00"+m.SourceMessageID] {
		return &c, false, nil
	}
	f.seen[conv+"\x00"+m.SourceMessageID] = true
	f.changes++
	f.messages = append(f.messages, m)
	return &c, true, nil
}

func (f *fakeTickets) SourceClosed(_ context.Context, source, conv, reason string) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return nil, f.fail
	}
	t, ok := f.open[conv]
	if !ok || source != Source {
		return nil, tickets.ErrNotFound
	}
	f.changes++
	delete(f.open, conv)
	t.Status, t.CloseReason = tickets.StatusClosed, reason
	f.closed[conv] = t
	c := *t
	return &c, nil
}

func (f *fakeTickets) Rate(_ context.Context, source, conv string, rating int, comment string) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return nil, f.fail
	}
	t, ok := f.closed[conv]
	if !ok || source != Source {
		return nil, tickets.ErrNotFound
	}
	f.changes++
	t.CSAT = &tickets.CSAT{Rating: rating, Comment: comment}
	c := *t
	return &c, nil
}

// counts returns how many calls and changes the fake has seen.
func (f *fakeTickets) counts() (calls, changes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.changes
}
