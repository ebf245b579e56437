package tickets_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestService_AgentChanges(t *testing.T) {
	ctx := context.Background()
	// active opens and picks a chat, and alice writes "helo" (Slack ts 1.1) and a note (1.2).
	active := func(t *testing.T, h *harness) *Ticket {
		t.Helper()
		tk := h.open(t, "c", "", "hello")
		h.pick(t, tk.ID, alice)
		h.deliver(t) // the pick makes the inbox channel
		for _, m := range []Message{{Direction: FromAgent, Text: "helo", SourceMessageID: "1.1"}, {Direction: Internal, Text: "vip", SourceMessageID: "1.2"}} {
			m.Author = alice
			if _, err := h.svc.AgentMessage(ctx, "G"+string(tk.ID), m); err != nil {
				t.Fatal(err)
			}
		}
		h.deliver(t)
		h.deliver(t) // the deliveries' marks
		return tk
	}
	changer := func(c *Config) { c.Sources["webhook"] = fakeChanger{fakeSource{c.Desk.(*fakeDesk).calls}} }
	t.Run("ToASourceThatChangesMessages", func(t *testing.T) {
		h := newHarness(t, changer)
		tk := active(t, h)
		got, err := h.svc.AgentChange(ctx, "G"+string(tk.ID), MessageChange{Direction: FromAgent, SourceMessageID: "1.1", Text: "hello"})
		if err != nil || !got.Changed || got.Message.Text != "hello" {
			t.Fatalf("edit = %+v, %v", got, err)
		}
		calls := h.deliver(t)
		want := `source.Deliver 1 edited "hello" 1/` + got.Message.ID + "/"
		if !hasPrefixIn(calls, want) {
			t.Errorf("calls %q, want one starting %q", calls, want)
		}
		if _, err := h.svc.AgentChange(ctx, "G"+string(tk.ID), MessageChange{Direction: FromAgent, SourceMessageID: "1.1", Delete: true}); err != nil {
			t.Fatal(err)
		}
		if calls := h.deliver(t); !hasPrefixIn(calls, `source.Deliver 1 deleted "" 1/`) {
			t.Errorf("calls %q, want the deletion delivered", calls)
		}
		// The same deletion again (Slack sent the event twice) tells nobody.
		if got, err := h.svc.AgentChange(ctx, "G"+string(tk.ID), MessageChange{Direction: FromAgent, SourceMessageID: "1.1", Delete: true}); err != nil || got.Changed {
			t.Fatalf("again = %+v, %v", got, err)
		}
		equal(t, "calls after a repeat", h.deliver(t), []string(nil))
	})
	t.Run("ToASourceThatCannot", func(t *testing.T) {
		h := newHarness(t)
		tk := active(t, h)
		if _, err := h.svc.AgentChange(ctx, "G"+string(tk.ID), MessageChange{Direction: FromAgent, SourceMessageID: "1.1", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		h.deliver(t)
		calls := h.deliver(t) // the failure the source group wrote
		if !hasPrefixIn(calls, "desk.MarkDelivery 1 G1 message.failed") {
			t.Errorf("calls %q, want the agent told on the message", calls)
		}
		var failed *Event
		for i, ev := range h.last {
			if ev.Type == EventFailed {
				failed = &h.last[i]
			}
		}
		if failed == nil || failed.Failed != EventChanged || !strings.Contains(failed.Reason, "still has it as it was before you edited it") {
			t.Errorf("the failure: %+v", failed)
		}
	})
	t.Run("NotesStayInSlack", func(t *testing.T) {
		h := newHarness(t, changer)
		tk := active(t, h)
		if _, err := h.svc.AgentChange(ctx, "G"+string(tk.ID), MessageChange{Direction: Internal, SourceMessageID: "1.2", Text: "VIP"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range h.deliver(t) {
			if strings.HasPrefix(c, "source.") || strings.HasPrefix(c, "desk.") {
				t.Errorf("a note's edit went out: %s", c)
			}
		}
		msgs, _ := h.svc.Transcript(ctx, tk.ID)
		if msgs[len(msgs)-1].Text != "VIP" {
			t.Errorf("transcript %+v", msgs)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		h := newHarness(t)
		tk := active(t, h)
		for name, tt := range map[string]struct {
			channel string
			c       MessageChange
			want    error
		}{
			"a customer's message": {"G" + string(tk.ID), MessageChange{Direction: FromCustomer, SourceMessageID: "x", Text: "y"}, ErrInvalid},
			"no text":              {"G" + string(tk.ID), MessageChange{Direction: FromAgent, SourceMessageID: "1.1"}, ErrInvalid},
			"no inbox":             {"C404", MessageChange{Direction: FromAgent, SourceMessageID: "1.1", Text: "y"}, ErrNotFound},
			"no such message":      {"G" + string(tk.ID), MessageChange{Direction: FromAgent, SourceMessageID: "9.9", Text: "y"}, ErrNotFound},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := h.svc.AgentChange(ctx, tt.channel, tt.c)
				wantErr(t, err, tt.want)
				equal(t, "events", h.types(), []string(nil))
			})
		}
	})
}

func hasPrefixIn(calls []string, prefix string) bool {
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// An agent's message not yet delivered takes in its later changes (outbox Absorbs): it
// goes out once, as last edited, or not at all when deleted; nothing else is absorbed.
func TestAbsorbs(t *testing.T) {
	if Absorbs(GroupDesk) != nil || Absorbs(GroupMarks) != nil {
		t.Error("only the source group absorbs")
	}
	absorbs := Absorbs(GroupSource)
	msg := Event{Type: EventMessage, TicketID: "1", Message: &Message{ID: "m1", Direction: FromAgent, Text: "helo"}}
	edit := Event{Type: EventChanged, TicketID: "1", Message: &Message{ID: "m1", Direction: FromAgent, Text: "hello"}}
	got, ok := absorbs(msg, edit)
	if !ok || got.Type != EventMessage || got.Message.Text != "hello" || msg.Message.Text != "helo" {
		t.Errorf("absorbs(message, its edit) = %+v %v (the earlier event itself must stay as it was)", got, ok)
	}
	for name, later := range map[string]Event{
		"another message's edit": {Type: EventChanged, TicketID: "1", Message: &Message{ID: "m2", Direction: FromAgent, Text: "x"}},
		"another ticket":         {Type: EventChanged, TicketID: "2", Message: &Message{ID: "m1", Direction: FromAgent, Text: "x"}},
		"a message":              {Type: EventMessage, TicketID: "1", Message: &Message{ID: "m1", Direction: FromAgent, Text: "x"}},
	} {
		if _, ok := absorbs(msg, later); ok {
			t.Errorf("absorbs %s", name)
		}
	}
	note := Event{Type: EventMessage, TicketID: "1", Message: &Message{ID: "m1", Direction: Internal, Text: "n"}}
	if _, ok := absorbs(note, edit); ok {
		t.Error("a note absorbs")
	}
	// Deleted before it went out: the source is told nothing.
	h := newHarness(t, func(c *Config) { c.Sources["webhook"] = fakeChanger{fakeSource{c.Desk.(*fakeDesk).calls}} })
	tk := h.open(t, "c", "", "hello")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	gone := Event{ID: "ev-x", Type: EventMessage, TicketID: tk.ID, Message: &Message{ID: "m9", Direction: FromAgent, Deleted: true}}
	if err := h.svc.Handlers()[GroupSource](context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	if calls := h.log.take(); len(calls) != 0 {
		t.Errorf("a deleted message went out: %q", calls)
	}
}
