package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// AddInboxMessage adds m, an agent's message (FromAgent) or internal note (Internal)
// written in inbox channel channelID, to that channel's ticket and tells which it is. See
// tickets.Store.
//
// It takes one round trip for a channel this process has seen before: an inbox channel
// belongs to one ticket for good (SetInbox records it once the channel is made, and
// nothing points it elsewhere), so the channel's ticket id is remembered (ticketHints) and
// the message goes straight to addMessageScript, which answers with the ticket's source.
func (r *Redis) AddInboxMessage(ctx context.Context, channelID string, m tickets.Message) (tickets.InboxAdded, error) {
	if m.Direction != tickets.FromAgent && m.Direction != tickets.Internal {
		return tickets.InboxAdded{}, fmt.Errorf("%w: store: an inbox message has direction %q", tickets.ErrInvalid, m.Direction)
	}
	id, known := r.inboxes.get(channelID)
	if !known {
		got, err := r.c.Get(ctx, r.keys.inbox(channelID)).Result()
		if err != nil {
			if err = notFound(err); err != tickets.ErrNotFound {
				err = fmt.Errorf("store: add message in inbox %s: %w", channelID, err)
			}
			return tickets.InboxAdded{}, err
		}
		id = tickets.ID(got)
	}
	got, err := r.addInboxMessage(ctx, id, m)
	if err != nil {
		if !errors.Is(err, tickets.ErrClosed) && !errors.Is(err, tickets.ErrNotActive) {
			r.inboxes.forget(channelID) // read the index again next time
		}
		return tickets.InboxAdded{}, wrapErr("add message", id, err)
	}
	r.inboxes.put(channelID, id)
	return got, nil
}

func (r *Redis) addInboxMessage(ctx context.Context, id tickets.ID, m tickets.Message) (tickets.InboxAdded, error) {
	ref, err := parseID(id)
	if err != nil {
		return tickets.InboxAdded{}, err
	}
	res, err := r.runAddMessage(ctx, ref, id, m)
	if err != nil {
		return tickets.InboxAdded{}, err
	}
	code, _ := res[0].(int64)
	if code != codeOK && code != codeDuplicate {
		return tickets.InboxAdded{}, outcome(code)
	}
	source, _ := res[1].(string)
	return tickets.InboxAdded{Ticket: id, Source: source, Added: code == codeOK}, nil
}
