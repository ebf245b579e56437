package store

import (
	"context"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Each(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	var want []tickets.ID
	for i, conv := range []string{"e-1", "e-2", "e-3"} {
		tk := open(t, r, conv, &tickets.Message{Direction: tickets.FromCustomer, Text: "hi " + conv, SourceMessageID: conv, At: t0})
		want = append(want, tk.ID)
		if i == 0 {
			if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0}); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[tickets.ID]int{}
	err := r.Each(ctx, time.Time{}, func(tk *tickets.Ticket, msgs []tickets.Message) error {
		got[tk.ID] = len(msgs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range want {
		if got[id] != 1 {
			t.Errorf("ticket %s: %d messages (present: %v)", id, got[id], got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("exported %d tickets, want %d", len(got), len(want))
	}
	n := 0
	if err := r.Each(ctx, time.Now().Add(time.Hour), func(*tickets.Ticket, []tickets.Message) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("since the future: %d tickets, %v", n, err)
	}
}
