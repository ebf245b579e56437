package tickets_test

import (
	"context"
	"sync"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestService_Pick(t *testing.T) {
	ctx := context.Background()
	t.Run("PendingBecomesActive", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "first")
		if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: "second", SourceMessageID: "s2"}); err != nil {
			t.Fatal(err)
		}
		h.store.Drain()
		got := h.pick(t, tk.ID, alice)
		equal(t, "status", got.Status, StatusActive)
		equal(t, "assignee", got.Assignee, alice)
		if got.PickedAt.IsZero() || !got.UpdatedAt.Equal(got.PickedAt) {
			t.Errorf("picked at %v, updated at %v", got.PickedAt, got.UpdatedAt)
		}
		// The picked event, then both held messages replayed into the inbox, in order.
		evs := h.store.Drain()
		equal(t, "event count", len(evs), 3)
		equal(t, "picked", evs[0].Type, EventPicked)
		equal(t, "actor", evs[0].Actor, alice)
		for i, text := range []string{"first", "second"} {
			ev := evs[i+1]
			if ev.Type != EventMessage || ev.Place != PlaceInbox || !ev.Replay || ev.Message.Text != text {
				t.Errorf("replay %d = %+v", i, ev)
			}
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			setup func(h *harness, id ID)
			id    ID
			agent Agent
			want  error
		}{
			{name: "AlreadyPicked", setup: func(h *harness, id ID) { h.pick(t, id, alice) }, agent: bob, want: &AlreadyPickedError{}},
			{name: "SameAgentTwice", setup: func(h *harness, id ID) { h.pick(t, id, alice) }, agent: alice, want: &AlreadyPickedError{}},
			{name: "Closed", setup: func(h *harness, id ID) { h.svc.End(ctx, id, alice, "") }, agent: bob, want: ErrClosed},
			{name: "NotFound", id: "404", agent: bob, want: ErrNotFound},
			{name: "NoAgent", agent: Agent{Name: "nobody"}, want: ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h := newHarness(t)
				tk := h.open(t, "c", "", "hi")
				if tc.setup != nil {
					tc.setup(h, tk.ID)
				}
				id := tk.ID
				if tc.id != "" {
					id = tc.id
				}
				h.store.Drain()
				before, _ := h.store.Get(ctx, tk.ID)
				_, err := h.svc.Pick(ctx, id, tc.agent)
				if _, ok := tc.want.(*AlreadyPickedError); ok {
					by, ok := IsAlreadyPicked(err)
					if !ok || by != alice {
						t.Fatalf("err = %v, want already picked by alice", err)
					}
				} else {
					wantErr(t, err, tc.want)
				}
				h.unchanged(t, before)
			})
		}
	})
	t.Run("ManyAtOnceOneWinner", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.store.Drain()
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners, losers := 0, 0
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := h.svc.Pick(ctx, tk.ID, Agent{ID: AgentID("U"+string(rune('A'+i%26))) + "X"})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					winners++
				} else if _, ok := IsAlreadyPicked(err); ok {
					losers++
				} else {
					t.Errorf("unexpected error %v", err)
				}
			}()
		}
		wg.Wait()
		equal(t, "winners", winners, 1)
		equal(t, "losers", losers, 49)
		equal(t, "events", h.types(), []string{"ticket.picked"})
	})
}
