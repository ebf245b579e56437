package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// enqueueScript queues a source's event once per event id.
//
// KEYS[1] -> P{N}:seen:in:<source>:<event id>
// KEYS[2] -> P{N}:inbound
// ARGV[1] -> dedupe TTL, ms
// ARGV[2] -> the entry's ordering key (source "/" conversation)
// ARGV[3] -> EventInbound, JSON
//
// Returns 1 queued | 0 queued before.
var enqueueScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
	return 0
end
redis.call('XADD', KEYS[2], '*', 't', 'source.inbound', 'k', ARGV[2], 'e', ARGV[3])
return 1
`)

// Enqueue queues a source's event for an outbox.Worker with Inbound set. See tickets.Store.
func (r *Redis) Enqueue(ctx context.Context, source, conversationID, eventID, payload string) (bool, error) {
	switch {
	case !tickets.ValidSource(source) || conversationID == "" || eventID == "":
		return false, fmt.Errorf("%w: store: enqueue needs a source, a conversation and an event id", tickets.ErrInvalid)
	case len(eventID) > 256 || len(conversationID) > 256:
		return false, fmt.Errorf("%w: store: event or conversation id longer than 256 bytes", tickets.ErrInvalid)
	}
	p := PartitionOf(source, conversationID)
	ev, err := marshal(tickets.Event{Type: tickets.EventInbound, Source: source, ConversationID: conversationID, Payload: payload})
	if err != nil {
		return false, err
	}
	n, err := enqueueScript.Run(ctx, r.c, []string{r.keys.seenInbound(p, source, eventID), r.keys.inbound(p)},
		strconv.FormatInt(r.cfg.DedupTTL.Milliseconds(), 10), inboundKey(source, conversationID), ev).Int64()
	if err != nil {
		return false, fmt.Errorf("store: enqueue: %w", err)
	}
	return n == 1, nil
}

// inboundKey orders a conversation's inbound events (the role a ticket id plays in the
// outbox).
func inboundKey(source, conversationID string) string { return source + "/" + conversationID }

// orderKey is what an entry is ordered by: its ticket, or, for a queued source event,
// its conversation.
func orderKey(ev tickets.Event) tickets.ID {
	if ev.Type == tickets.EventInbound {
		return tickets.ID(inboundKey(ev.Source, ev.ConversationID))
	}
	return ev.TicketID
}
