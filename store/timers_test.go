package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Timers(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	var tks []*tickets.Ticket
	for _, conv := range []string{"t-1", "t-2", "t-3"} {
		tks = append(tks, open(t, r, conv, nil))
	}
	remind := func(tk *tickets.Ticket, at time.Time) tickets.Event {
		return tickets.Event{Type: tickets.EventRemind, At: at, PrevCardEvent: "0/1-1", To: support}
	}
	countReminds := func() (n int) {
		for _, tk := range tks {
			for _, ev := range events(t, r, tk.ID) {
				if ev.Type == tickets.EventRemind {
					n++
				}
			}
		}
		return n
	}
	base := time.Now()
	for i, tk := range tks {
		at := base.Add(time.Duration(i) * time.Minute)
		for range 2 { // scheduling the same again changes nothing
			if err := r.Schedule(ctx, tk.ID, remind(tk, at), at); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.Schedule(ctx, "404-0", remind(nil, base), base); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("Schedule on a missing ticket = %v, want ErrNotFound", err)
	}

	if n, err := r.fireDue(ctx, base.Add(-time.Second)); n != 0 || err != nil {
		t.Fatalf("fired %d (%v) before anything was due", n, err)
	}
	// Many processes firing at once: each timer fires once.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := r.fireDue(ctx, base.Add(90*time.Second)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := countReminds(); n != 2 {
		t.Fatalf("%d reminders fired, want the 2 due", n)
	}
	evs := events(t, r, tks[0].ID)
	got := evs[len(evs)-1]
	if got.Type != tickets.EventRemind || got.TicketID != tks[0].ID || got.PrevCardEvent != "0/1-1" || got.To != support {
		t.Errorf("fired event = %+v", got)
	}
	if _, err := r.fireDue(ctx, base.Add(time.Hour)); err != nil || countReminds() != 3 {
		t.Errorf("the last timer: %d reminders, %v", countReminds(), err)
	}
}
