package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// commandCounter is a go-redis hook that counts the commands a client sends (a pipeline
// counts once: one round trip).
type commandCounter struct {
	mu    sync.Mutex
	trips int
	names []string
}

func (cc *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (cc *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		cc.mu.Lock()
		cc.trips++
		cc.names = append(cc.names, strings.ToLower(cmd.Name()))
		cc.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (cc *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		cc.mu.Lock()
		cc.trips++
		cc.names = append(cc.names, "pipeline")
		cc.mu.Unlock()
		return next(ctx, cmds)
	}
}

// counted is a store like r on another client of c's Redis (another process, as it
// were), and the counter of that client's round trips.
func counted(t *testing.T, r *Redis, c redis.UniversalClient) (*Redis, *commandCounter) {
	t.Helper()
	cc := &commandCounter{}
	hooked := anotherClient(c)
	t.Cleanup(func() { hooked.Close() })
	hooked.AddHook(cc)
	rh, err := New(hooked, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rh, cc
}

// take returns the round trips and command names since the last take.
func (cc *commandCounter) take() (int, []string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	n, names := cc.trips, cc.names
	cc.trips, cc.names = 0, nil
	return n, names
}

func TestRedis_AddSourceMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("AddsToTheOpenTicketOnce", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "sm-1", nil)
		got, added, err := r.AddSourceMessage(ctx, "webhook", "sm-1", customerMsg("hi", "s1"))
		if err != nil || !added || got.ID != tk.ID || got.Status != tickets.StatusPending || got.Number != tk.Number ||
			got.Customer.Name != "Carol" {
			t.Fatalf("AddSourceMessage = %+v, %v, %v", got, added, err)
		}
		got, added, err = r.AddSourceMessage(ctx, "webhook", "sm-1", customerMsg("hi", "s1"))
		if err != nil || added || got.ID != tk.ID {
			t.Fatalf("repeat: %v, %v, %v", got, added, err)
		}
		if got := types(events(t, r, tk.ID)); !slices.Equal(got, []string{"ticket.opened", "message:card:hi"}) {
			t.Errorf("events %v", got)
		}
		ms, _ := r.Messages(ctx, tk.ID)
		if len(ms) != 1 || ms[0].Text != "hi" {
			t.Errorf("transcript %+v", ms)
		}
	})

	t.Run("NoOpenTicket", func(t *testing.T) {
		r, _ := newStore(t)
		if _, _, err := r.AddSourceMessage(ctx, "webhook", "nobody", customerMsg("hi", "")); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("never opened: %v", err)
		}
		tk := open(t, r, "sm-2", nil)
		if _, _, err := r.AddSourceMessage(ctx, "webhook", "sm-2", customerMsg("before", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.AddSourceMessage(ctx, "webhook", "sm-2", customerMsg("after", "")); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("closed: %v", err)
		}
	})

	t.Run("FollowsTheConversationToItsNextTicket", func(t *testing.T) {
		// The process remembers the conversation's ticket; another process closes it and
		// opens the next: the message goes to the next one.
		r, c := newStore(t)
		other, _ := New(c, r.cfg)
		first := open(t, r, "sm-3", nil)
		if _, _, err := r.AddSourceMessage(ctx, "webhook", "sm-3", customerMsg("one", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Close(ctx, first.ID, tickets.Closing{By: alice, At: t0}); err != nil {
			t.Fatal(err)
		}
		next := open(t, other, "sm-3", nil)
		got, added, err := r.AddSourceMessage(ctx, "webhook", "sm-3", customerMsg("two", ""))
		if err != nil || !added || got.ID != next.ID {
			t.Fatalf("AddSourceMessage = %v, %v, %v; want ticket %s", got, added, err, next.ID)
		}
		if ms, _ := r.Messages(ctx, first.ID); len(ms) != 1 {
			t.Errorf("the closed ticket has %d messages, want 1", len(ms))
		}
	})

	t.Run("OneRoundTripOnceTheConversationIsKnown", func(t *testing.T) {
		r, c := newStore(t)
		rh, cc := counted(t, r, c)
		open(t, r, "sm-4", nil) // by another process
		if _, _, err := rh.AddSourceMessage(ctx, "webhook", "sm-4", customerMsg("one", "")); err != nil {
			t.Fatal(err)
		}
		cc.take() // GET, then EVALSHA (and EVAL, the script's first time)
		if _, _, err := rh.AddSourceMessage(ctx, "webhook", "sm-4", customerMsg("two", "")); err != nil {
			t.Fatal(err)
		}
		if n, names := cc.take(); n != 1 {
			t.Errorf("next message: %d round trips (%v), want 1", n, names)
		}
		// A conversation this process opened is known from the start. (One in the same
		// partition: on a Redis Cluster node, a script's first run there takes an EVAL.)
		conv := convsIn("sm-5", partitionOf("webhook", "sm-4"), 1)[0]
		open(t, rh, conv, nil)
		cc.take()
		if _, _, err := rh.AddSourceMessage(ctx, "webhook", conv, customerMsg("one", "")); err != nil {
			t.Fatal(err)
		}
		if n, names := cc.take(); n != 1 {
			t.Errorf("first message to a conversation it opened: %d round trips (%v), want 1", n, names)
		}
	})

	t.Run("OnlySourceDirections", func(t *testing.T) {
		r, _ := newStore(t)
		open(t, r, "sm-6", nil)
		for _, m := range []tickets.Message{agentMsg(tickets.FromAgent, "x"), agentMsg(tickets.Internal, "y")} {
			if _, _, err := r.AddSourceMessage(ctx, "webhook", "sm-6", m); !errors.Is(err, tickets.ErrInvalid) {
				t.Errorf("%s: %v", m.Direction, err)
			}
		}
	})
}
