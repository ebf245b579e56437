package widget

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/frontdeskhq/frontdesk/connectors/internal/inboundtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// memFeed is an in-memory Feed with the store's rules: an append once per key, items in
// order, a notice to every listener.
type memFeed struct {
	mu        sync.Mutex
	items     map[string][]Entry
	keys      map[string]string // visitor + "\x00" + key → seq
	n         int
	listeners []func(string)
	appends   int // calls to Append
}

func newMemFeed() *memFeed { return &memFeed{items: map[string][]Entry{}, keys: map[string]string{}} }

func (f *memFeed) Append(_ context.Context, visitor, key string, data []byte) (string, bool, error) {
	f.mu.Lock()
	f.appends++
	k := visitor + "\x00" + key
	seq, seen := f.keys[k]
	if !seen {
		f.n++
		seq = fmt.Sprintf("%d-0", f.n)
		f.keys[k] = seq
		f.items[visitor] = append(f.items[visitor], Entry{Seq: seq, Data: append([]byte(nil), data...)})
	}
	ls := slices.Clone(f.listeners)
	f.mu.Unlock()
	for _, l := range ls {
		l(visitor)
	}
	return seq, !seen, nil
}

func (f *memFeed) Read(_ context.Context, visitor, after string, max int) ([]Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Entry
	var a int
	if after != "" {
		fmt.Sscanf(after, "%d-0", &a)
	}
	for _, e := range f.items[visitor] {
		var n int
		fmt.Sscanf(e.Seq, "%d-0", &n)
		if n > a && len(out) < max {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *memFeed) Listen(ctx context.Context, ready func(), onNew func(string)) error {
	f.mu.Lock()
	f.listeners = append(f.listeners, onNew)
	f.mu.Unlock()
	ready()
	<-ctx.Done()
	return nil
}

// all returns visitor's items.
func (f *memFeed) all(visitor string) []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Entry(nil), f.items[visitor]...)
}

// fakeTickets is the ticket service's widget side: one open ticket per conversation,
// messages once per SourceMessageID.
type fakeTickets struct {
	mu       sync.Mutex
	open     map[string]*tickets.Ticket
	closed   map[string]*tickets.Ticket
	messages map[string][]tickets.Message
	seen     map[string]bool
	opens    []tickets.OpenRequest
	rated    map[string]int
	n        int64
}

func newFakeTickets() *fakeTickets {
	return &fakeTickets{open: map[string]*tickets.Ticket{}, closed: map[string]*tickets.Ticket{},
		messages: map[string][]tickets.Message{}, seen: map[string]bool{}, rated: map[string]int{}}
}

func (f *fakeTickets) Open(_ context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.open[req.ConversationID]; ok {
		return t, false, nil
	}
	f.n++
	t := &tickets.Ticket{ID: tickets.ID(fmt.Sprint("t", f.n)), Number: f.n, Source: req.Source, ConversationID: req.ConversationID, Customer: req.Customer}
	f.open[req.ConversationID] = t
	f.opens = append(f.opens, req)
	if req.First != nil {
		f.messages[req.ConversationID] = append(f.messages[req.ConversationID], *req.First)
		f.seen[req.ConversationID+"/"+req.First.SourceMessageID] = true
	}
	return t, true, nil
}

// Inbound is the widget's one call, carried out on the steps below.
func (f *fakeTickets) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	return inboundtest.Apply(ctx, f, in)
}

func (f *fakeTickets) SourceClosed(_ context.Context, source, conv, reason string) (*tickets.Ticket, error) {
	return nil, fmt.Errorf("the widget closes no chat")
}

func (f *fakeTickets) SourceMessage(_ context.Context, source, conv string, m tickets.Message) (*tickets.Ticket, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.open[conv]
	if !ok {
		return nil, false, tickets.ErrNotFound
	}
	if f.seen[conv+"/"+m.SourceMessageID] {
		return t, false, nil
	}
	f.seen[conv+"/"+m.SourceMessageID] = true
	f.messages[conv] = append(f.messages[conv], m)
	return t, true, nil
}

func (f *fakeTickets) Rate(_ context.Context, source, conv string, rating int, comment string) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.closed[conv]
	if !ok {
		return nil, tickets.ErrNotFound
	}
	f.rated[conv] = rating
	return t, nil
}

// end closes conv's open ticket.
func (f *fakeTickets) end(conv string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed[conv] = f.open[conv]
	delete(f.open, conv)
}

func (f *fakeTickets) texts(conv string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.messages[conv] {
		out = append(out, m.Text)
	}
	return out
}
