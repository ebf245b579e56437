package store

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A group that needs only the latest delivery of a ticket (the marks) keeps one, the one
// of the latest message written, whatever order the deliveries come in; a failure and a
// message sent again go to its stream as before; the kept event decodes like an entry;
// dropping it leaves a later one that took its place.
func TestRedis_KeepLatest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	routes := routeAll(testGroup)
	routes[tickets.Route(tickets.EventDelivered)] = []string{tickets.GroupMarks}
	routes[tickets.Route(tickets.EventFailed)] = []string{tickets.GroupMarks}
	r.SetRoutes(routes)
	tk := open(t, r, "latest-1", nil)
	if err := r.SetInbox(ctx, tk.ID, "C_INBOX"); err != nil {
		t.Fatal(err)
	}
	p := PartitionOf("webhook", "latest-1")
	s := r.OutboxStreams(testGroup)
	if err := c.XGroupCreate(ctx, s.Stream(p), "g", "$").Err(); err != nil {
		t.Fatal(err)
	}
	delivered := func(ts string, at time.Time) tickets.Event {
		m := agentMsg(tickets.FromAgent, "reply "+ts)
		m.SourceMessageID, m.At = ts, at
		return tickets.Event{Type: tickets.EventDelivered, TicketID: tk.ID, At: at, Message: &m, Inbox: "C_INBOX"}
	}
	// followUp acknowledges a fresh entry of testGroup with follow.
	followUp := func(follow ...tickets.Event) {
		t.Helper()
		if err := r.AddEvent(ctx, tk.ID, tickets.Event{Type: tickets.EventUpdated}); err != nil {
			t.Fatal(err)
		}
		read := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s.Stream(p), ">"}, Block: -1}).Val()
		if len(read) != 1 || len(read[0].Messages) != 1 {
			t.Fatalf("read %v", read)
		}
		id := read[0].Messages[0].ID
		if err := s.AckWith(ctx, p, s.Stream(p), "g", []string{id}, map[string][]tickets.Event{id: follow}); err != nil {
			t.Fatal(err)
		}
	}
	marks := r.OutboxStreams(tickets.GroupMarks)
	kept := func() []LatestEntry {
		t.Helper()
		les, err := marks.ReadLatest(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return les
	}
	followUp(delivered("100.000002", t0.Add(2*time.Millisecond)))
	first := kept()
	followUp(delivered("100.000001", t0.Add(time.Millisecond))) // written earlier, stored later
	if got := kept(); len(got) != 1 || got[0].Msg.ID != first[0].Msg.ID {
		t.Fatalf("an earlier-written delivery replaced the latest: %v, was %v", got, first)
	}
	resent := delivered("100.000003", t0.Add(3*time.Millisecond))
	resent.Resent = true
	failed := delivered("100.000004", t0.Add(4*time.Millisecond))
	failed.Type = tickets.EventFailed
	followUp(resent, failed)
	if n := c.XLen(ctx, marks.Stream(p)).Val(); n != 2 {
		t.Errorf("the marks' stream has %d entries, want 2: the failure and the message sent again", n)
	}
	if err := r.AddEvent(ctx, tk.ID, delivered("100.000005", t0.Add(5*time.Millisecond))); err != nil {
		t.Fatal(err)
	}
	got := kept()
	if len(got) != 1 || got[0].Field != string(tk.ID) {
		t.Fatalf("kept %v, want one for ticket %s", got, tk.ID)
	}
	ev, err := marks.Decode(p, got[0].Msg)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != tickets.EventDelivered || ev.Message.SourceMessageID != "100.000005" || ev.Inbox != "C_INBOX" ||
		ev.ID != eventID(p, got[0].Msg.ID) {
		t.Errorf("kept %+v, want the delivery of 100.000005 with its own id", ev)
	}
	waiting := func() (int64, time.Duration) {
		t.Helper()
		pipe := c.Pipeline()
		read := marks.LatestWaiting(ctx, pipe, p)
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		n, since, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return 0, 0
		}
		return n, time.Duration(time.Now().UnixMilli()-since) * time.Millisecond
	}
	// Waiting since the first of them, which is not the one kept now.
	if n, _ := waiting(); n != 1 {
		t.Errorf("%d keys waiting, want 1", n)
	}
	if first[0].Msg.ID == got[0].Msg.ID {
		t.Fatal("the later delivery did not take the earlier's place")
	}
	// The earlier one carried out: the later stays.
	if err := marks.DropLatest(ctx, p, [][2]string{{string(tk.ID), first[0].Msg.ID}}); err != nil {
		t.Fatal(err)
	}
	if again := kept(); len(again) != 1 || again[0].Msg.ID != got[0].Msg.ID {
		t.Fatalf("dropping the earlier delivery left %v", again)
	}
	if err := marks.DropLatest(ctx, p, [][2]string{{string(tk.ID), got[0].Msg.ID}}); err != nil {
		t.Fatal(err)
	}
	if again := kept(); len(again) != 0 {
		t.Fatalf("dropping the latest delivery left %v", again)
	}
	if n, _ := waiting(); n != 0 {
		t.Errorf("%d keys still waiting once dropped", n)
	}
	// A ticket that is gone keeps no mark.
	gone := delivered("100.000006", t0)
	gone.TicketID = ticketID(999999, p)
	followUp(gone)
	if again := kept(); len(again) != 0 {
		t.Errorf("a gone ticket's delivery was kept: %v", again)
	}
}

// A value that cannot be read back decodes to nothing and is dropped by the id it comes
// with, so that the worker can set it aside once.
func TestStreams_MalformedLatest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	marks := r.OutboxStreams(tickets.GroupMarks)
	if err := c.HSet(ctx, marks.Latest(3), "7-3", "garbage").Err(); err != nil {
		t.Fatal(err)
	}
	les, err := marks.ReadLatest(ctx, 3)
	if err != nil || len(les) != 1 {
		t.Fatalf("ReadLatest = %v, %v", les, err)
	}
	if _, err := marks.Decode(3, les[0].Msg); err == nil {
		t.Error("a malformed value decoded")
	}
	if err := marks.DropLatest(ctx, 3, [][2]string{{les[0].Field, les[0].Msg.ID}}); err != nil {
		t.Fatal(err)
	}
	if n := c.HLen(ctx, marks.Latest(3)).Val(); n != 0 {
		t.Errorf("%d values left", n)
	}
}
