package tickets_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestService_Transfer(t *testing.T) {
	ctx := context.Background()
	t.Run("ActiveToAnotherTeam", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.pick(t, tk.ID, alice)
		h.store.SetInbox(ctx, tk.ID, "GINBOX")
		opened := "ev1"
		h.store.Drain()
		got, err := h.svc.Transfer(ctx, tk.ID, "C2", alice)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "status", got.Status, StatusPending)
		equal(t, "team", got.Team, technical)
		equal(t, "assignee released", got.Assignee, Agent{})
		equal(t, "inbox kept", got.Inbox, "GINBOX")
		equal(t, "transfers", len(got.Transfers), 1)
		equal(t, "transfer", got.Transfers[0], Transfer{From: support, To: technical, By: alice, At: got.UpdatedAt})
		evs := h.store.Drain()
		if len(evs) != 1 || evs[0].Type != EventTransferred || evs[0].From != support || evs[0].To != technical || evs[0].PrevCardEvent != opened {
			t.Fatalf("events %+v", evs)
		}
		// Picked again in the new team: the same inbox, and the customer hears "transfer accepted".
		h.pick(t, tk.ID, bob)
		evs = h.store.Drain()
		if len(evs) != 1 || !evs[0].AfterTransfer {
			t.Fatalf("events after re-pick %+v", evs)
		}
	})
	t.Run("Allowed", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			picked bool
			to     string
			want   Team
		}{
			{name: "PendingToAnotherTeam", to: "C2", want: technical},
			{name: "ActiveBackToItsOwnTeam", picked: true, to: "C1", want: support},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h := newHarness(t)
				tk := h.open(t, "c", "", "")
				if tc.picked {
					h.pick(t, tk.ID, alice)
				}
				got, err := h.svc.Transfer(ctx, tk.ID, tc.to, alice)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "team", got.Team, tc.want)
				equal(t, "status", got.Status, StatusPending)
			})
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			setup func(h *harness, id ID)
			to    string
			by    Agent
			want  error
		}{
			{name: "PendingToItsOwnTeam", to: "C1", by: alice, want: ErrSameTeam},
			{name: "Closed", setup: func(h *harness, id ID) { h.svc.End(ctx, id, alice, "") }, to: "C2", by: alice, want: ErrClosed},
			{name: "UnknownChannel", to: "C999", by: alice, want: ErrUnknownTeam},
			{name: "NoAgent", to: "C2", want: ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h := newHarness(t)
				tk := h.open(t, "c", "", "")
				if tc.setup != nil {
					tc.setup(h, tk.ID)
				}
				h.store.Drain()
				before, _ := h.store.Get(ctx, tk.ID)
				_, err := h.svc.Transfer(ctx, tk.ID, tc.to, tc.by)
				wantErr(t, err, tc.want)
				h.unchanged(t, before)
			})
		}
		h := newHarness(t)
		_, err := h.svc.Transfer(ctx, "404", "C2", alice)
		wantErr(t, err, ErrNotFound)
	})
}

func TestService_End(t *testing.T) {
	ctx := context.Background()
	t.Run("ByAgent", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.pick(t, tk.ID, alice)
		h.store.Drain()
		got, err := h.svc.End(ctx, tk.ID, alice, "solved")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "status", got.Status, StatusClosed)
		equal(t, "closed by", got.ClosedBy, alice)
		equal(t, "reason", got.CloseReason, "solved")
		if got.ClosedAt.IsZero() {
			t.Error("no closed at")
		}
		evs := h.store.Drain()
		if len(evs) != 1 || evs[0].Type != EventClosed || evs[0].BySource || evs[0].Actor != alice {
			t.Fatalf("events %+v", evs)
		}
		_, err = h.store.FindOpen(ctx, "webhook", "c")
		wantErr(t, err, ErrNotFound)
	})
	t.Run("Twice", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.svc.End(ctx, tk.ID, alice, "")
		h.store.Drain()
		before, _ := h.store.Get(ctx, tk.ID)
		_, err := h.svc.End(ctx, tk.ID, bob, "again")
		wantErr(t, err, ErrClosed)
		h.unchanged(t, before)
	})
	t.Run("Invalid", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.store.Drain()
		before, _ := h.store.Get(ctx, tk.ID)
		_, err := h.svc.End(ctx, tk.ID, Agent{}, "")
		wantErr(t, err, ErrInvalid)
		_, err = h.svc.End(ctx, tk.ID, alice, string(make([]byte, 3000)))
		wantErr(t, err, ErrInvalid)
		h.unchanged(t, before)
		_, err = h.svc.End(ctx, "404", alice, "")
		wantErr(t, err, ErrNotFound)
	})
	t.Run("BySource", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.store.Drain()
		got, err := h.svc.SourceClosed(ctx, "webhook", "c", "")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "ticket", got.ID, tk.ID)
		equal(t, "closed by nobody", got.ClosedBy, Agent{})
		equal(t, "reason", got.CloseReason, "closed by webhook")
		evs := h.store.Drain()
		if len(evs) != 1 || !evs[0].BySource {
			t.Fatalf("events %+v", evs)
		}
		_, err = h.svc.SourceClosed(ctx, "webhook", "c", "")
		wantErr(t, err, ErrNotFound)
	})
}

