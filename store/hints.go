package store

import (
	"sync"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ticketHints remembers ticket ids by key (a conversation's open ticket, an inbox
// channel's ticket) as last seen; only hints, which the scripts check or which cannot
// change. It holds at most maxTicketHints keys and forgets them all when full.
type ticketHints struct {
	mu  sync.Mutex
	ids map[string]tickets.ID
}

const maxTicketHints = 100_000

func (o *ticketHints) get(key string) (tickets.ID, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	id, ok := o.ids[key]
	return id, ok
}

func (o *ticketHints) put(key string, id tickets.ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ids == nil || len(o.ids) >= maxTicketHints {
		o.ids = map[string]tickets.ID{}
	}
	o.ids[key] = id
}

func (o *ticketHints) forget(key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.ids, key)
}
