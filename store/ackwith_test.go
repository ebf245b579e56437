package store

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// AckWith acknowledges entries and appends their follow-ups in one step: each with the
// ticket as it is then, none for a ticket that is gone, none again for an entry
// acknowledged already.
func TestRedis_AckWith(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	tk := open(t, r, "ack-1", nil)
	if err := r.SetInbox(ctx, tk.ID, "C_INBOX"); err != nil {
		t.Fatal(err)
	}
	p := PartitionOf("webhook", "ack-1")
	s := r.OutboxStreams(testGroup)
	if err := c.XGroupCreate(ctx, s.Stream(p), "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	read := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s.Stream(p), ">"}, Block: -1}).Val()
	if len(read) != 1 || len(read[0].Messages) != 1 {
		t.Fatalf("read %v", read)
	}
	m := agentMsg(tickets.FromAgent, "hi")
	follow := []tickets.Event{
		{Type: tickets.EventDelivered, TicketID: tk.ID, At: t0, Message: &m, Inbox: "C_INBOX"},
		{Type: tickets.EventDelivered, TicketID: ticketID(999999, p), At: t0, Message: &m}, // gone
	}
	id := read[0].Messages[0].ID
	if err := s.AckWith(ctx, p, s.Stream(p), "g", []string{id}, map[string][]tickets.Event{id: follow}); err != nil {
		t.Fatal(err)
	}
	// Acknowledged again (a consumer that lost the lease flushing late): no second delivery.
	if err := s.AckWith(ctx, p, s.Stream(p), "g", []string{id}, map[string][]tickets.Event{id: follow}); err != nil {
		t.Fatal(err)
	}
	if pe := c.XPending(ctx, s.Stream(p), "g").Val(); pe.Count != 0 {
		t.Errorf("%d entries still pending", pe.Count)
	}
	evs := events(t, r, tk.ID)
	last := evs[len(evs)-1]
	// A follow-up carries what its handler needs in the event, not the ticket.
	if len(evs) != 2 || last.Type != tickets.EventDelivered || last.Inbox != "C_INBOX" || last.Ticket != nil {
		t.Errorf("events %v; want the delivery last, naming its inbox, without the ticket", types(evs))
	}
	if n := c.XLen(ctx, s.Stream(p)).Val(); n != 2 {
		t.Errorf("the stream has %d entries, want 2: the gone ticket's follow-up is dropped", n)
	}
}
