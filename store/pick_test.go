package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Pick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("Picks", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-1", nil)
		got, err := r.Pick(ctx, tk.ID, alice, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tickets.StatusActive || got.Assignee != alice || !got.PickedAt.Equal(t0.Add(time.Minute)) ||
			!got.UpdatedAt.Equal(got.PickedAt) {
			t.Errorf("Pick returned %+v", got)
		}
		evs := events(t, r, tk.ID)
		if want := []string{"ticket.opened", "ticket.picked"}; !slices.Equal(types(evs), want) {
			t.Fatalf("events = %v, want %v", types(evs), want)
		}
		if p := evs[1]; p.Actor != alice || p.AfterTransfer {
			t.Errorf("EventPicked = %+v, want actor alice, not after a transfer", p)
		}
	})

	t.Run("ReplaysHeld", func(t *testing.T) {
		r, c := newStore(t)
		first := customerMsg("one", "s1")
		tk := open(t, r, "conv-1", &first)
		for _, text := range []string{"two", "three"} {
			if _, _, err := sourceSays(ctx, r, tk.Source, tk.ConversationID, customerMsg(text, "s-"+text)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
		want := []string{"ticket.opened", "message:card:two", "message:card:three", "ticket.picked",
			"message:inbox:one", "message:inbox:two", "message:inbox:three"}
		evs := events(t, r, tk.ID)
		if !slices.Equal(types(evs), want) {
			t.Fatalf("events = %v, want %v", types(evs), want)
		}
		for _, ev := range evs[4:] {
			if !ev.Replay || ev.Message.Direction != tickets.FromCustomer {
				t.Errorf("replayed event %+v is not marked Replay", ev)
			}
		}
		if evs[1].Replay {
			t.Errorf("message under the card is marked Replay")
		}
		if n := c.Exists(ctx, r.keys.held(mustRef(t, tk.ID))).Val(); n != 0 {
			t.Errorf("held messages remain after pick")
		}
	})

	t.Run("Errors", func(t *testing.T) {
		r, _ := newStore(t)
		active := open(t, r, "active", nil)
		if _, err := r.Pick(ctx, active.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
		closed := open(t, r, "closed", nil)
		if _, err := r.Close(ctx, closed.ID, tickets.Closing{By: bob, At: t0}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			id   tickets.ID
			want error
		}{
			{"NotFound", "999-1", tickets.ErrNotFound},
			{"Malformed", "not-an-id", tickets.ErrNotFound},
			{"PartitionOutOfRange", "1-16", tickets.ErrNotFound},
			{"Closed", closed.ID, tickets.ErrClosed},
			{"AlreadyPicked", active.ID, &tickets.AlreadyPickedError{By: alice}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, r)
				_, err := r.Pick(ctx, tc.id, bob, t0)
				if by, ok := tickets.IsAlreadyPicked(tc.want); ok {
					if got, ok := tickets.IsAlreadyPicked(err); !ok || got != by {
						t.Errorf("Pick = %v, want already picked by %v", err, by)
					}
				} else if !errors.Is(err, tc.want) {
					t.Errorf("Pick = %v, want %v", err, tc.want)
				}
				unchanged(t, r, before)
			})
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "conv-race", nil)
		const n = 200
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []tickets.Agent
			losers  []tickets.Agent // who each loser was told has it
		)
		for i := range n {
			wg.Go(func() {
				agent := tickets.Agent{ID: tickets.AgentID(fmt.Sprintf("U%03d", i)), Name: fmt.Sprint("Agent ", i)}
				_, err := r.Pick(ctx, tk.ID, agent, t0)
				mu.Lock()
				defer mu.Unlock()
				if by, ok := tickets.IsAlreadyPicked(err); ok {
					losers = append(losers, by)
				} else if err == nil {
					winners = append(winners, agent)
				} else {
					t.Errorf("Pick by %s: %v", agent.ID, err)
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 || len(losers) != n-1 {
			t.Fatalf("%d winners and %d losers, want 1 and %d", len(winners), len(losers), n-1)
		}
		for _, by := range losers {
			if by != winners[0] {
				t.Fatalf("a loser was told %v has it; the winner is %v", by, winners[0])
			}
		}
		var picked []tickets.Event
		for _, ev := range events(t, r, tk.ID) {
			if ev.Type == tickets.EventPicked {
				picked = append(picked, ev)
			}
		}
		if len(picked) != 1 || picked[0].Actor != winners[0] {
			t.Errorf("EventPicked entries = %+v, want one by the winner", picked)
		}
		if got, _ := r.Get(ctx, tk.ID); got.Assignee != winners[0] {
			t.Errorf("assignee = %v, want the winner %v", got.Assignee, winners[0])
		}
	})
}

func mustRef(t *testing.T, id tickets.ID) ref {
	t.Helper()
	r, err := parseID(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
