package tickets_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// reopening is the support team's policy with a reopen window of an hour and no targets.
var reopening = SLAPolicy{Team: support.ChannelID, SLA: SLA{Hours: Hours{Always: true}}, ReopenWindow: time.Hour}

func TestService_Reopen(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withSLA(reopening))
	tk := h.open(t, "c1", "", "help")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	closed, err := h.svc.End(ctx, tk.ID, alice, "solved")
	if err != nil {
		t.Fatal(err)
	}
	calls := h.deliver(t)
	if slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "desk.ArchiveInbox") }) {
		t.Fatalf("the inbox channel was archived within the reopen window: %q", calls)
	}
	archive := Event{Type: EventArchive, TicketID: tk.ID, At: closed.ClosedAt.Add(time.Hour), Started: closed.ClosedAt}
	if !slices.ContainsFunc(h.store.Scheduled(), func(ev Event) bool { return reflect.DeepEqual(ev, archive) }) {
		t.Fatalf("no archive timer at the window's end: %+v", h.store.Scheduled())
	}

	// The customer writes again within the hour: the same ticket, active with Alice.
	h.at(closed.ClosedAt.Add(30 * time.Minute))
	again, created, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c1", First: &Message{Text: "it broke again", SourceMessageID: "m2"}})
	if err != nil || created || again == nil || again.ID != tk.ID || again.Status != StatusActive || again.Assignee != alice {
		t.Fatalf("Open after the close = %+v, created=%v, %v", again, created, err)
	}
	calls = h.deliver(t)
	for _, want := range []string{"desk.UpdateCard 1 C1/ts1 active", `desk.ShowStatus 1 closed→active cause="reopen"`,
		`source.Deliver 1 accepted "You are now chatting with an agent."`, `desk.Post 1 inbox "it broke again"`} {
		if !slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, want) }) {
			t.Errorf("no %s in %q", want, calls)
		}
	}
	// The archive timer of the first close finds it open: nothing.
	h.store.Fire(closed.ClosedAt.Add(time.Hour))
	equal(t, "archive of a reopened ticket", only("desk.ArchiveInbox", h.deliver(t)), nil)

	// Closed again; after the window a new request opens a new ticket, and the channel is
	// archived when the window ends.
	closed, _ = h.svc.End(ctx, tk.ID, alice, "")
	h.deliver(t)
	h.at(closed.ClosedAt.Add(2 * time.Hour))
	h.store.Fire(closed.ClosedAt.Add(time.Hour))
	equal(t, "archived at the window's end", only("desk.ArchiveInbox", h.deliver(t)), []string{"desk.ArchiveInbox 1 G1"})
	next := h.open(t, "c1", "", "new question")
	if next.ID == tk.ID {
		t.Fatal("a request after the window reopened the ticket")
	}
}

func TestService_ReopenOnlyWhereSet(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withSLA(reopening))
	// The technical team has no reopen window: its chats archive at once and never reopen.
	tk := h.open(t, "c1", technical.Label, "help")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	h.svc.End(ctx, tk.ID, alice, "")
	equal(t, "archived at once", only("desk.ArchiveInbox", h.deliver(t)), []string{"desk.ArchiveInbox 1 G1"})
	if next := h.open(t, "c1", technical.Label, "again"); next.ID == tk.ID {
		t.Fatal("reopened in a team without a reopen window")
	}
	// A chat handed back to its source's desk does not reopen either.
	policy := reopening
	policy.Team = technical.ChannelID
	h = newHarness(t, withSLA(reopening, policy), func(c *Config) { c.Sources["helpdesk"] = handBackSource{fakeSource{h.log}} })
	tk2, _, err := h.svc.Open(ctx, OpenRequest{Source: "helpdesk", ConversationID: "c2", First: &Message{Text: "hi", SourceMessageID: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	h.pick(t, tk2.ID, alice)
	if _, err := h.svc.HandBack(ctx, tk2.ID, alice, ""); err != nil {
		t.Fatal(err)
	}
	again, created, err := h.svc.Open(ctx, OpenRequest{Source: "helpdesk", ConversationID: "c2", First: &Message{Text: "hi again", SourceMessageID: "y"}})
	if err != nil || !created || again.ID == tk2.ID {
		t.Fatalf("a handed-back chat: %+v created=%v %v", again, created, err)
	}
}
