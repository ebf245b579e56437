package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_InboundOpens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("Creates", func(t *testing.T) {
		r, c := newStore(t)
		first := customerMsg("hello", "src-1")
		got := open(t, r, "conv-1", &first)
		ref, err := parseID(got.ID)
		if err != nil || ref.p != PartitionOf("webhook", "conv-1") || got.ID != ticketID(got.Number, ref.p) {
			t.Fatalf("ID %q (number %d) is not in the conversation's partition: %v", got.ID, got.Number, err)
		}
		if got.Status != tickets.StatusPending || got.Team != support || got.Customer.Fields["plan"] != "pro" ||
			got.Summary != "cannot log in" || got.Opening != "hello" || got.Raw != `{"client":{"id":"v1"}}` ||
			!got.CreatedAt.Equal(t0) || !got.Card.IsZero() || len(got.Transfers) != 0 {
			t.Errorf("Open returned %+v", got)
		}
		if ms, _ := r.Messages(ctx, got.ID); len(ms) != 1 || ms[0].Text != "hello" {
			t.Errorf("transcript = %+v, want the first message", ms)
		}
		if held := c.LRange(ctx, r.keys.held(ref), 0, -1).Val(); len(held) != 1 {
			t.Errorf("held = %v, want the first message", held)
		}
		if ids := c.ZRange(ctx, r.keys.open(ref.p), 0, -1).Val(); len(ids) != 1 || ids[0] != string(got.ID) {
			t.Errorf("open set = %v", ids)
		}
		evs := events(t, r, got.ID)
		if len(evs) != 1 || evs[0].Type != tickets.EventOpened || evs[0].To != support || !evs[0].At.Equal(t0) {
			t.Fatalf("events = %+v, want one EventOpened to support", evs)
		}
		if ce := c.HGet(ctx, r.keys.ticket(ref), "card_event").Val(); ce != evs[0].ID {
			t.Errorf("card_event = %q, want the EventOpened's id %q", ce, evs[0].ID)
		}
		if _, added, err := sourceSays(ctx, r, got.Source, got.ConversationID, first); added || err != nil {
			t.Errorf("re-adding the first message = %v, %v; want a duplicate", added, err)
		}
	})

	t.Run("Repeat", func(t *testing.T) {
		// A second request for the conversation opens nothing: its message joins the open
		// ticket, once.
		r, _ := newStore(t)
		a := open(t, r, "conv-1", nil)
		again := customerMsg("again", "src-2")
		for range 2 {
			b, created, err := openInbound(ctx, r, newTicket("conv-1"), &again)
			if err != nil || created || b.ID != a.ID {
				t.Fatalf("second request = %v, created %v, %v; want %v", b, created, err, a.ID)
			}
		}
		if got := types(events(t, r, a.ID)); !slices.Equal(got, []string{"ticket.opened", "message:card:again"}) {
			t.Errorf("events %v", got)
		}
		before := snapshot(t, r)
		if _, _, err := openInbound(ctx, r, newTicket("conv-1"), nil); err != nil {
			t.Fatal(err)
		}
		unchanged(t, r, before)
	})

	t.Run("Numbers", func(t *testing.T) {
		r, _ := newStore(t)
		a, b := open(t, r, "conv-1", nil), open(t, r, "conv-2", nil)
		if b.Number != a.Number+1 {
			t.Errorf("numbers %d then %d", a.Number, b.Number)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		r, _ := newStore(t)
		before := snapshot(t, r)
		for _, w := range []tickets.InboundWrite{
			{Source: "Web:hook", ConversationID: "c", Open: newTicket("c")},
			{Source: "webhook", Open: newTicket("")},
			{Source: "webhook", ConversationID: "c", Open: newTicket("c"), Messages: []tickets.Message{agentMsg(tickets.FromAgent, "x")}},
		} {
			if _, err := r.Inbound(ctx, w); !errors.Is(err, tickets.ErrInvalid) {
				t.Errorf("Inbound(%+v) = %v, want ErrInvalid", w, err)
			}
		}
		unchanged(t, r, before)
	})

	t.Run("Concurrent", func(t *testing.T) {
		r, _ := newStore(t)
		const n = 100
		ids := make([]tickets.ID, n)
		created := make([]bool, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				first := customerMsg(fmt.Sprint("hi ", i), "")
				got, c, err := openInbound(ctx, r, newTicket("conv-race"), &first)
				if err != nil {
					t.Error(err)
					return
				}
				ids[i], created[i] = got.ID, c
			})
		}
		wg.Wait()
		winners := 0
		for i := range n {
			if ids[i] != ids[0] {
				t.Fatalf("Open %d got ticket %s, Open 0 got %s", i, ids[i], ids[0])
			}
			if created[i] {
				winners++
			}
		}
		if winners != 1 {
			t.Errorf("%d Opens created the ticket, want 1", winners)
		}
		// The winner's message opened the ticket (no event: the card shows it); every other
		// one joined it.
		if evs := events(t, r, ids[0]); len(evs) != n || evs[0].Type != tickets.EventOpened {
			t.Errorf("events = %v, want one EventOpened and %d messages", types(evs), n-1)
		}
		if ms, _ := r.Messages(ctx, ids[0]); len(ms) != n {
			t.Errorf("transcript has %d messages, want %d", len(ms), n)
		}
	})
}

