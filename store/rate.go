package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// rateScript records a closed ticket's CSAT.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> the CSAT, JSON
// ARGV[3] -> EventRated, JSON
// ARGV[4] -> when, RFC3339Nano (the ticket's new updated_at)
// ARGV[5] -> the groups that want EventRated (emit)
//
// Returns 1 rated | 0 no such ticket | -5 not closed.
var rateScript = redis.NewScript(emitLua + `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
	return 0
elseif status ~= 'closed' then
	return -5
end
redis.call('HSET', KEYS[1], 'csat', ARGV[2], 'updated_at', ARGV[4])
emit(KEYS[2], ARGV[5], 't', 'ticket.rated', 'k', ARGV[1], 'e', ARGV[3])
return 1
`)

// Rate records c as closed ticket id's CSAT. See tickets.Store.
func (r *Redis) Rate(ctx context.Context, id tickets.ID, c tickets.CSAT) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("rate", id, err)
	}
	ev, groups, err := r.event(tickets.Event{Type: tickets.EventRated, TicketID: id, At: c.At})
	if err != nil {
		return err
	}
	csat, err := marshal(c)
	if err != nil {
		return err
	}
	code, err := rateScript.Run(ctx, r.c, []string{r.keys.ticket(ref), r.keys.outboxSeq(ref.p)},
		string(id), csat, ev, fmtTime(c.At), groups).Int64()
	if err != nil {
		return wrapErr("rate", id, err)
	}
	if code == codeNotClosed {
		return fmt.Errorf("%w: ticket %s is not closed", tickets.ErrInvalid, id)
	}
	return wrapErr("rate", id, outcome(code))
}

// codeNotClosed is rateScript's "the ticket is still open".
const codeNotClosed = -5

// FindLastClosed returns the latest closed ticket of a conversation. See tickets.Store.
func (r *Redis) FindLastClosed(ctx context.Context, source, conversationID string) (*tickets.Ticket, error) {
	p := PartitionOf(source, conversationID)
	id, err := r.c.Get(ctx, r.keys.lastClosed(p, source, conversationID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, tickets.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: find last closed: %w", err)
	}
	return r.Get(ctx, tickets.ID(id))
}
