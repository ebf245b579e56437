package tickets

import (
	"context"
	"errors"
	"testing"
)

// TestService_Handlers follows one chat from request to end through the outbox handlers
// and checks every side effect, in order.
func TestService_Handlers(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	tk := h.open(t, "c", "", "Hello")
	equal(t, "opened", h.deliver(t), []string{
		"desk.PostCard 1 C1 [UPRIO] ev1",
		"sink.crm 1 ticket.opened ev1",
	})
	card1 := Card{Channel: "C1", TS: "ts1"}
	got, _ := h.svc.Get(ctx, tk.ID)
	equal(t, "card recorded", got.Card, card1)

	h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: "still there?"})
	equal(t, "message while pending", h.deliver(t), []string{
		`desk.Post 1 card "still there?" ev2`,
		"sink.crm 1 message ev2",
	})

	h.pick(t, tk.ID, alice)
	equal(t, "picked", h.deliver(t), []string{
		"desk.OpenInbox 1 G1 [UALICE UPRIO] ev3",
		"desk.UpdateCard 1 C1/ts1 active ev3:card",
		"desk.Notice 1 ticket.picked ev3",
		`source.Send 1 notice "You are now chatting with an agent." ev3:notice`,
		"sink.crm 1 ticket.picked ev3",
		`desk.Post 1 inbox "Hello" ev4`,
		"sink.crm 1 message ev4",
		`desk.Post 1 inbox "still there?" ev5`,
		"sink.crm 1 message ev5",
	})
	got, _ = h.svc.ByInbox(ctx, "G1")
	equal(t, "inbox recorded", got.ID, tk.ID)

	h.svc.AgentMessage(ctx, "G1", Message{Direction: FromAgent, Author: alice, Text: "Hi Carol", SourceMessageID: "1.1"})
	h.svc.AgentMessage(ctx, "G1", Message{Direction: Internal, Author: alice, Text: "VIP", SourceMessageID: "1.2"})
	equal(t, "agent reply and note", h.deliver(t), []string{
		`source.Send 1 agent "Hi Carol" ev6`,
		"sink.crm 1 message ev6",
		"sink.crm 1 message ev7",
	})

	h.svc.Transfer(ctx, tk.ID, "C2", alice)
	equal(t, "transferred", h.deliver(t), []string{
		"desk.UpdateCard 1 C1/ts1 pending ev8:old",
		"desk.PostCard 1 C2 [UPRIO] ev8",
		"desk.Notice 1 ticket.transferred ev8:notice",
		"sink.crm 1 ticket.transferred ev8",
	})
	transferred := h.last

	h.pick(t, tk.ID, bob)
	equal(t, "picked after transfer", h.deliver(t), []string{
		"desk.OpenInbox 1 G1 [UBOB UPRIO] ev9",
		"desk.UpdateCard 1 C2/ts2 active ev9:card",
		"desk.Notice 1 ticket.picked ev9",
		`source.Send 1 notice "Your chat was transferred to Technical Team. You are now chatting with an agent." ev9:notice`,
		"sink.crm 1 ticket.picked ev9",
	})

	h.svc.End(ctx, tk.ID, bob, "solved")
	equal(t, "ended", h.deliver(t), []string{
		"desk.UpdateCard 1 C2/ts2 closed ev10:card",
		"desk.Notice 1 ticket.closed ev10",
		"desk.ArchiveInbox 1 G1 ev10:archive",
		`source.Send 1 notice "This chat has ended. Thank you for reaching out!" ev10:notice`,
		"source.Ended 1 ev10",
		"sink.crm 1 ticket.closed ev10",
	})

	t.Run("RepeatsPostNoSecondCard", func(t *testing.T) {
		// A consumer that crashed after the card was posted runs the event again.
		h.store.events = transferred
		equal(t, "transfer again", h.deliver(t), []string{
			"desk.UpdateCard 1 C1/ts1 closed ev8:old",
			"desk.UpdateCard 1 C2/ts2 closed ev8:card",
			"desk.Notice 1 ticket.transferred ev8:notice",
			"sink.crm 1 ticket.transferred ev8",
		})
	})
}

func TestService_HandlersFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("FailedCardIsPostedOnceOnRetry", func(t *testing.T) {
		h := newHarness(t)
		h.open(t, "c", "", "")
		evs := h.store.drain()
		boom := errors.New("slack is down")
		h.log.fail["desk.PostCard"] = boom
		desk := h.svc.Handlers()[GroupDesk]
		if err := desk(ctx, evs[0]); !errors.Is(err, boom) || IsPermanent(err) {
			t.Fatalf("first try: %v", err)
		}
		for range 2 { // the retry, and a repeat of it
			if err := desk(ctx, evs[0]); err != nil {
				t.Fatal(err)
			}
		}
		equal(t, "calls", h.log.take(), []string{"desk.PostCard 1 C1 [UPRIO] ev1", "desk.UpdateCard 1 C1/ts1 pending ev1:card"})
	})
	t.Run("UnknownSourceIsPermanent", func(t *testing.T) {
		h := newHarness(t)
		tk, _, err := h.svc.Open(ctx, OpenRequest{Source: "gladly", ConversationID: "c"})
		if err != nil {
			t.Fatal(err)
		}
		h.pick(t, tk.ID, alice)
		h.store.drain()
		h.svc.End(ctx, tk.ID, alice, "")
		err = h.svc.Handlers()[GroupSource](ctx, h.store.drain()[0])
		if !IsPermanent(err) || !errors.Is(err, ErrUnknownSource) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("MissingTicketIsPermanent", func(t *testing.T) {
		h := newHarness(t)
		for g, handle := range h.svc.Handlers() {
			err := handle(ctx, Event{ID: "x", Type: EventClosed, TicketID: "404"})
			if g != GroupSource && (!IsPermanent(err) || !errors.Is(err, ErrNotFound)) {
				t.Errorf("%s: err = %v", g, err)
			}
		}
	})
	t.Run("SourceIsNotToldWhatItSaid", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.pick(t, tk.ID, alice)
		h.deliver(t)
		h.svc.SourceClosed(ctx, "webhook", "c", "customer left")
		equal(t, "calls", h.deliver(t), []string{
			"desk.UpdateCard 1 C1/ts1 closed ev3:card",
			"desk.Notice 1 ticket.closed ev3",
			"desk.ArchiveInbox 1 G1 ev3:archive",
			"sink.crm 1 ticket.closed ev3",
		})
	})
	t.Run("NoDeskNoDeskHandler", func(t *testing.T) {
		svc, _ := New(Config{Store: newFakeStore()})
		if _, ok := svc.Handlers()[GroupDesk]; ok {
			t.Fatal("desk handler without a desk")
		}
	})
}

func TestErrors(t *testing.T) {
	boom := errors.New("boom")
	if wrap("x", ErrClosed) != ErrClosed {
		t.Error("outcomes pass through unwrapped")
	}
	if err := wrap("pick", boom); !errors.Is(err, boom) || err.Error() != "tickets: pick: boom" {
		t.Errorf("wrap = %v", err)
	}
	if Permanent(nil) != nil || IsPermanent(boom) || !IsPermanent(Permanent(boom)) {
		t.Error("Permanent")
	}
	if d, ok := RetryAfter(&RetryAfterError{After: 3, Err: boom}); !ok || d != 3 {
		t.Error("RetryAfter")
	}
	if _, ok := IsAlreadyPicked(boom); ok {
		t.Error("IsAlreadyPicked on a plain error")
	}
}