func TestRedis_InboundAdds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("AddsToTheOpenTicketOnce", func(t *testing.T) {
		r, _ := newStore(t)
		tk := open(t, r, "sm-1", nil)
		got, added, err := sourceSays(ctx, r, "webhook", "sm-1", customerMsg("hi", "s1"))
		if err != nil || !added || got.ID != tk.ID || got.Status != tickets.StatusPending || got.Number != tk.Number ||
			got.Customer.Name != "Carol" {
			t.Fatalf("sourceSays = %+v, %v, %v", got, added, err)
		}
		got, added, err = sourceSays(ctx, r, "webhook", "sm-1", customerMsg("hi", "s1"))
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
		if _, _, err := sourceSays(ctx, r, "webhook", "nobody", customerMsg("hi", "")); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("never opened: %v", err)
		}
		tk := open(t, r, "sm-2", nil)
		if _, _, err := sourceSays(ctx, r, "webhook", "sm-2", customerMsg("before", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sourceSays(ctx, r, "webhook", "sm-2", customerMsg("after", "")); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("closed: %v", err)
		}
	})

	t.Run("FollowsTheConversationToItsNextTicket", func(t *testing.T) {
		// The process remembers the conversation's ticket; another process closes it and
		// opens the next: the message goes to the next one.
		r, c := newStore(t)
		other, _ := New(c, r.cfg)
		other.SetRoutes(routeAll(testGroup))
		first := open(t, r, "sm-3", nil)
		if _, _, err := sourceSays(ctx, r, "webhook", "sm-3", customerMsg("one", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Close(ctx, first.ID, tickets.Closing{By: alice, At: t0}); err != nil {
			t.Fatal(err)
		}
		next := open(t, other, "sm-3", nil)
		got, added, err := sourceSays(ctx, r, "webhook", "sm-3", customerMsg("two", ""))
		if err != nil || !added || got.ID != next.ID {
			t.Fatalf("sourceSays = %v, %v, %v; want ticket %s", got, added, err, next.ID)
		}
		if ms, _ := r.Messages(ctx, first.ID); len(ms) != 1 {
			t.Errorf("the closed ticket has %d messages, want 1", len(ms))
		}
	})

	t.Run("OneRoundTripOnceTheConversationIsKnown", func(t *testing.T) {
		r, c := newStore(t)
		rh, cc := counted(t, r, c)
		open(t, r, "sm-4", nil) // by another process
		if _, _, err := sourceSays(ctx, rh, "webhook", "sm-4", customerMsg("one", "")); err != nil {
			t.Fatal(err)
		}
		cc.take() // GET, then EVALSHA (and EVAL, the script's first time)
		if _, _, err := sourceSays(ctx, rh, "webhook", "sm-4", customerMsg("two", "")); err != nil {
			t.Fatal(err)
		}
		if n, names := cc.take(); n != 1 {
			t.Errorf("next message: %d round trips (%v), want 1", n, names)
		}
		// A conversation this process opened is known from the start. (One in the same
		// partition: on a Redis Cluster node, a script's first run there takes an EVAL.)
		conv := "sm-5"
		for i := 0; PartitionOf("webhook", conv) != PartitionOf("webhook", "sm-4"); i++ {
			conv = fmt.Sprint("sm-5-", i)
		}
		open(t, rh, conv, nil)
		cc.take()
		if _, _, err := sourceSays(ctx, rh, "webhook", conv, customerMsg("one", "")); err != nil {
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
			if _, _, err := sourceSays(ctx, r, "webhook", "sm-6", m); !errors.Is(err, tickets.ErrInvalid) {
				t.Errorf("%s: %v", m.Direction, err)
			}
		}
	})
}

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
	hooked := redistest.AnotherClient(c)
	t.Cleanup(func() { hooked.Close() })
	hooked.AddHook(cc)
	rh, err := New(hooked, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	rh.SetRoutes(routeAll(testGroup))
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

// One Inbound that opens, adds and closes: one script, in that order.
func TestRedis_InboundOpensAddsAndCloses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	agentAtSource := tickets.Message{ID: "m-sa", Direction: tickets.FromSourceAgent, Author: alice, Text: "bot: hi", SourceMessageID: "s0", At: t0}
	res, err := r.Inbound(ctx, tickets.InboundWrite{
		Source: "webhook", ConversationID: "oac", Open: newTicket("oac"),
		Messages: []tickets.Message{agentAtSource, customerMsg("hello", "s1"), customerMsg("still there?", "s2")},
		Close:    &tickets.Closing{Reason: "left", BySource: true, At: t0},
	})
	if err != nil || !res.Opened || !res.Closed || !slices.Equal(res.Added, []bool{true, true, true}) {
		t.Fatalf("Inbound = %+v, %v", res, err)
	}
	tk := res.Ticket
	if tk.Status != tickets.StatusClosed || !tk.BySource || tk.CloseReason != "left" {
		t.Errorf("ticket %+v", tk)
	}
	// The opening message (the first customer message) has no event: the card shows it.
	if got := types(events(t, r, tk.ID)); !slices.Equal(got, []string{"ticket.opened", "message:card:bot: hi", "message:card:still there?", "ticket.closed"}) {
		t.Errorf("events %v", got)
	}
	if ms, _ := r.Messages(ctx, tk.ID); len(ms) != 3 || ms[0].Text != "bot: hi" || ms[1].Text != "hello" {
		t.Errorf("transcript %+v", ms)
	}
	ref, _ := parseID(tk.ID)
	if n := c.Exists(ctx, r.keys.conv(ref.p, "webhook", "oac"), r.keys.held(ref)).Val(); n != 0 {
		t.Errorf("%d of the conversation key and held list left", n)
	}
	if last, err := r.FindLastClosed(ctx, "webhook", "oac"); err != nil || last.ID != tk.ID {
		t.Errorf("last closed = %v, %v", last, err)
	}
	// Nothing open now: a close alone finds nothing and changes nothing.
	before := snapshot(t, r)
	if _, err := r.Inbound(ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "oac", Close: &tickets.Closing{At: t0}}); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("close without an open ticket: %v", err)
	}
	unchanged(t, r, before)
	// The next request opens a new ticket, and the repeated message ids are new to it.
	res, err = r.Inbound(ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "oac", Open: newTicket("oac"),
		Messages: []tickets.Message{customerMsg("hello", "s1")}})
	if err != nil || !res.Opened || res.Ticket.ID == tk.ID || !res.Added[0] {
		t.Errorf("next request: %+v, %v", res, err)
	}
}