func TestService_HandBack(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, func(c *Config) {
		c.Sources["helpdesk"] = handBackSource{c.Sources["webhook"].(fakeSource)}
	})
	tk, _, err := h.svc.Open(ctx, OpenRequest{Source: "helpdesk", ConversationID: "hd-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !h.svc.CanHandBack(tk) {
		t.Fatal("a helpdesk ticket cannot be handed back")
	}
	h.pick(t, tk.ID, alice)
	h.store.SetInbox(ctx, tk.ID, "G1")
	h.deliver(t)
	got, err := h.svc.HandBack(ctx, tk.ID, alice, "needs a refund")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "status", got.Status, StatusClosed)
	equal(t, "reason", got.CloseReason, "handed back to helpdesk: needs a refund")
	calls := h.deliver(t)
	ev := h.last[0]
	equal(t, "handed back, not ended", calls, []string{
		"desk.UpdateCard 1 C1/ts1 closed " + ev.ID + ":card",
		"desk.Notice 1 ticket.closed " + ev.ID,
		"desk.ArchiveInbox 1 G1 " + ev.ID + ":archive",
		`source.Deliver 1 handed_back "" ` + ev.ID,
		"sink.crm 1 ticket.closed " + ev.ID,
	})
	_, err = h.svc.HandBack(ctx, tk.ID, alice, "")
	wantErr(t, err, ErrClosed)

	// A source that cannot take chats back is refused, and nothing changes.
	web := h.open(t, "c", "", "")
	h.store.Drain()
	if h.svc.CanHandBack(web) {
		t.Error("a webhook ticket can be handed back")
	}
	before, _ := h.store.Get(ctx, web.ID)
	_, err = h.svc.HandBack(ctx, web.ID, alice, "")
	wantErr(t, err, ErrInvalid)
	h.unchanged(t, before)
}

func TestService_Rate(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	_, err := h.svc.Rate(ctx, "webhook", "c", 5, "")
	wantErr(t, err, ErrNotFound)
	first := h.open(t, "c", "", "")
	_, err = h.svc.Rate(ctx, "webhook", "c", 5, "")
	wantErr(t, err, ErrNotFound) // open, never closed
	h.svc.End(ctx, first.ID, alice, "")
	h.open(t, "c", "", "") // a new chat of the same member, still open
	h.store.Drain()
	got, err := h.svc.Rate(ctx, "webhook", "c", 4, "quick and kind")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "rated the closed one", got.ID, first.ID)
	equal(t, "csat", *got.CSAT, CSAT{Rating: 4, Comment: "quick and kind", At: got.CSAT.At})
	equal(t, "event", h.types(), []string{"ticket.rated"})
	stored, _ := h.store.Get(ctx, first.ID)
	equal(t, "stored", stored.CSAT.Rating, 4)
	for _, tc := range []struct {
		rating  int
		comment string
	}{{0, ""}, {6, ""}, {-1, ""}, {3, strings.Repeat("x", MaxCSATComment+1)}} {
		_, err := h.svc.Rate(ctx, "webhook", "c", tc.rating, tc.comment)
		wantErr(t, err, ErrInvalid)
	}
	equal(t, "no more events", h.types(), []string(nil))
}
