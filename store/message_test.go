package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// ticketIn returns a ticket of r in status st, for conversation conv, with inbox channel
// "G-"+conv.
func ticketIn(t *testing.T, r *Redis, conv string, st tickets.Status) tickets.ID {
	t.Helper()
	ctx := context.Background()
	tk := open(t, r, conv, nil)
	if err := r.SetInbox(ctx, tk.ID, "G-"+conv); err != nil {
		t.Fatal(err)
	}
	switch st {
	case tickets.StatusActive:
		if _, err := r.Pick(ctx, tk.ID, alice, t0); err != nil {
			t.Fatal(err)
		}
	case tickets.StatusClosed:
		if _, err := r.Close(ctx, tk.ID, tickets.Closing{By: alice, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return tk.ID
}

// add adds m to ticket id the way it comes: a source's message through Inbound to the
// ticket's conversation, an agent's message or note through AddInboxMessage in its inbox.
func add(ctx context.Context, r *Redis, id tickets.ID, m tickets.Message) (bool, error) {
	tk, err := r.Get(ctx, id)
	if err != nil {
		return false, err
	}
	if m.Direction == tickets.FromCustomer || m.Direction == tickets.FromSourceAgent {
		_, added, err := sourceSays(ctx, r, tk.Source, tk.ConversationID, m)
		return added, err
	}
	if tk.Inbox == "" {
		if err := r.SetInbox(ctx, id, "G-"+string(id)); err != nil {
			return false, err
		}
		tk.Inbox = "G-" + string(id)
	}
	got, err := r.AddInboxMessage(ctx, tk.Inbox, m)
	return got.Added, err
}

func TestRedis_MessageRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)

	// What each direction does in each status, through the way it comes (add): the error,
	// or where the event places it ("-" for an event without a place). A source's message
	// for a closed ticket finds no open ticket of its conversation.
	for _, tc := range []struct {
		dir    tickets.Direction
		status tickets.Status
		want   error
		place  string
		held   bool
	}{
		{tickets.FromCustomer, tickets.StatusPending, nil, "card", true},
		{tickets.FromCustomer, tickets.StatusActive, nil, "inbox", false},
		{tickets.FromCustomer, tickets.StatusClosed, tickets.ErrNotFound, "", false},
		{tickets.FromSourceAgent, tickets.StatusPending, nil, "card", true},
		{tickets.FromSourceAgent, tickets.StatusActive, nil, "inbox", false},
		{tickets.FromSourceAgent, tickets.StatusClosed, tickets.ErrNotFound, "", false},
		{tickets.FromAgent, tickets.StatusPending, tickets.ErrNotActive, "", false},
		{tickets.FromAgent, tickets.StatusActive, nil, "-", false},
		{tickets.FromAgent, tickets.StatusClosed, tickets.ErrClosed, "", false},
		{tickets.Internal, tickets.StatusPending, nil, "-", false},
		{tickets.Internal, tickets.StatusActive, nil, "-", false},
		{tickets.Internal, tickets.StatusClosed, nil, "-", false},
	} {
		name := string(tc.dir) + "/" + string(tc.status)
		t.Run(name, func(t *testing.T) {
			id := ticketIn(t, r, name, tc.status)
			m := agentMsg(tc.dir, "text "+name)
			m.SourceMessageID = "src-" + name
			if tc.dir == tickets.FromCustomer {
				m.Author = tickets.Agent{}
			}
			before := snapshot(t, r)
			added, err := add(ctx, r, id, m)
			if tc.want != nil {
				if added || !errors.Is(err, tc.want) {
					t.Errorf("add = %v, %v; want %v", added, err, tc.want)
				}
				unchanged(t, r, before) // not marked seen either
				return
			}
			if !added || err != nil {
				t.Fatalf("add = %v, %v", added, err)
			}
			evs := events(t, r, id)
			ev := evs[len(evs)-1]
			if place := string(ev.Place); ev.Type != tickets.EventMessage || ev.Message == nil ||
				ev.Message.Text != m.Text || ev.Message.Direction != tc.dir || ev.Actor != m.Author ||
				ev.Replay || (place != tc.place && !(place == "" && tc.place == "-")) {
				t.Errorf("event = %+v, want a message placed %q", ev, tc.place)
			}
			if ms, _ := r.Messages(ctx, id); len(ms) != 1 || ms[0].Text != m.Text || ms[0].SourceMessageID != m.SourceMessageID {
				t.Errorf("transcript = %+v", ms)
			}
			if held := c.LLen(ctx, r.keys.held(mustRef(t, id))).Val(); (held == 1) != tc.held {
				t.Errorf("%d messages held, want held=%v", held, tc.held)
			}
			if got, _ := r.Get(ctx, id); !got.UpdatedAt.Equal(m.At) {
				t.Errorf("updated_at = %v, want the message's time", got.UpdatedAt)
			}
		})
	}

	t.Run("NotFound", func(t *testing.T) {
		if _, err := r.Messages(ctx, "404-1"); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("Messages = %v, want ErrNotFound", err)
		}
	})

	t.Run("Dedupe", func(t *testing.T) {
		id := ticketIn(t, r, "dedupe", tickets.StatusActive)
		mustAdd(t, r, id, customerMsg("one", "s1"))
		before := snapshot(t, r)
		if added, err := add(ctx, r, id, customerMsg("one again", "s1")); added || err != nil {
			t.Errorf("repeat = %v, %v; want added=false", added, err)
		}
		unchanged(t, r, before)
		// The same source id in another direction is another message; no source id, no dedupe.
		agent := agentMsg(tickets.FromAgent, "reply")
		agent.SourceMessageID = "s1"
		mustAdd(t, r, id, agent)
		mustAdd(t, r, id, customerMsg("two", ""))
		mustAdd(t, r, id, customerMsg("two", ""))
		ms, _ := r.Messages(ctx, id)
		var texts []string
		for _, m := range ms {
			texts = append(texts, m.Text)
		}
		if want := []string{"one", "reply", "two", "two"}; !slices.Equal(texts, want) {
			t.Errorf("transcript = %v, want %v", texts, want)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		ticketIn(t, r, "invalid", tickets.StatusActive)
		for _, dir := range []tickets.Direction{"sideways", tickets.Notice, tickets.FromCustomer} {
			if _, err := r.AddInboxMessage(ctx, "G-invalid", tickets.Message{Direction: dir, Text: "x"}); !errors.Is(err, tickets.ErrInvalid) {
				t.Errorf("AddInboxMessage(%s) = %v, want ErrInvalid", dir, err)
			}
		}
	})
}
