package tickets_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// observed records what an Observer is told, one line per call.
type observed struct {
	mu    sync.Mutex
	lines []string
}

func (o *observed) add(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lines = append(o.lines, fmt.Sprintf(format, args...))
}

func (o *observed) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	l := o.lines
	o.lines = nil
	return l
}

func (o *observed) TicketOpened(t *Ticket) { o.add("opened %s %s", t.Source, t.Team.Label) }
func (o *observed) TicketPicked(t *Ticket, wait time.Duration, first bool) {
	o.add("picked %s %s wait=%s first=%v", t.Source, t.Team.Label, wait, first)
}
func (o *observed) TicketTransferred(t *Ticket, from Team) {
	o.add("transferred %s %s→%s", t.Source, from.Label, t.Team.Label)
}
func (o *observed) TicketClosed(t *Ticket) {
	o.add("closed %s by=%q source=%v handed_back=%v", t.Source, t.ClosedBy.ID, t.BySource, t.HandedBack)
}
func (o *observed) MessageRelayed(source string, d Direction) { o.add("message %s %s", source, d) }
func (o *observed) StatusChanged(t *Ticket, c StatusChange) {
	o.add("status %s %s→%s", t.Team.Label, c.From, c.To)
}
func (o *observed) TicketMeasured(*Ticket, SLAReport) {}
func (o *observed) SLAAlerted(t *Ticket, a SLAAlert) {
	o.add("sla %s %s breach=%v", t.Team.Label, a.Clock.Kind, a.Breach)
}

func TestService_Observer(t *testing.T) {
	ctx := context.Background()
	obs := &observed{}
	withObserver := func(c *Config) {
		c.Observer = obs
		c.Sources["desk2"] = slaSource{handBackSource{c.Sources["webhook"].(fakeSource)}, 10 * time.Minute}
	}
	t.Run("Lifecycle", func(t *testing.T) {
		h := newHarness(t, withObserver)
		tk := h.open(t, "c1", "", "hello") // the clock ticks a second on every reading
		if _, _, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c1"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c1", Message{Text: "still there?", SourceMessageID: "s2"}); err != nil {
			t.Fatal(err)
		}
		// A repeat is not added, so not told.
		if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c1", Message{Text: "still there?", SourceMessageID: "s2"}); err != nil {
			t.Fatal(err)
		}
		h.pick(t, tk.ID, alice)
		h.deliver(t) // opens the inbox channel
		got, _ := h.store.Get(ctx, tk.ID)
		if _, err := h.svc.AgentMessage(ctx, got.Inbox, Message{Direction: FromAgent, Author: alice, Text: "hi", SourceMessageID: "a1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.AgentMessage(ctx, got.Inbox, Message{Direction: Internal, Author: alice, Text: "note", SourceMessageID: "a2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.Transfer(ctx, tk.ID, technical.ChannelID, alice); err != nil {
			t.Fatal(err)
		}
		h.pick(t, tk.ID, bob)
		if _, err := h.svc.End(ctx, tk.ID, bob, "done"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.End(ctx, tk.ID, bob, "again"); err == nil {
			t.Fatal("ending twice succeeded")
		}
		equal(t, "told", obs.take(), []string{
			"opened webhook Support Team",
			"message webhook customer",
			"picked webhook Support Team wait=5s first=true",
			"message webhook agent",
			"transferred webhook Support Team→Technical Team",
			"picked webhook Technical Team wait=1s first=false",
			`closed webhook by="UBOB" source=false handed_back=false`,
		})
	})
	t.Run("ClosedBySourceAndSLA", func(t *testing.T) {
		h := newHarness(t, withObserver)
		h.open(t, "c2", "", "hi")
		if _, err := h.svc.SourceClosed(ctx, "webhook", "c2", ""); err != nil {
			t.Fatal(err)
		}
		tk, _, err := h.svc.Open(ctx, OpenRequest{Source: "desk2", ConversationID: "c3"})
		if err != nil {
			t.Fatal(err)
		}
		h.deliver(t)
		h.store.Fire(tk.CreatedAt.Add(10 * time.Minute))
		h.deliver(t)
		equal(t, "told", obs.take(), []string{
			"opened webhook Support Team",
			`closed webhook by="" source=true handed_back=false`,
			"opened desk2 Support Team",
			`closed desk2 by="" source=false handed_back=true`,
		})
	})
	t.Run("NilObserver", func(t *testing.T) {
		h := newHarness(t) // no Observer: nothing breaks
		tk := h.open(t, "c4", "", "hi")
		h.pick(t, tk.ID, alice)
	})
}
