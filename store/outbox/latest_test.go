package outbox

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Config.Latest: the worker carries out the delivery marks a ticket keeps as its latest,
// only the latest of each; one that a later delivery replaces while it is being carried
// out is followed by that later one; one that fails for good is set aside; the stats
// count what waits; the marks read when the partition is taken count as claimed.
func TestWorker_Latest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	routes := tickets.Routes{}
	for _, route := range tickets.AllRoutes() {
		routes[route] = []string{"desk", "source"}
	}
	routes[tickets.Route(tickets.EventDelivered)] = []string{tickets.GroupMarks}
	r.SetRoutes(routes)
	const p = 6
	convs := convsIn("latest", p, 2)
	a, b := open(t, r, convs[0]), open(t, r, convs[1])
	at := t0
	deliver := func(tk *tickets.Ticket, ts string) {
		t.Helper()
		at = at.Add(time.Millisecond)
		m := tickets.Message{ID: "m-" + ts, Direction: tickets.FromAgent, Text: ts, SourceMessageID: ts, At: at}
		if err := r.AddEvent(ctx, tk.ID, tickets.Event{Type: tickets.EventDelivered, Message: &m, Inbox: "C_" + convs[0]}); err != nil {
			t.Fatal(err)
		}
	}
	deliver(a, "a1")
	deliver(a, "a2")
	deliver(b, "b1")

	gate, entered := make(chan struct{}), make(chan struct{})
	rec := &recorder{fail: func(ev tickets.Event, _ int) error {
		switch ev.Message.SourceMessageID {
		case "a3":
			close(entered)
			<-gate
		case "b2":
			return tickets.Permanent(errors.New("message_not_found"))
		}
		return nil
	}}
	cfg := testConfig("A")
	cfg.Latest, cfg.Linger, cfg.AckDelay = true, 20*time.Millisecond, 10*time.Millisecond
	start(t, newWorker(t, r, tickets.GroupMarks, rec.handle, cfg))
	marks := r.outbox(tickets.GroupMarks)
	kept := func() int {
		les, err := marks.ReadLatest(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return len(les)
	}
	handled := func() []string {
		var ts []string
		for _, ev := range rec.done() {
			ts = append(ts, ev.Message.SourceMessageID)
		}
		slices.Sort(ts)
		return ts
	}
	eventually(t, "the latest marks are carried out", func() bool { return len(handled()) == 2 && kept() == 0 })
	if got := handled(); !slices.Equal(got, []string{"a2", "b1"}) {
		t.Errorf("carried out %v, want a2 and b1 (a1's stands for it)", got)
	}
	for _, ev := range rec.done() {
		if r := rec.retriesOf(ev.ID); len(r) != 1 || !r[0] {
			t.Errorf("%s: calls told retry %v, want one, told it may be a retry (read on taking the partition)", ev.ID, r)
		}
	}

	deliver(a, "a3")
	<-entered
	deliver(a, "a4") // takes a3's place while a3 is being carried out
	st, err := Stats(ctx, r.Redis, tickets.GroupMarks)
	if err != nil {
		t.Fatal(err)
	}
	if s := st[tickets.GroupMarks]; s.Depth != 1 || s.Oldest <= 0 || s.OldestUnread != 0 {
		t.Errorf("stats while a mark waits: %+v, want depth 1 with an age, nothing unread", s)
	}
	close(gate)
	eventually(t, "the later mark follows", func() bool { return len(handled()) == 4 && kept() == 0 })
	if got := handled(); !slices.Equal(got, []string{"a2", "a3", "a4", "b1"}) {
		t.Errorf("carried out %v, want a3 then a4 too", got)
	}
	for _, ev := range rec.done()[2:] {
		if r := rec.retriesOf(ev.ID); len(r) != 1 || r[0] {
			t.Errorf("%s: calls told retry %v, want one, not a retry", ev.ID, r)
		}
	}

	deliver(b, "b2")
	eventually(t, "the failed mark is set aside", func() bool { return r.c.XLen(ctx, r.out.Dead(p)).Val() == 1 && kept() == 0 })
	dead := r.c.XRange(ctx, r.out.Dead(p), "-", "+").Val()[0].Values
	if dead["group"] != tickets.GroupMarks || dead["t"] != string(tickets.EventDelivered) || dead["k"] != string(b.ID) {
		t.Errorf("dead entry %v", dead)
	}
	st, err = Stats(ctx, r.Redis, tickets.GroupMarks)
	if err != nil {
		t.Fatal(err)
	}
	if s := st[tickets.GroupMarks]; s.Depth != 0 || s.Oldest != 0 {
		t.Errorf("stats once done: %+v", s)
	}
}
