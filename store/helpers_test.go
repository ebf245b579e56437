package store

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

var (
	support = tickets.Team{ChannelID: "C_SUPPORT", Label: "Support"}
	tech    = tickets.Team{ChannelID: "C_TECH", Label: "Technical Team"}
	alice   = tickets.Agent{ID: "U_ALICE", Name: "Alice"}
	bob     = tickets.Agent{ID: "U_BOB", Name: "Bob"}
	t0      = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)
)

// newStore returns a store on the test Redis under a fresh prefix, and its client. Every
// event goes to one consumer group, testGroup.
func newStore(t *testing.T) (*Redis, redis.UniversalClient) {
	t.Helper()
	c, prefix := redistest.Open(t)
	r, err := New(c, Config{Prefix: prefix, DedupTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r.SetRoutes(routeAll(testGroup))
	return r, c
}

// testGroup is the consumer group newStore routes every event to.
const testGroup = "all"

// routeAll routes every event to groups.
func routeAll(groups ...string) tickets.Routes {
	rs := tickets.Routes{}
	for _, route := range tickets.AllRoutes() {
		rs[route] = groups
	}
	return rs
}

// open opens a pending ticket for conversation conv in team support.
func open(t *testing.T, r *Redis, conv string, first *tickets.Message) *tickets.Ticket {
	t.Helper()
	got, created, err := openInbound(context.Background(), r, newTicket(conv), first)
	if err != nil || !created {
		t.Fatalf("open(%s) = created %v, %v", conv, created, err)
	}
	return got
}

// openInbound is a source's live chat request: Inbound opening tk (unless its
// conversation has an open ticket) with first as its opening message.
func openInbound(ctx context.Context, r *Redis, tk *tickets.Ticket, first *tickets.Message) (*tickets.Ticket, bool, error) {
	w := tickets.InboundWrite{Source: tk.Source, ConversationID: tk.ConversationID, Open: tk, WholeTicket: true}
	if first != nil {
		w.Messages = []tickets.Message{*first}
	}
	res, err := r.Inbound(ctx, w)
	return res.Ticket, res.Opened, err
}

// sourceSays is a source's message to its conversation's open ticket: Inbound with m,
// answered with the whole ticket.
func sourceSays(ctx context.Context, r *Redis, source, conv string, m tickets.Message) (*tickets.Ticket, bool, error) {
	res, err := r.Inbound(ctx, tickets.InboundWrite{Source: source, ConversationID: conv, Messages: []tickets.Message{m}, WholeTicket: true})
	if err != nil {
		return nil, false, err
	}
	return res.Ticket, res.Added[0], nil
}

func newTicket(conv string) *tickets.Ticket {
	return &tickets.Ticket{
		Source: "webhook", ConversationID: conv, Status: tickets.StatusPending, Team: support,
		Customer:  tickets.Customer{Name: "Carol", Email: "carol@example.com", Fields: map[string]string{"plan": "pro"}},
		Summary:   "cannot log in",
		Opening:   "hello",
		Raw:       `{"client":{"id":"v1"}}`,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func customerMsg(text, sourceID string) tickets.Message {
	return tickets.Message{ID: "m-" + text, Direction: tickets.FromCustomer, Text: text, SourceMessageID: sourceID, At: t0}
}

func agentMsg(dir tickets.Direction, text string) tickets.Message {
	return tickets.Message{ID: "a-" + text, Direction: dir, Author: alice, Text: text, At: t0}
}

// events returns the decoded outbox entries of the ticket's partition that are about it
// (testGroup's stream: all of them).
func events(t *testing.T, r *Redis, id tickets.ID) []tickets.Event {
	t.Helper()
	ref, err := parseID(id)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := r.c.XRange(context.Background(), r.keys.groupOutbox(testGroup, ref.p), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var evs []tickets.Event
	for _, m := range msgs {
		ev, err := decodeEntry(ref.p, m)
		if err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		if ev.TicketID == id {
			evs = append(evs, ev)
		}
	}
	return evs
}

// types lists the events' types, with the place of message events.
func types(evs []tickets.Event) []string {
	var s []string
	for _, ev := range evs {
		if ev.Type == tickets.EventMessage {
			s = append(s, fmt.Sprintf("message:%s:%s", ev.Place, ev.Message.Text))
			continue
		}
		s = append(s, string(ev.Type))
	}
	return s
}

// snapshot is every key under the store's prefix and its value, as text. (DUMP would
// do, but a hash's serialization changes when Redis rehashes it on a read.)
func snapshot(t *testing.T, r *Redis) map[string]string {
	t.Helper()
	ctx := context.Background()
	snap := map[string]string{}
	keys, err := r.scan(ctx, r.cfg.Prefix+"*") // every master of a cluster
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		var v any
		var err error
		switch typ := r.c.Type(ctx, k).Val(); typ {
		case "string":
			v, err = r.c.Get(ctx, k).Result()
		case "hash":
			v, err = r.c.HGetAll(ctx, k).Result() // fmt prints maps sorted
		case "list":
			v, err = r.c.LRange(ctx, k, 0, -1).Result()
		case "zset":
			v, err = r.c.ZRangeWithScores(ctx, k, 0, -1).Result()
		case "stream":
			v, err = r.c.XRange(ctx, k, "-", "+").Result()
		default:
			t.Fatalf("key %s has type %s", k, typ)
		}
		if err != nil {
			t.Fatal(err)
		}
		snap[k] = fmt.Sprint(v)
	}
	return snap
}

// unchanged fails the test when any key under the prefix changed since before.
func unchanged(t *testing.T, r *Redis, before map[string]string) {
	t.Helper()
	after := snapshot(t, r)
	if !maps.Equal(before, after) {
		for k := range after {
			if before[k] != after[k] {
				t.Errorf("key %s changed", k)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("key %s was deleted", k)
			}
		}
	}
}