// Messages without a source id are added every time; with one, once; a conversation
// whose ticket is active gets them in the inbox.
func TestRedis_InboundDedupesBySourceID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "dd", nil)
	if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
		t.Fatal(err)
	}
	msgs := []tickets.Message{customerMsg("a", "x1"), customerMsg("b", ""), customerMsg("a", "x1")}
	res, err := r.Inbound(ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "dd", Messages: msgs})
	if err != nil || res.Opened || !slices.Equal(res.Added, []bool{true, true, false}) {
		t.Fatalf("Inbound = %+v, %v", res, err)
	}
	res, _ = r.Inbound(ctx, tickets.InboundWrite{Source: "webhook", ConversationID: "dd", Messages: msgs})
	if !slices.Equal(res.Added, []bool{false, true, false}) {
		t.Errorf("again: %v", res.Added)
	}
	if got := types(events(t, r, tk.ID)); !slices.Equal(got[len(got)-3:], []string{"message:inbox:a", "message:inbox:b", "message:inbox:b"}) {
		t.Errorf("events %v", got)
	}
}

// A conversation key naming a ticket that is not open (left behind) does not stop a new
// request from opening one.
func TestRedis_InboundReplacesAStaleConversationKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	tk := open(t, r, "stale", nil)
	if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0}); err != nil {
		t.Fatal(err)
	}
	ref, _ := parseID(tk.ID)
	c.Set(ctx, r.keys.conv(ref.p, "webhook", "stale"), string(tk.ID), 0) // as if the close had left it
	if _, _, err := sourceSays(ctx, r, "webhook", "stale", customerMsg("hi", "")); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("a message without a request: %v", err)
	}
	got, created, err := openInbound(ctx, r, newTicket("stale"), nil)
	if err != nil || !created || got.ID == tk.ID {
		t.Fatalf("request: %v, %v, %v", got, created, err)
	}
	if open, err := r.FindOpen(ctx, "webhook", "stale"); err != nil || open.ID != got.ID {
		t.Errorf("open ticket %v, %v", open, err)
	}
}
