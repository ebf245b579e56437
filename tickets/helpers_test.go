// The tests of package tickets are in package tickets_test, because they use the Store
// of storetest, which imports tickets; they dot-import tickets (as Go's review comments
// allow for tests an import cycle keeps out of their package) and reach the few
// unexported names they check through export_test.go.
package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

var (
	support   = Team{ChannelID: "C1", Label: "Support Team"}
	technical = Team{ChannelID: "C2", Label: "Technical Team"}
	alice     = Agent{ID: "UALICE", Name: "Alice"}
	bob       = Agent{ID: "UBOB", Name: "Bob"}
	t0        = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
)

type harness struct {
	last  []Event // the events the latest deliver handled
	svc   *Service
	store *storetest.Memory
	log   *calls
	mu    sync.Mutex // guards clock and ids
	clock time.Time
}

// newHarness builds a Service over fakes, with two teams and a fixed clock that
// advances a second on every reading.
func newHarness(t *testing.T, opts ...func(*Config)) *harness {
	t.Helper()
	h := &harness{store: storetest.NewMemory(), log: &calls{fail: map[string]error{}}, clock: t0}
	ids := 0
	now := func() time.Time {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.clock = h.clock.Add(time.Second)
		return h.clock
	}
	newID := func() string {
		h.mu.Lock()
		defer h.mu.Unlock()
		ids++
		return fmt.Sprintf("m%d", ids)
	}
	cfg := Config{
		Store:   h.store,
		Desk:    &fakeDesk{calls: h.log},
		Sources: map[string]Source{"webhook": fakeSource{h.log}},
		Sinks:   []Sink{fakeSink{h.log, "crm"}},
		Initial: Settings{TicketingChannels: []Team{support, technical}, PriorityGroup: []AgentID{"UPRIO"}},
		Now:     now,
		NewID:   newID,
	}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.svc = svc
	return h
}

func (h *harness) open(t *testing.T, conv, label, text string) *Ticket {
	t.Helper()
	req := OpenRequest{Source: "webhook", ConversationID: conv, Label: label, Customer: Customer{Name: "Carol"}}
	if text != "" {
		req.First = &Message{Text: text, SourceMessageID: "first-" + conv}
	}
	tk, created, err := h.svc.Open(context.Background(), req)
	if err != nil || !created {
		t.Fatalf("open %s: created=%v err=%v", conv, created, err)
	}
	return tk
}

func (h *harness) pick(t *testing.T, id ID, a Agent) *Ticket {
	t.Helper()
	tk, err := h.svc.Pick(context.Background(), id, a)
	if err != nil {
		t.Fatalf("pick %s: %v", id, err)
	}
	return tk
}

// types lists the types of events emitted since the last drain, with the place of
// message events: "ticket.opened", "message/card", ...
func (h *harness) types() []string {
	var out []string
	for _, ev := range h.store.Drain() {
		s := string(ev.Type)
		if ev.Type == EventMessage {
			s += "/" + string(ev.Message.Direction)
			if ev.Place != "" {
				s += "/" + string(ev.Place)
			}
		}
		out = append(out, s)
	}
	return out
}

// deliver runs every pending event through every consumer group's handler, in order,
// and returns the side-effect calls made. Handlers are run group by group per event,
// as separate consumer groups would.
func (h *harness) deliver(t *testing.T) []string {
	t.Helper()
	hs := h.svc.Handlers()
	h.last = h.store.Drain()
	for _, ev := range h.last {
		for _, g := range []string{GroupDesk, GroupMarks, GroupSource, GroupSLA, SinkGroupPrefix + "crm"} {
			if err := hs[g](context.Background(), ev); err != nil {
				t.Fatalf("%s handling %s %s: %v", g, ev.ID, ev.Type, err)
			}
		}
	}
	return h.log.take()
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

// unchanged asserts that ticket id is exactly as before.
func (h *harness) unchanged(t *testing.T, before *Ticket) {
	t.Helper()
	after, err := h.store.Get(context.Background(), before.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "ticket after a refused change", after, before)
	if evs := h.store.Drain(); len(evs) != 0 {
		t.Errorf("a refused change emitted %d events", len(evs))
	}
}
