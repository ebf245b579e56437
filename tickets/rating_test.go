package tickets_test

import (
	"context"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestParseRating(t *testing.T) {
	for in, want := range map[string]int{"5": 5, " 1 ": 1, "4/5": 4, "3.": 3, "⭐⭐⭐⭐": 4, "⭐️⭐️": 2, "★ ★ ★": 3} {
		if got, ok := ParseRating(in); !ok || got != want {
			t.Errorf("ParseRating(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0", "6", "10", "5 stars please", "great", "⭐⭐⭐⭐⭐⭐", "1 2"} {
		if got, ok := ParseRating(in); ok {
			t.Errorf("ParseRating(%q) = %d, want no rating", in, got)
		}
	}
}

func withRatingWindow(d time.Duration) func(*Config) { return func(c *Config) { c.RatingWindow = d } }

// An agent ends the chat: the customer is asked to rate it (after the ended message, or
// separately to a source that carries ratings itself); the inbox channel stays open until
// the rating, which shows on the card and in the inbox, then it is archived.
func TestRating_AskedAndShown(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withRatingWindow(time.Hour))
	tk := h.open(t, "c", "", "Hello")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	if _, err := h.svc.End(ctx, tk.ID, alice, "solved"); err != nil {
		t.Fatal(err)
	}
	equal(t, "ended", h.deliver(t), []string{
		"desk.UpdateCard 1 C1/ts1 closed ev4:card",
		"desk.Notice 1 ticket.closed ev4",
		`source.Deliver 1 ended "This chat has ended. Thank you for reaching out!\n\nHow did we do? Reply with a number from 1 (poor) to 5 (great)." ev4`,
		"sink.crm 1 ticket.closed ev4",
	})

	// The reply "4" rates the chat; it opens nothing.
	got, created, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c", First: &Message{Text: "4", SourceMessageID: "r1"}})
	wantErr(t, err, ErrRated)
	if created || got == nil || got.ID != tk.ID || got.CSAT == nil || got.CSAT.Rating != 4 {
		t.Fatalf("rating reply: %+v, %v", got, created)
	}
	equal(t, "rated", h.deliver(t), []string{
		"desk.UpdateCard 1 C1/ts1 closed ev5:card",
		"desk.Notice 1 ticket.rated ev5",
		"desk.ArchiveInbox 1 G1 ev5:archive",
		"sink.crm 1 ticket.rated ev5",
	})
	// Sent again (a retry): the same rating, still nothing opened.
	_, _, err = h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c", First: &Message{Text: "4", SourceMessageID: "r1"}})
	wantErr(t, err, ErrRated)

	// Unrated chats are archived when the window ends.
	tk2 := h.open(t, "d", "", "Hi")
	h.pick(t, tk2.ID, alice)
	h.svc.End(ctx, tk2.ID, alice, "")
	h.deliver(t)
	h.store.Fire(t0.Add(2 * time.Hour))
	equal(t, "window over", h.deliver(t), []string{
		"desk.ArchiveInbox 1 G1 ev11", // archived at the rating already: harmless
		"sink.crm 1 ticket.archive ev11",
		"desk.ArchiveInbox 2 G2 ev12",
		"sink.crm 2 ticket.archive ev12",
	})
	// After the window, a "5" is a new request.
	h.clock = h.clock.Add(2 * time.Hour)
	if _, created, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "d", First: &Message{Text: "5"}}); err != nil || !created {
		t.Errorf("a late 5: created %v, %v", created, err)
	}
}

func TestRating_NotAsked(t *testing.T) {
	ctx := context.Background()
	// A chat the source closed is not asked; nor any with the window off.
	h := newHarness(t, withRatingWindow(time.Hour))
	tk := h.open(t, "c", "", "Hello")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	h.svc.SourceClosed(ctx, "webhook", "c", "bot took over")
	h.deliver(t)
	if _, created, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c", First: &Message{Text: "5"}}); err != nil || !created {
		t.Errorf("5 after the source closed the chat: created %v, %v", created, err)
	}

	off := newHarness(t)
	tk = off.open(t, "c", "", "Hello")
	off.pick(t, tk.ID, alice)
	off.deliver(t)
	off.svc.End(ctx, tk.ID, alice, "")
	calls := off.deliver(t)
	equal(t, "no question, archived at once", calls[1:3], []string{"desk.Notice 1 ticket.closed ev4", "desk.ArchiveInbox 1 G1 ev4:archive"})
}

// A source that carries ratings itself gets the question apart from the ended text.
func TestRating_Carrier(t *testing.T) {
	ctx := context.Background()
	var got Outbound
	h := newHarness(t, withRatingWindow(time.Hour), func(c *Config) {
		c.Sources["webhook"] = carrier{func(o Outbound) { got = o }}
	})
	tk := h.open(t, "c", "", "Hello")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	h.svc.End(ctx, tk.ID, alice, "")
	h.deliver(t)
	equal(t, "text", got.Text, DefaultTemplates.Ended)
	equal(t, "question", got.RatingQuestion, DefaultTemplates.Rating)
}

type carrier struct{ seen func(Outbound) }

func (c carrier) Deliver(_ context.Context, _ *Ticket, out Outbound, _ string) error {
	c.seen(out)
	return nil
}
func (carrier) CarriesRating() bool { return true }
