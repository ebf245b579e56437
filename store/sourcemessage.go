package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// AddSourceMessage adds m to the open ticket of a source conversation and returns that
// ticket. See tickets.Store.
//
// It takes one round trip for a conversation this process has seen before (opened, found
// or added to): the id of a conversation's open ticket is remembered (ticketHints), and
// addMessageScript checks that it still is before it adds anything; when it is not, the
// script answers with the one that is, and the message goes there.
func (r *Redis) AddSourceMessage(ctx context.Context, source, conversationID string, m tickets.Message) (*tickets.Ticket, bool, error) {
	if m.Direction != tickets.FromCustomer && m.Direction != tickets.FromSourceAgent {
		return nil, false, fmt.Errorf("%w: store: a source's message has direction %q", tickets.ErrInvalid, m.Direction)
	}
	p := partitionOf(source, conversationID)
	conv := r.keys.conv(p, source, conversationID)
	id, known := r.open.get(conv)
	for range 3 { // a conversation's ticket changes at most once or twice in a moment
		if !known {
			got, err := r.c.Get(ctx, conv).Result()
			if err != nil {
				if err = notFound(err); err != tickets.ErrNotFound {
					err = fmt.Errorf("store: add message to %s %s: %w", source, conversationID, err)
				}
				return nil, false, err
			}
			id, known = tickets.ID(got), true
		}
		t, added, next, err := r.addSourceMessage(ctx, p, conv, id, m)
		switch {
		case err != nil:
			r.open.forget(conv)
			return nil, false, wrapErr("add message", id, err)
		case next == "":
			r.open.put(conv, id)
			return t, added, nil
		case next == notOpen:
			r.open.forget(conv)
			return nil, false, tickets.ErrNotFound
		}
		id = next
	}
	return nil, false, fmt.Errorf("store: add message to %s %s: its open ticket kept changing", source, conversationID)
}

// notOpen is what addSourceMessage answers as next when the conversation has no open
// ticket.
const notOpen = tickets.ID("\x00none")

// addSourceMessage runs addMessageScript for a source's message to ticket id. When id is
// not the conversation's open ticket it returns the one that is as next (notOpen for none).
func (r *Redis) addSourceMessage(ctx context.Context, p int, conv string, id tickets.ID, m tickets.Message) (t *tickets.Ticket, added bool, next tickets.ID, err error) {
	ref, err := parseID(id)
	if err != nil || ref.p != p {
		return nil, false, "", fmt.Errorf("conversation key %s holds ticket id %q", conv, id)
	}
	res, err := r.runAddMessage(ctx, ref, id, m, "1", conv)
	if err != nil {
		return nil, false, "", err
	}
	code, _ := res[0].(int64)
	switch {
	case code == codeNotOpen:
		if s, _ := res[1].(string); s != "" {
			return nil, false, tickets.ID(s), nil
		}
		return nil, false, notOpen, nil
	case code == codeClosed || code == codeNotFound:
		return nil, false, notOpen, nil // the conversation names a ticket closed or gone: none is open
	case code != codeOK && code != codeDuplicate:
		return nil, false, "", outcome(code)
	}
	t, err = scriptTicket(res)
	return t, code == codeOK, "", err
}

// scriptTicket decodes the ticket addMessageScript answers after its code.
func scriptTicket(res []any) (*tickets.Ticket, error) {
	if len(res) != 5 {
		return nil, fmt.Errorf("addMessageScript answered %d values", len(res))
	}
	t, err := decodeTicket(pairs(res[1]), strs(res[2]), pairs(res[3]), strs(res[4]))
	if err != nil {
		return nil, fmt.Errorf("corrupt ticket: %w", err)
	}
	return t, nil
}

// strs reads a script's array of strings.
func strs(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// pairs reads a script's HGETALL answer (field, value, ...) into a map.
func pairs(v any) map[string]string {
	a := strs(v)
	out := make(map[string]string, len(a)/2)
	for i := 0; i+1 < len(a); i += 2 {
		out[a[i]] = a[i+1]
	}
	return out
}

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
