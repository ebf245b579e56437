// Package storetest states the contract of tickets.Store once, as a test suite (Run)
// that every implementation runs, and provides Memory, an in-memory implementation for
// the tests of the tickets package. Like testing/fstest, it is for tests only.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Hooks let the suite look at what a store did beyond what tickets.Store returns.
type Hooks struct {
	// Events returns every event appended to the outbox about ticket id so far, oldest
	// first.
	Events func(id tickets.ID) []tickets.Event
	// Queued returns every source event Enqueue queued for the conversation so far,
	// oldest first.
	Queued func(source, conversationID string) []tickets.Event
	// Fire appends the events scheduled for now or earlier to the outbox, as the store's
	// timers do when now comes.
	Fire func(now time.Time)
}

// Run checks that the stores open returns keep the contract of tickets.Store. It calls
// open once per subtest, for an empty store.
func Run(t *testing.T, open func(t *testing.T) (tickets.Store, Hooks)) {
	start := func(t *testing.T) *subject {
		st, h := open(t)
		return &subject{Store: st, hooks: h, t: t, ctx: context.Background(), read: map[tickets.ID]int{}, ids: map[string]bool{}}
	}
	t.Run("Inbound", func(t *testing.T) { testInbound(t, start) })
	t.Run("Find", func(t *testing.T) { testFind(t, start) })
	t.Run("Pick", func(t *testing.T) { testPick(t, start) })
	t.Run("Transfer", func(t *testing.T) { testTransfer(t, start) })
	t.Run("Close", func(t *testing.T) { testClose(t, start) })
	t.Run("Rate", func(t *testing.T) { testRate(t, start) })
	t.Run("AddInboxMessage", func(t *testing.T) { testAddInboxMessage(t, start) })
	t.Run("Schedule", func(t *testing.T) { testSchedule(t, start) })
	t.Run("AddEvent", func(t *testing.T) { testAddEvent(t, start) })
	t.Run("Enqueue", func(t *testing.T) { testEnqueue(t, start) })
	t.Run("Cards", func(t *testing.T) { testCards(t, start) })
	t.Run("UpdateDetails", func(t *testing.T) { testUpdateDetails(t, start) })
	t.Run("SetSync", func(t *testing.T) { testSetSync(t, start) })
	t.Run("Settings", func(t *testing.T) { testSettings(t, start) })
	t.Run("ChangeMessage", func(t *testing.T) { testChangeMessage(t, start) })
	t.Run("SLA", func(t *testing.T) { testSLA(t, start) })
	t.Run("Status", func(t *testing.T) { testStatus(t, start) })
	t.Run("Reopen", func(t *testing.T) { testReopen(t, start) })
	t.Run("Notes", func(t *testing.T) { testNotes(t, start) })
}

type starter func(t *testing.T) *subject

// subject is a store under test, with helpers that fail the test on the unexpected.
type subject struct {
	tickets.Store
	hooks Hooks
	t     *testing.T
	ctx   context.Context
	read  map[tickets.ID]int // events of each ticket already looked at
	ids   map[string]bool    // every event id seen
}

var (
	support = tickets.Team{ChannelID: "C_SUPPORT", Label: "Support"}
	tech    = tickets.Team{ChannelID: "C_TECH", Label: "Technical Team"}
	alice   = tickets.Agent{ID: "U_ALICE", Name: "Alice"}
	bob     = tickets.Agent{ID: "U_BOB", Name: "Bob"}
	// t0 has nanoseconds, which a store must keep.
	t0 = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)
)

// at is t0 plus n seconds.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// newTicket is the ticket a source's request for conversation conv opens.
func newTicket(conv string) *tickets.Ticket {
	return &tickets.Ticket{
		Source: "webhook", ConversationID: conv, Status: tickets.StatusPending, Team: support,
		Customer: tickets.Customer{Name: "Carol", Email: "carol@example.com", Fields: map[string]string{"plan": "pro"}},
		Summary:  "cannot log in", Opening: "hello", Raw: `{"client":{"id":"v1"}}`,
		History: []tickets.HistoryLine{
			{From: tickets.HistoryBot, Text: "Hi! How can I help?", At: t0.Add(-time.Minute)},
			{From: tickets.HistoryCustomer, Text: "a human, please", At: t0.Add(-30 * time.Second)},
		},
		CreatedAt: t0, UpdatedAt: t0,
	}
}

// customer is a customer's message with source id src ("" for none) written at when.
func customer(text, src string, when time.Time) tickets.Message {
	return tickets.Message{ID: "m-" + text, Direction: tickets.FromCustomer, Text: text, SourceMessageID: src, At: when}
}

// written is a message in direction dir by alice.
func written(dir tickets.Direction, text, src string, when time.Time) tickets.Message {
	return tickets.Message{ID: "m-" + text, Direction: dir, Author: alice, Text: text, SourceMessageID: src, At: when}
}

// open opens a ticket for conversation conv of source "webhook" with msgs, the first
// customer message its opening one, and returns it and the events it appended.
func (s *subject) open(conv string, msgs ...tickets.Message) (*tickets.Ticket, []tickets.Event) {
	s.t.Helper()
	res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: conv, Open: newTicket(conv), Messages: msgs})
	if err != nil || !res.Opened {
		s.t.Fatalf("open %s: opened %v, %v", conv, res.Opened, err)
	}
	return res.Ticket, s.news(res.Ticket.ID)
}

