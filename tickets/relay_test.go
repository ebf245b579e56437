package tickets_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestService_CustomerMessage(t *testing.T) {
	ctx := context.Background()
	t.Run("PendingGoesUnderTheCard", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.store.Drain()
		got, added, err := h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: "are you there?", SourceMessageID: "m1"})
		if err != nil || !added || got.ID != tk.ID {
			t.Fatalf("added=%v err=%v", added, err)
		}
		equal(t, "events", h.types(), []string{"message/customer/card"})
	})
	t.Run("ActiveGoesToTheInbox", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.pick(t, tk.ID, alice)
		h.store.Drain()
		for _, id := range []string{"m1", "m2", "m3"} {
			if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: id, SourceMessageID: id}); err != nil {
				t.Fatal(err)
			}
		}
		evs := h.store.Drain()
		var order []string
		for _, ev := range evs {
			if ev.Place != PlaceInbox {
				t.Errorf("place %q", ev.Place)
			}
			order = append(order, ev.Message.Text)
		}
		equal(t, "arrival order", order, []string{"m1", "m2", "m3"})
	})
	t.Run("RepeatedSourceIDIsNotRelayedTwice", func(t *testing.T) {
		h := newHarness(t)
		h.open(t, "c", "", "")
		h.store.Drain()
		for i := range 3 {
			_, added, err := h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: "once", SourceMessageID: "m1"})
			if err != nil || added != (i == 0) {
				t.Fatalf("try %d: added=%v err=%v", i, added, err)
			}
		}
		equal(t, "events", h.types(), []string{"message/customer/card"})
	})
	t.Run("NoOpenTicket", func(t *testing.T) {
		h := newHarness(t)
		_, _, err := h.svc.CustomerMessage(ctx, "webhook", "nobody", Message{Text: "hi"})
		wantErr(t, err, ErrNotFound)
		tk := h.open(t, "c", "", "")
		h.svc.End(ctx, tk.ID, alice, "")
		h.store.Drain()
		_, _, err = h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: "late"})
		wantErr(t, err, ErrNotFound)
		equal(t, "events", h.types(), []string(nil))
	})
	t.Run("Invalid", func(t *testing.T) {
		for name, m := range map[string]Message{
			"empty":          {},
			"too long":       {Text: strings.Repeat("é", MaxTextBytes)},
			"from an agent":  {Direction: FromAgent, Text: "x"},
			"long source id": {Text: "x", SourceMessageID: strings.Repeat("1", 300)},
		} {
			h := newHarness(t)
			h.open(t, "c", "", "")
			h.store.Drain()
			_, _, err := h.svc.CustomerMessage(ctx, "webhook", "c", m)
			if err == nil || !strings.Contains(err.Error(), "invalid") {
				t.Errorf("%s: err = %v", name, err)
			}
			equal(t, name+": events", h.types(), []string(nil))
		}
	})
}

