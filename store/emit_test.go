package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// streamIDs lists the entry ids and types of group's stream in partition p.
func streamIDs(t *testing.T, r *Redis, group string, p int) (ids, types []string) {
	t.Helper()
	msgs, err := r.c.XRange(context.Background(), r.keys.groupOutbox(group, p), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		ids = append(ids, m.ID)
		types = append(types, m.Values["t"].(string))
	}
	return ids, types
}

// Each event goes to the streams of the groups that want its route, under one id; the
// others never see it.
func TestRedis_EmitRoutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	routes := routeAll()
	routes[tickets.Route(tickets.EventOpened)] = []string{"a", "b"}
	routes[tickets.RouteOf(tickets.Event{Type: tickets.EventMessage, Message: &tickets.Message{Direction: tickets.FromCustomer}})] = []string{"b"}
	routes[tickets.Route(tickets.EventPicked)] = []string{"a"}
	r.SetRoutes(routes)

	tk := open(t, r, "route-1", nil)
	if _, _, err := sourceSays(ctx, r, "webhook", "route-1", customerMsg("hi", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddInboxMessage(ctx, "C_NONE", agentMsg(tickets.FromAgent, "x")); !errors.Is(err, tickets.ErrNotFound) {
		t.Fatalf("agent message to no inbox: %v", err)
	}
	p := PartitionOf("webhook", "route-1")
	aIDs, aTypes := streamIDs(t, r, "a", p)
	bIDs, bTypes := streamIDs(t, r, "b", p)
	if !slices.Equal(aTypes, []string{"ticket.opened", "ticket.picked"}) {
		t.Errorf("group a got %v", aTypes)
	}
	// The pick replays the held message to the groups of customer messages.
	if !slices.Equal(bTypes, []string{"ticket.opened", "message", "message"}) {
		t.Errorf("group b got %v", bTypes)
	}
	if len(aIDs) == 2 && len(bIDs) == 3 {
		if aIDs[0] != bIDs[0] {
			t.Errorf("the opened event has ids %s and %s", aIDs[0], bIDs[0])
		}
		if !lessID(bIDs[1], aIDs[1]) || !lessID(aIDs[1], bIDs[2]) {
			t.Errorf("ids do not grow across streams: a %v, b %v", aIDs, bIDs)
		}
	}
	if n := r.c.Exists(ctx, r.keys.groupOutbox(testGroup, p), r.keys.outbox(p)).Val(); n != 0 {
		t.Errorf("%d streams no route names were written", n)
	}
	ref, _ := parseID(tk.ID)
	if len(aIDs) > 0 {
		if ce := r.c.HGet(ctx, r.keys.ticket(ref), "card_event").Val(); ce != eventID(p, aIDs[0]) {
			t.Errorf("card event %s; want the opened event %s", ce, eventID(p, aIDs[0]))
		}
	}
}

// Until routes are set nothing that tells the outbox is done: an error, and no change.
func TestRedis_EmitNeedsRoutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.Open(t)
	r, err := New(c, Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := openInbound(ctx, r, newTicket("no-routes"), nil); !errors.Is(err, errNoRoutes) {
		t.Errorf("open without routes = %v", err)
	}
	if _, err := r.FindOpen(ctx, "webhook", "no-routes"); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("FindOpen after the refused open = %v", err)
	}
	if _, err := r.fireDue(ctx, time.Now()); !errors.Is(err, errNoRoutes) {
		t.Errorf("fireDue without routes = %v", err)
	}
}

// The first id of a partition comes after the last entry of the stream earlier versions
// wrote, however far its clock ran ahead: an event id never repeats across the upgrade.
func TestRedis_EmitAfterLegacy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	p := PartitionOf("webhook", "legacy-1")
	ahead := time.Now().Add(time.Hour).UnixMilli()
	legacy, err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: r.keys.outbox(p), ID: fmt.Sprintf("%d-7", ahead), Values: []any{"t", "x"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	open(t, r, "legacy-1", nil)
	ids, _ := streamIDs(t, r, testGroup, p)
	if len(ids) != 1 || !lessID(legacy, ids[0]) {
		t.Fatalf("first routed id %v, legacy entry %s", ids, legacy)
	}
	// An earlier replica appending there now gets an id above the routed one.
	later, err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: r.keys.outbox(p), Values: []any{"t", "x"}}).Result()
	if err != nil || !lessID(ids[0], later) {
		t.Errorf("an earlier version's next id %s (%v), the routed one %s", later, err, ids[0])
	}
}

