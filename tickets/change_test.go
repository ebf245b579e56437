package tickets_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestService_CustomerChanges(t *testing.T) {
	ctx := context.Background()
	change := func(h *harness, cs ...MessageChange) (InboundResult, error) {
		return h.svc.Inbound(ctx, Inbound{Source: "webhook", ConversationID: "c", Changes: cs})
	}
	t.Run("EditAndDeleteShowWhereTheMessageShows", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "c", "", "helo")
		if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c", Message{Text: "my pasword", SourceMessageID: "w-2"}); err != nil {
			t.Fatal(err)
		}
		h.pick(t, tk.ID, alice)
		h.deliver(t)
		res, err := change(h, MessageChange{SourceMessageID: "w-2", Text: "my password"})
		if err != nil || res.Changed != 1 || res.Unknown != 0 || res.State.ID != tk.ID {
			t.Fatalf("edit = %+v, %v", res, err)
		}
		equal(t, "the edit", h.deliver(t), []string{`desk.ShowChange 1 "my password" deleted=false ev6`, "sink.crm 1 message.changed ev6"})
		// The opening message: the card shows it too.
		if res, err := change(h, MessageChange{SourceMessageID: "first-c", Delete: true}); err != nil || res.Changed != 1 {
			t.Fatalf("delete = %+v, %v", res, err)
		}
		equal(t, "the deletion of the opening", h.deliver(t), []string{
			"desk.UpdateCard 1 C1/ts1 active ev7:card",
			`desk.ShowChange 1 "" deleted=true ev7`,
			"sink.crm 1 message.changed ev7",
		})
		got, _ := h.store.Get(ctx, tk.ID)
		equal(t, "opening", got.Opening, "")
		msgs, _ := h.svc.Transcript(ctx, tk.ID)
		if len(msgs) != 2 || !msgs[0].Deleted || msgs[1].Text != "my password" || msgs[1].EditedAt.IsZero() {
			t.Errorf("transcript %+v", msgs)
		}
	})
	t.Run("RepeatedAndUnknown", func(t *testing.T) {
		h := newHarness(t)
		h.open(t, "c", "", "hello")
		h.deliver(t)
		res, err := change(h, MessageChange{SourceMessageID: "first-c", Text: "hello"}, MessageChange{SourceMessageID: "nope", Delete: true})
		if err != nil || res.Changed != 0 || res.Unknown != 1 {
			t.Fatalf("= %+v, %v", res, err)
		}
		equal(t, "calls", h.deliver(t), []string(nil))
	})
	t.Run("NeedsAnOpenTicket", func(t *testing.T) {
		h := newHarness(t)
		_, err := change(h, MessageChange{SourceMessageID: "x", Text: "y"})
		wantErr(t, err, ErrNotFound)
	})
	t.Run("Invalid", func(t *testing.T) {
		for name, in := range map[string]Inbound{
			"no id":            {Changes: []MessageChange{{Text: "x"}}},
			"no text":          {Changes: []MessageChange{{SourceMessageID: "x"}}},
			"deletion text":    {Changes: []MessageChange{{SourceMessageID: "x", Delete: true, Text: "y"}}},
			"agent direction":  {Changes: []MessageChange{{Direction: FromAgent, SourceMessageID: "x", Text: "y"}}},
			"too long":         {Changes: []MessageChange{{SourceMessageID: "x", Text: strings.Repeat("x", MaxTextBytes+1)}}},
			"with a message":   {Changes: []MessageChange{{SourceMessageID: "x", Text: "y"}}, Messages: []Message{{Text: "z"}}},
			"with a request":   {Changes: []MessageChange{{SourceMessageID: "x", Text: "y"}}, Request: &Request{}},
			"with a close too": {Changes: []MessageChange{{SourceMessageID: "x", Text: "y"}}, Close: &SourceClose{}},
		} {
			t.Run(name, func(t *testing.T) {
				h := newHarness(t)
				h.open(t, "c", "", "hello")
				h.store.Drain()
				in.Source, in.ConversationID = "webhook", "c"
				_, err := h.svc.Inbound(ctx, in)
				wantErr(t, err, ErrInvalid)
				equal(t, "events", h.types(), []string(nil))
			})
		}
	})
}