func TestService_AgentMessage(t *testing.T) {
	ctx := context.Background()
	// active returns a harness with one active ticket whose inbox is "GINBOX".
	active := func(t *testing.T) (*harness, *Ticket) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "")
		h.pick(t, tk.ID, alice)
		if err := h.store.SetInbox(ctx, tk.ID, "GINBOX"); err != nil {
			t.Fatal(err)
		}
		h.store.Drain()
		return h, tk
	}
	t.Run("ReplyGoesToTheCustomerOnce", func(t *testing.T) {
		h, _ := active(t)
		for i := range 2 {
			got, err := h.svc.AgentMessage(ctx, "GINBOX", Message{Direction: FromAgent, Author: alice, Text: "hello", SourceMessageID: "1700.01"})
			if err != nil || got.Added != (i == 0) {
				t.Fatalf("try %d: %+v err=%v", i, got, err)
			}
		}
		equal(t, "events", h.types(), []string{"message/agent"})
	})
	t.Run("NoteStaysInternal", func(t *testing.T) {
		h, tk := active(t)
		if _, err := h.svc.Transfer(ctx, tk.ID, "C2", alice); err != nil {
			t.Fatal(err)
		}
		h.store.Drain()
		// Notes are taken while pending too; nothing goes to the customer.
		if _, err := h.svc.AgentMessage(ctx, "GINBOX", Message{Direction: Internal, Author: alice, Text: "fyi", SourceMessageID: "1.2"}); err != nil {
			t.Fatal(err)
		}
		evs := h.store.Drain()
		equal(t, "event", len(evs), 1)
		h.store.Redeliver(evs...)
		equal(t, "only the sink hears of it", h.deliver(t), []string{"sink.crm 1 message " + evs[0].ID})
	})
	t.Run("Refused", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			setup   func(h *harness, id ID)
			channel string
			m       Message
			want    error
		}{
			{name: "PendingAfterTransfer", setup: func(h *harness, id ID) { h.svc.Transfer(ctx, id, "C2", alice) }, want: ErrNotActive},
			{name: "Closed", setup: func(h *harness, id ID) { h.svc.End(ctx, id, alice, "") }, want: ErrClosed},
			{name: "NotAnInbox", channel: "CRANDOM", want: ErrNotFound},
			{name: "NoAuthor", m: Message{Direction: FromAgent, Text: "x"}, want: ErrInvalid},
			{name: "CustomerDirection", m: Message{Direction: FromCustomer, Author: alice, Text: "x"}, want: ErrInvalid},
			{name: "Empty", m: Message{Direction: FromAgent, Author: alice}, want: ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h, tk := active(t)
				if tc.setup != nil {
					tc.setup(h, tk.ID)
				}
				h.store.Drain()
				before, _ := h.store.Get(ctx, tk.ID)
				ch, m := "GINBOX", Message{Direction: FromAgent, Author: alice, Text: "hello", SourceMessageID: "9.9"}
				if tc.channel != "" {
					ch = tc.channel
				}
				if tc.m.Direction != "" || tc.m.Text != "" {
					m = tc.m
				}
				_, err := h.svc.AgentMessage(ctx, ch, m)
				wantErr(t, err, tc.want)
				h.unchanged(t, before)
				// A refused message is not remembered as seen: it can be sent once allowed.
				if tc.name == "PendingAfterTransfer" {
					h.pick(t, tk.ID, bob)
					if got, err := h.svc.AgentMessage(ctx, ch, m); err != nil || !got.Added {
						t.Fatalf("after re-pick: %+v err=%v", got, err)
					}
				}
			})
		}
	})
}

func TestService_SourceMessage(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.open(t, "c", "", "")
	h.store.Drain()
	chatraAgent := Agent{Name: "Sam", Email: "sam@example.com"}
	if _, added, err := h.svc.SourceMessage(ctx, "webhook", "c", Message{Direction: FromSourceAgent, Author: chatraAgent, Text: "I can help", SourceMessageID: "s1"}); err != nil || !added {
		t.Fatalf("added=%v err=%v", added, err)
	}
	evs := h.store.Drain()
	if len(evs) != 1 || evs[0].Message.Direction != FromSourceAgent || evs[0].Place != PlaceCard || evs[0].Message.Author != chatraAgent {
		t.Fatalf("events %+v", evs)
	}
	h.store.Redeliver(evs...)
	for _, c := range h.deliver(t) {
		if strings.HasPrefix(c, "source.") {
			t.Errorf("a source agent's message went back to the source: %s", c)
		}
	}
	for _, d := range []Direction{FromAgent, Internal, Notice, ""} {
		_, _, err := h.svc.SourceMessage(ctx, "webhook", "c", Message{Direction: d, Text: "x"})
		wantErr(t, err, ErrInvalid)
	}
}

func TestWithLinks(t *testing.T) {
	atts := []Attachment{{URL: "https://f/1", Name: "invoice.pdf"}, {URL: "https://f/2"}}
	for _, tc := range []struct{ text, want string }{
		{"See these", "See these\ninvoice.pdf: https://f/1\nhttps://f/2"},
		{"", "invoice.pdf: https://f/1\nhttps://f/2"},
	} {
		if got := WithLinks(tc.text, atts); got != tc.want {
			t.Errorf("WithLinks(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
	if got := WithLinks("only text", nil); got != "only text" {
		t.Errorf("without attachments: %q", got)
	}
}
