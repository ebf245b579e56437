package outbox

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Agents' messages stored out of the order they were written (two replicas took them)
// are carried out in the order they were written when they were stored within Settle of
// each other; without a Settle, the one stored first is carried out at once.
func TestWorker_WrittenOrder(t *testing.T) {
	t.Parallel()
	for _, settle := range []time.Duration{300 * time.Millisecond, 0} {
		t.Run(settle.String(), func(t *testing.T) {
			ctx := context.Background()
			r, _ := newStore(t)
			tk := open(t, r, "written-"+settle.String())
			if err := r.SetInbox(ctx, tk.ID, "C_IN"); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var texts []string
			cfg := testConfig("A")
			cfg.WrittenAt = tickets.WrittenAt(tickets.GroupSource)
			cfg.Settle = func() time.Duration { return settle }
			start(t, newWorker(t, r, "source", func(ctx context.Context, ev tickets.Event) error {
				if ev.Type == tickets.EventMessage && ev.Message.Direction == tickets.FromAgent {
					mu.Lock()
					texts = append(texts, ev.Message.Text)
					mu.Unlock()
				}
				return nil
			}, cfg))
			time.Sleep(100 * time.Millisecond) // the worker has read what was there
			handled := func() []string {
				mu.Lock()
				defer mu.Unlock()
				return slices.Clone(texts)
			}
			written := time.Now()
			// Written first, stored last.
			for i, m := range []struct {
				text string
				at   time.Time
			}{{"second", written.Add(4 * time.Millisecond)}, {"first", written}} {
				msg := tickets.Message{ID: m.text, Direction: tickets.FromAgent, Author: alice, Text: m.text,
					SourceMessageID: m.text, At: m.at}
				if _, err := r.AddInboxMessage(ctx, "C_IN", msg); err != nil {
					t.Fatal(err)
				}
				if i == 0 && settle == 0 {
					// Without a settle, the one stored first is carried out without waiting
					// for any other (however slow the machine: the wait is bounded, not timed).
					eventually(t, "the first stored is handled alone", func() bool { return len(handled()) == 1 })
				}
				time.Sleep(20 * time.Millisecond)
			}
			eventually(t, "both are handled", func() bool { return len(handled()) == 2 })
			want := []string{"first", "second"}
			if settle == 0 {
				want = []string{"second", "first"}
			}
			if got := handled(); !slices.Equal(got, want) {
				t.Errorf("handled %v, want %v", got, want)
			}
		})
	}
}
