package chatra

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/inboundtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// fakeTickets is an in-memory Tickets keeping the service's edge behaviour: one open
// ticket per conversation; a message relayed at most once per ticket, direction and
// SourceMessageID (the first message of Open too); only FromCustomer and FromSourceAgent
// taken from a source; ErrNotFound without an open ticket. fail, when set, is returned by
// every call and nothing changes.
type fakeTickets struct {
	mu      sync.Mutex
	seq     int64
	open    map[string]*tickets.Ticket // conversation → open ticket
	byID    map[tickets.ID]*tickets.Ticket
	msgs    map[tickets.ID][]tickets.Message
	seen    map[string]bool // ticket + direction + source message id
	calls   []string        // every call, by method name
	changes int             // every call that changed something
	fail    error

	opened []tickets.OpenRequest
}

func newFakeTickets() *fakeTickets {
	return &fakeTickets{open: map[string]*tickets.Ticket{}, byID: map[tickets.ID]*tickets.Ticket{},
		msgs: map[tickets.ID][]tickets.Message{}, seen: map[string]bool{}}
}

// add appends m to t's transcript unless it was seen; f.mu is held.
func (f *fakeTickets) add(t *tickets.Ticket, m tickets.Message) bool {
	k := fmt.Sprintf("%s\x00%s\x00%s", t.ID, m.Direction, m.SourceMessageID)
	if m.SourceMessageID != "" && f.seen[k] {
		return false
	}
	f.seen[k] = true
	f.msgs[t.ID] = append(f.msgs[t.ID], m)
	f.changes++
	return true
}

func (f *fakeTickets) Open(_ context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Open")
	if f.fail != nil {
		return nil, false, f.fail
	}
	if len(req.Raw) > tickets.MaxRawBytes {
		return nil, false, fmt.Errorf("%w: raw too large", tickets.ErrInvalid)
	}
	if t, ok := f.open[req.ConversationID]; ok {
		c := *t
		return &c, false, nil
	}
	if req.First != nil && req.First.Direction != tickets.FromCustomer {
		return nil, false, fmt.Errorf("%w: the first message must come from the customer", tickets.ErrInvalid)
	}
	f.seq++
	t := &tickets.Ticket{ID: tickets.ID(fmt.Sprintf("T%d", f.seq)), Number: f.seq, Source: req.Source,
		ConversationID: req.ConversationID, Customer: req.Customer, Status: tickets.StatusPending, Raw: req.Raw}
	f.open[req.ConversationID], f.byID[t.ID] = t, t
	f.opened = append(f.opened, req)
	f.changes++
	if req.First != nil {
		f.add(t, *req.First)
	}
	c := *t
	return &c, true, nil
}

// Inbound is the handler's one call, carried out on the steps below.
func (f *fakeTickets) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	return inboundtest.Apply(ctx, f, in)
}

// Rate is not one of Chatra's: its webhooks carry no ratings.
func (f *fakeTickets) Rate(context.Context, string, string, int, string) (*tickets.Ticket, error) {
	return nil, fmt.Errorf("chatra rates nothing")
}

func (f *fakeTickets) SourceMessage(_ context.Context, source, conv string, m tickets.Message) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "SourceMessage")
	if f.fail != nil {
		return nil, false, f.fail
	}
	if m.Direction != tickets.FromCustomer && m.Direction != tickets.FromSourceAgent {
		return nil, false, fmt.Errorf("%w: direction %q", tickets.ErrInvalid, m.Direction)
	}
	if m.Text == "" && len(m.Attachments) == 0 {
		return nil, false, fmt.Errorf("%w: empty message", tickets.ErrInvalid)
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
	f.changes++
	delete(f.open, conv)
	t.Status, t.CloseReason = tickets.StatusClosed, reason
	c := *t
	return &c, nil
}

func (f *fakeTickets) Transcript(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Transcript")
	if f.fail != nil {
		return nil, f.fail
	}
	if _, ok := f.byID[id]; !ok {
		return nil, tickets.ErrNotFound
	}
	return append([]tickets.Message(nil), f.msgs[id]...), nil
}

// transcript returns the messages of the conversation's latest ticket.
func (f *fakeTickets) transcript(conv string) []tickets.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var last *tickets.Ticket
	for _, t := range f.byID {
		if t.ConversationID == conv && (last == nil || t.Number > last.Number) {
			last = t
		}
	}
	if last == nil {
		return nil
	}
	return append([]tickets.Message(nil), f.msgs[last.ID]...)
}

// texts returns the texts of the conversation's latest ticket, in order.
func (f *fakeTickets) texts(conv string) []string {
	var out []string
	for _, m := range f.transcript(conv) {
		out = append(out, m.Text)
	}
	return out
}

// counts returns how many calls and changes the fake has seen.
func (f *fakeTickets) counts() (calls, changes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls), f.changes
}

// fakeSeen is the store's Seen and Known in memory (store.Redis: SET NX with a TTL, and
// EXISTS, shared by every replica): first is true the first time an id is recorded in a
// scope; Known records nothing. Nothing expires. fail, when set, is returned and nothing
// is recorded.
type fakeSeen struct {
	mu    sync.Mutex
	ids   map[string]time.Duration // scope + " " + id → ttl
	calls int
	fail  error
}

func newFakeSeen() *fakeSeen { return &fakeSeen{ids: map[string]time.Duration{}} }

func (s *fakeSeen) Seen(_ context.Context, scope, id string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return false, s.fail
	}
	k := scope + " " + id
	if _, ok := s.ids[k]; ok {
		return false, nil
	}
	s.ids[k] = ttl
	return true, nil
}

func (s *fakeSeen) Known(_ context.Context, scope, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return false, s.fail
	}
	_, ok := s.ids[scope+" "+id]
	return ok, nil
}

// has reports whether id was recorded in scope, and for how long.
func (s *fakeSeen) has(scope, id string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl, ok := s.ids[scope+" "+id]
	return ttl, ok
}

// count returns how many calls the fake took.
func (s *fakeSeen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}
