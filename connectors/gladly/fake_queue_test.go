package gladly

import (
	"context"
	"fmt"
	"sync"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// fakeQueue is an in-memory Queue that, like the store, takes an event id once and
// refuses what the store refuses.
type fakeQueue struct {
	mu      sync.Mutex
	seen    map[string]bool
	entries []tickets.Event
	next    int // the first entry not processed yet
	fail    error
}

func newFakeQueue() *fakeQueue { return &fakeQueue{seen: map[string]bool{}} }

func (q *fakeQueue) Enqueue(_ context.Context, source, conv, eventID, payload string) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail != nil {
		return false, q.fail
	}
	if !tickets.ValidSource(source) || conv == "" || eventID == "" || len(conv) > 256 || len(eventID) > 256 {
		return false, fmt.Errorf("%w: enqueue needs a source, a conversation and an event id", tickets.ErrInvalid)
	}
	if q.seen[source+"\x00"+eventID] {
		return false, nil
	}
	q.seen[source+"\x00"+eventID] = true
	q.entries = append(q.entries, tickets.Event{Type: tickets.EventInbound, Source: source, ConversationID: conv, Payload: payload})
	return true, nil
}

func (q *fakeQueue) queued() []tickets.Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]tickets.Event(nil), q.entries...)
}

// drain hands the entries not processed yet to p, in order, as the worker would; it
// stops at the first error.
func (q *fakeQueue) drain(ctx context.Context, p *Processor) error {
	for {
		q.mu.Lock()
		if q.next == len(q.entries) {
			q.mu.Unlock()
			return nil
		}
		ev := q.entries[q.next]
		q.mu.Unlock()
		if err := p.Process(ctx, ev); err != nil {
			return err
		}
		q.mu.Lock()
		q.next++
		q.mu.Unlock()
	}
}