// says is Inbound with msgs for conversation conv of source "webhook".
func (s *subject) says(conv string, msgs ...tickets.Message) tickets.InboundApplied {
	s.t.Helper()
	res, err := s.Inbound(s.ctx, tickets.InboundWrite{Source: "webhook", ConversationID: conv, Messages: msgs})
	if err != nil {
		s.t.Fatalf("inbound to %s: %v", conv, err)
	}
	return res
}

func (s *subject) pick(id tickets.ID, a tickets.Agent, when time.Time) *tickets.Ticket {
	s.t.Helper()
	tk, err := s.Pick(s.ctx, id, a, when)
	if err != nil {
		s.t.Fatalf("pick %s: %v", id, err)
	}
	return tk
}

func (s *subject) close(id tickets.ID, c tickets.Closing) *tickets.Ticket {
	s.t.Helper()
	tk, err := s.Close(s.ctx, id, c)
	if err != nil {
		s.t.Fatalf("close %s: %v", id, err)
	}
	return tk
}

func (s *subject) setInbox(id tickets.ID, channel string) {
	s.t.Helper()
	if err := s.SetInbox(s.ctx, id, channel); err != nil {
		s.t.Fatalf("set inbox %s: %v", id, err)
	}
}

func (s *subject) get(id tickets.ID) *tickets.Ticket {
	s.t.Helper()
	tk, err := s.Get(s.ctx, id)
	if err != nil {
		s.t.Fatalf("get %s: %v", id, err)
	}
	return tk
}

// transcript lists the texts of ticket id's messages.
func (s *subject) transcript(id tickets.ID) []string {
	s.t.Helper()
	ms, err := s.Messages(s.ctx, id)
	if err != nil {
		s.t.Fatalf("messages of %s: %v", id, err)
	}
	var texts []string
	for _, m := range ms {
		texts = append(texts, m.Text)
	}
	return texts
}

// news returns the events about ticket id appended since it was last called for id,
// after checking that each is about id and has an id no other event has.
func (s *subject) news(id tickets.ID) []tickets.Event {
	s.t.Helper()
	all := s.hooks.Events(id)
	n := s.read[id]
	if len(all) < n {
		s.t.Fatalf("ticket %s has %d events, fewer than the %d seen before", id, len(all), n)
	}
	s.read[id] = len(all)
	evs := all[n:]
	for _, ev := range evs {
		if ev.TicketID != id {
			s.t.Errorf("event %s %s is about ticket %q, want %q", ev.ID, ev.Type, ev.TicketID, id)
		}
		if ev.ID == "" || s.ids[ev.ID] {
			s.t.Errorf("event %s has id %q, empty or not unique", ev.Type, ev.ID)
		}
		s.ids[ev.ID] = true
	}
	return evs
}

// expect checks the events about ticket id since the last look, as described by describe,
// and returns them.
func (s *subject) expect(id tickets.ID, want ...string) []tickets.Event {
	s.t.Helper()
	return s.check(id, s.news(id), want...)
}

// check checks events evs of ticket id, as described by describe, and returns them.
func (s *subject) check(id tickets.ID, evs []tickets.Event, want ...string) []tickets.Event {
	s.t.Helper()
	got := make([]string, 0, len(evs))
	for _, ev := range evs {
		got = append(got, describe(ev))
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		s.t.Fatalf("events of ticket %s:\n got  %q\n want %q", id, got, want)
	}
	return evs
}

// unchanged checks that ticket before is still as it was and that no event about it was
// appended: what a refused call must leave.
func (s *subject) unchanged(before *tickets.Ticket) {
	s.t.Helper()
	equal(s.t, "the ticket after a refused change", s.get(before.ID), before)
	s.expect(before.ID)
}

// describe renders what the suite checks of most events, e.g.
// `message customer:"hi" @card`, `ticket.picked by U_ALICE after-transfer`.
func describe(ev tickets.Event) string {
	var b strings.Builder
	b.WriteString(string(ev.Type))
	if m := ev.Message; m != nil {
		fmt.Fprintf(&b, " %s:%q", m.Direction, m.Text)
	}
	if ev.Place != "" {
		b.WriteString(" @" + string(ev.Place))
	}
	if m := ev.Message; m != nil && m.Deleted {
		b.WriteString(" deleted")
	}
	if ev.Opening {
		b.WriteString(" opening")
	}
	if ev.Replay {
		b.WriteString(" replay")
	}
	if ev.Actor.ID != "" {
		b.WriteString(" by " + string(ev.Actor.ID))
	}
	if ev.From.ChannelID != "" {
		b.WriteString(" from " + ev.From.ChannelID)
	}
	if ev.To.ChannelID != "" {
		b.WriteString(" to " + ev.To.ChannelID)
	}
	if ev.AfterTransfer {
		b.WriteString(" after-transfer")
	}
	if ev.Reason != "" {
		fmt.Fprintf(&b, " reason %q", ev.Reason)
	}
	if ev.BySource {
		b.WriteString(" by-source")
	}
	if ev.HandedBack {
		b.WriteString(" handed-back")
	}
	if len(ev.Fields) > 0 {
		b.WriteString(" fields " + strings.Join(ev.Fields, ","))
	}
	if ev.Sink != "" {
		b.WriteString(" sink " + ev.Sink)
	}
	if ev.Sync != nil {
		fmt.Fprintf(&b, " %q", ev.Sync.Outcome())
	}
	return b.String()
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want %v", what, err, want)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
