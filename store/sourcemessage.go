package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// AddSourceMessage adds m to the open ticket of a source conversation and returns that
// ticket. See tickets.Store.
//
// It takes one round trip for a conversation this process has seen before (opened, found
// or added to): the id of a conversation's open ticket is remembered (openTickets), and
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
	msg, err := marshal(m)
	if err != nil {
		return nil, false, "", err
	}
	ev, err := marshal(tickets.Event{Type: tickets.EventMessage, TicketID: id, At: m.At, Actor: m.Author, Message: &m})
	if err != nil {
		return nil, false, "", err
	}
	ttl := ""
	if m.SourceMessageID != "" {
		ttl = strconv.FormatInt(r.cfg.DedupTTL.Milliseconds(), 10)
	}
	keys := []string{
		r.keys.ticket(ref), r.keys.messages(ref), r.keys.held(ref),
		r.keys.seen(ref, m.Direction, m.SourceMessageID), r.keys.outbox(ref.p),
		conv, r.keys.transfers(ref), r.keys.cards(ref), r.keys.edits(ref),
	}
	res, err := addMessageScript.Run(ctx, r.c, keys, string(id), string(m.Direction), msg, ev, fmtTime(m.At), ttl, "1").Slice()
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
	case len(res) != 5:
		return nil, false, "", fmt.Errorf("addMessageScript answered %d values", len(res))
	}
	t, err = decodeTicket(pairs(res[1]), strs(res[2]), pairs(res[3]), strs(res[4]))
	if err != nil {
		return nil, false, "", fmt.Errorf("corrupt ticket: %w", err)
	}
	return t, code == codeOK, "", nil
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

// openTickets remembers, per conversation key, the id of the conversation's open ticket
// as last seen; only a hint, which addMessageScript checks. It holds at most
// maxOpenTickets conversations and forgets them all when full.
type openTickets struct {
	mu  sync.Mutex
	ids map[string]tickets.ID
}

const maxOpenTickets = 100_000

func (o *openTickets) get(conv string) (tickets.ID, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	id, ok := o.ids[conv]
	return id, ok
}

func (o *openTickets) put(conv string, id tickets.ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ids == nil || len(o.ids) >= maxOpenTickets {
		o.ids = map[string]tickets.ID{}
	}
	o.ids[conv] = id
}

func (o *openTickets) forget(conv string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.ids, conv)
}