// With the last id given lost, the ids still come after every stream's last one, even
// one trimmed empty, so no append fails half done.
func TestRedis_EmitWithoutItsLastID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	p := PartitionOf("webhook", "seq-1")
	ahead := time.Now().Add(time.Hour).UnixMilli()
	stream := r.keys.groupOutbox(testGroup, p)
	if err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: stream, ID: fmt.Sprintf("%d-3", ahead), Values: []any{"t", "x"}}).Err(); err != nil {
		t.Fatal(err)
	}
	r.c.XTrimMaxLen(ctx, stream, 0)
	open(t, r, "seq-1", nil)
	ids, _ := streamIDs(t, r, testGroup, p)
	if len(ids) != 1 || !lessID(fmt.Sprintf("%d-3", ahead), ids[0]) {
		t.Errorf("ids %v after a stream whose last id was %d-3", ids, ahead)
	}
}

// Timers fire to the groups of their type at the time they fire.
func TestRedis_TimersFireByRoute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "timer-1", nil)
	if err := r.Schedule(ctx, tk.ID, tickets.Event{Type: tickets.EventRemind, At: t0}, t0); err != nil {
		t.Fatal(err)
	}
	routes := routeAll()
	routes[tickets.Route(tickets.EventRemind)] = []string{"desk"}
	r.SetRoutes(routes)
	if n, err := r.fireDue(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("fireDue = %d, %v", n, err)
	}
	p := PartitionOf("webhook", "timer-1")
	if _, types := streamIDs(t, r, "desk", p); !slices.Equal(types, []string{"ticket.remind"}) {
		t.Errorf("desk got %v", types)
	}
}

// lessID reports whether stream id a comes before b.
func lessID(a, b string) bool {
	var ams, aseq, bms, bseq uint64
	_, errA := fmt.Sscanf(a, "%d-%d", &ams, &aseq)
	_, errB := fmt.Sscanf(b, "%d-%d", &bms, &bseq)
	return errA == nil && errB == nil && (ams < bms || ams == bms && aseq < bseq)
}

// A stream that something other than emit moved past the last id given (an operator's
// XADD) still takes the next event, above its last entry, and nothing is half done.
func TestRedis_EmitAfterAStreamMoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "moved-1", nil)
	p := PartitionOf("webhook", "moved-1")
	stream := r.keys.groupOutbox(testGroup, p)
	ahead := fmt.Sprintf("%d-5", time.Now().Add(time.Hour).UnixMilli())
	if err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: stream, ID: ahead, Values: []any{"t", "x"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.AddEvent(ctx, tk.ID, tickets.Event{Type: tickets.EventUpdated}); err != nil {
		t.Fatal(err)
	}
	ids, _ := streamIDs(t, r, testGroup, p)
	if len(ids) != 3 || !lessID(ahead, ids[2]) {
		t.Fatalf("ids %v after an entry at %s", ids, ahead)
	}
	// Moved again and trimmed empty, the stream still remembers its last id: the next is
	// above it too.
	further := fmt.Sprintf("%d-9", time.Now().Add(2*time.Hour).UnixMilli())
	if err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: stream, ID: further, Values: []any{"t", "x"}}).Err(); err != nil {
		t.Fatal(err)
	}
	r.c.XTrimMaxLen(ctx, stream, 0)
	if err := r.AddEvent(ctx, tk.ID, tickets.Event{Type: tickets.EventUpdated}); err != nil {
		t.Fatal(err)
	}
	if ids, _ = streamIDs(t, r, testGroup, p); len(ids) != 1 || !lessID(further, ids[0]) {
		t.Fatalf("ids %v after a trimmed stream whose last id was %s", ids, further)
	}
}
