package gladly

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/inboundtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// fakeTickets is an in-memory Tickets keeping the service's edge behaviour: one open
// ticket per conversation; a message relayed at most once per ticket and SourceMessageID
// (the first message of Open too); ErrNotFound without an open ticket. fail, when set,
// is returned by every call and nothing changes.
type fakeTickets struct {
	mu     sync.Mutex
	seq    int64
	open   map[string]*tickets.Ticket // conversation → open ticket
	msgs   map[tickets.ID][]tickets.Message
	calls  []string
	fail   error
	opened []tickets.OpenRequest
	closed []string // reasons, in order
}

func newFakeTickets() *fakeTickets {
	return &fakeTickets{open: map[string]*tickets.Ticket{}, msgs: map[tickets.ID][]tickets.Message{}}
}

// add appends m to t's transcript unless it was seen; f.mu is held.
func (f *fakeTickets) add(t *tickets.Ticket, m tickets.Message) bool {
	for _, old := range f.msgs[t.ID] {
		if old.SourceMessageID == m.SourceMessageID {
			return false
		}
	}
	f.msgs[t.ID] = append(f.msgs[t.ID], m)
	return true
}

// Inbound is the Processor's one call, carried out on the steps below.
func (f *fakeTickets) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	return inboundtest.Apply(ctx, f, in)
}

// Rate is not one of Gladly's: its events carry no ratings.
func (f *fakeTickets) Rate(context.Context, string, string, int, string) (*tickets.Ticket, error) {
	return nil, fmt.Errorf("gladly rates nothing")
}

func (f *fakeTickets) Open(_ context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Open")
	if f.fail != nil {
		return nil, false, f.fail
	}
	if req.Source != Source || req.ConversationID == "" || len(req.Raw) > tickets.MaxRawBytes {
		return nil, false, fmt.Errorf("%w: bad request", tickets.ErrInvalid)
	}
	if t, ok := f.open[req.ConversationID]; ok {
		c := *t
		return &c, false, nil
	}
	if req.First != nil && (req.First.Direction != tickets.FromCustomer || (req.First.Text == "" && len(req.First.Attachments) == 0)) {
		return nil, false, fmt.Errorf("%w: bad first message", tickets.ErrInvalid)
	}
	f.seq++
	t := &tickets.Ticket{ID: tickets.ID(fmt.Sprintf("T%d", f.seq)), Number: f.seq, Source: req.Source,
		ConversationID: req.ConversationID, Customer: req.Customer, Status: tickets.StatusPending,
		CreatedAt: time.Now()}
	f.open[req.ConversationID] = t
	f.opened = append(f.opened, req)
	if req.First != nil {
		f.add(t, *req.First)
	}
	c := *t
	return &c, true, nil
}

func (f *fakeTickets) SourceMessage(_ context.Context, source, conv string, m tickets.Message) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "SourceMessage")
	if f.fail != nil {
		return nil, false, f.fail
	}
	if m.Direction != tickets.FromCustomer || (m.Text == "" && len(m.Attachments) == 0) {
		return nil, false, fmt.Errorf("%w: bad message", tickets.ErrInvalid)
	}
	t, ok := f.open[conv]
	if !ok || source != Source {
		return nil, false, tickets.ErrNotFound
	}
	c := *t
	return &c, f.add(t, m), nil
}

func (f *fakeTickets) SourceClosed(_ context.Context, source, conv, reason string) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "SourceClosed")
	if f.fail != nil {
		return nil, f.fail
	}
	t, ok := f.open[conv]
	if !ok || source != Source {
		return nil, tickets.ErrNotFound
	}
	delete(f.open, conv)
	t.Status, t.CloseReason = tickets.StatusClosed, reason
	f.closed = append(f.closed, reason)
	c := *t
	return &c, nil
}

// isOpen reports whether the conversation has an open ticket.
func (f *fakeTickets) isOpen(conv string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.open[conv]
	return ok
}

// texts returns the texts of the conversation's open ticket, in order.
func (f *fakeTickets) texts(conv string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.open[conv]
	if !ok {
		return nil
	}
	var out []string
	for _, m := range f.msgs[t.ID] {
		out = append(out, m.Text)
	}
	return out
}
