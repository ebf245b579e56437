package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
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
		"desk.UpdateCard 1 C1/ts1 active ev3:card", // no notice: the inbox's first message says who picked it
		`source.Deliver 1 accepted "You are now chatting with an agent." ev3`,
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
		`source.Deliver 1 message "Hi Carol" 1/m3`, // keyed by the message: the same on every attempt
		"sink.crm 1 message ev6",
		"sink.crm 1 message ev7",
	})
	equal(t, "the source took the reply", h.deliver(t), []string{
		`desk.MarkDelivery 1 G1 message.delivered "Hi Carol" ev8`,
		"sink.crm 1 message.delivered ev8",
	})

	h.svc.Transfer(ctx, tk.ID, "C2", alice)
	equal(t, "transferred", h.deliver(t), []string{
		"desk.UpdateCard 1 C1/ts1 pending ev9:old",
		"desk.PostCard 1 C2 [UPRIO] ev9",
		"desk.Notice 1 ticket.transferred ev9:notice",
		`source.Deliver 1 transferred "Technical Team" ev9`,
		"sink.crm 1 ticket.transferred ev9",
	})
	transferred := h.last

	h.pick(t, tk.ID, bob)
	equal(t, "picked after transfer", h.deliver(t), []string{
		"desk.OpenInbox 1 G1 [UBOB UPRIO] ev10",
		"desk.UpdateCard 1 C2/ts2 active ev10:card",
		"desk.Notice 1 ticket.picked ev10",
		`source.Deliver 1 accepted "Your chat was transferred to Technical Team. You are now chatting with an agent." ev10`,
		"sink.crm 1 ticket.picked ev10",
	})

	h.svc.End(ctx, tk.ID, bob, "solved")
	equal(t, "ended", h.deliver(t), []string{
		"desk.UpdateCard 1 C2/ts2 closed ev11:card",
		"desk.Notice 1 ticket.closed ev11",
		"desk.ArchiveInbox 1 G1 ev11:archive",
		`source.Deliver 1 ended "This chat has ended. Thank you for reaching out!" ev11`,
		"sink.crm 1 ticket.closed ev11",
	})

	t.Run("RepeatsPostNoSecondCard", func(t *testing.T) {
		// A consumer that crashed after the card was posted runs the event again.
		h.store.Redeliver(transferred...)
		equal(t, "transfer again", h.deliver(t), []string{
			"desk.UpdateCard 1 C1/ts1 closed ev9:old",
			"desk.UpdateCard 1 C2/ts2 closed ev9:card",
			"desk.Notice 1 ticket.transferred ev9:notice",
			`source.Deliver 1 transferred "Technical Team" ev9`, // the same key: the source drops the repeat
			"sink.crm 1 ticket.transferred ev9",
		})
	})
}

func TestService_HandlersFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("FailedCardIsPostedOnceOnRetry", func(t *testing.T) {
		h := newHarness(t)
		h.open(t, "c", "", "")
		evs := h.store.Drain()
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
		h.store.Drain()
		h.svc.End(ctx, tk.ID, alice, "")
		err = h.svc.Handlers()[GroupSource](ctx, h.store.Drain()[0])
		if !IsPermanent(err) || !errors.Is(err, ErrUnknownSource) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("MissingTicketIsPermanent", func(t *testing.T) {
		h := newHarness(t)
		for g, handle := range h.svc.Handlers() {
			err := handle(ctx, Event{ID: "x", Type: EventClosed, TicketID: "404"}) // the SLA group does not act on closes
			if g != GroupSource && g != GroupMarks && g != GroupSLA && (!IsPermanent(err) || !errors.Is(err, ErrNotFound)) {
				t.Errorf("%s: err = %v", g, err)
			}
		}
	})
	t.Run("IgnoredEventsAreNotLookedUp", func(t *testing.T) {
		// A group tells from the event alone that it has nothing to do: with a store that
		// fails every call, such an event is still done.
		h := newHarness(t)
		h.store.Fail(errors.New("redis is down"))
		agentMsg := &Message{ID: "m1", Direction: FromAgent, Text: "hi"}
		custMsg := &Message{ID: "m2", Direction: FromCustomer, Text: "hello"}
		for _, tc := range []struct {
			group string
			ev    Event
		}{
			{GroupDesk, Event{Type: EventMessage, Message: agentMsg}},
			{GroupDesk, Event{Type: EventMessage, Message: &Message{ID: "m3", Direction: Internal, Text: "note"}}},
			{GroupDesk, Event{Type: EventDelivered, Message: agentMsg}},
			{GroupDesk, Event{Type: EventFailed, Message: agentMsg}},
			{GroupMarks, Event{Type: EventMessage, Message: agentMsg}},
			{GroupMarks, Event{Type: EventPicked}},
			{GroupSource, Event{Type: EventMessage, Message: custMsg}},
			{GroupSource, Event{Type: EventDelivered, Message: agentMsg}},
		} {
			tc.ev.ID, tc.ev.TicketID = "x", "1"
			if err := h.svc.Handlers()[tc.group](ctx, tc.ev); err != nil {
				t.Errorf("%s, %s: %v", tc.group, tc.ev.Type, err)
			}
		}
	})
	t.Run("EventsOutsideInterestsAreIgnored", func(t *testing.T) {
		// What Interests leaves out, the outbox acknowledges unread: each handler must
		// do nothing for it, whatever the event carries, and read nothing (the store fails).
		h := newHarness(t)
		h.store.Fail(errors.New("redis is down"))
		handlers, interests := h.svc.Handlers(), h.svc.Interests()
		if len(interests) != len(handlers) {
			t.Fatalf("interests of %d groups, handlers of %d", len(interests), len(handlers))
		}
		routes := h.svc.Routes()
		if len(routes) != len(AllRoutes()) {
			t.Fatalf("routes for %d of the %d routes", len(routes), len(AllRoutes()))
		}
		payloads := []Event{{Failed: EventClosed, Reason: "down"}, {BySource: true}, {}}
		for group, handle := range handlers {
			wants, ok := interests[group]
			if !ok {
				t.Errorf("no interests for group %s", group)
				continue
			}
			for _, route := range AllRoutes() {
				ev := route.Event()
				if wants(ev) != slices.Contains(routes[route], group) {
					t.Errorf("group %s: interests and routes disagree on %s", group, route)
				}
				if wants(ev) {
					continue
				}
				for _, extra := range payloads {
					e := extra
					e.ID, e.TicketID, e.Type = "x", "1", ev.Type
					if ev.Message != nil {
						e.Message = &Message{ID: "m", Direction: ev.Message.Direction, Text: "x"}
					}
					if err := handle(ctx, e); err != nil {
						t.Errorf("%s does not want %s, but its handler answered %v", group, route, err)
					}
				}
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
		svc, _ := New(Config{Store: storetest.NewMemory()})
		if _, ok := svc.Handlers()[GroupDesk]; ok {
			t.Fatal("desk handler without a desk")
		}
	})
}

func TestErrors(t *testing.T) {
	boom := errors.New("boom")
	if Wrap("x", ErrClosed) != ErrClosed {
		t.Error("outcomes pass through unwrapped")
	}
	if err := Wrap("pick", boom); !errors.Is(err, boom) || err.Error() != "tickets: pick: boom" {
		t.Errorf("Wrap = %v", err)
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

func TestService_DeliveryFailureAndRetry(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	tk := h.open(t, "c", "", "")
	h.pick(t, tk.ID, alice)
	h.store.SetInbox(ctx, tk.ID, "G1")
	h.svc.AgentMessage(ctx, "G1", Message{Direction: FromAgent, Author: alice, Text: "are you there?", SourceMessageID: "1.1"})
	h.svc.AgentMessage(ctx, "G1", Message{Direction: Internal, Author: alice, Text: "note", SourceMessageID: "1.2"})
	evs := h.store.Drain()
	reply, note := evs[len(evs)-2], evs[len(evs)-1]
	down := errors.New("customer endpoint: 503")

	// Only an agent message the source never took is marked failed.
	for _, tc := range []struct {
		group string
		ev    Event
	}{{GroupDesk, reply}, {SinkGroupPrefix + "crm", reply}, {GroupSource, note}} {
		if err := h.svc.GaveUp(ctx, tc.group, tc.ev, down); err != nil {
			t.Fatal(err)
		}
	}
	equal(t, "no failure events", h.types(), []string(nil))
	if err := h.svc.GaveUp(ctx, GroupSource, reply, down); err != nil {
		t.Fatal(err)
	}
	failed := h.store.Drain()
	if len(failed) != 1 || failed[0].Type != EventFailed || failed[0].Message.ID != reply.Message.ID ||
		failed[0].Reason != "customer endpoint: 503" {
		t.Fatalf("failure events %+v", failed)
	}
	h.store.Redeliver(failed...)
	equal(t, "marked failed", h.deliver(t), []string{
		`desk.MarkDelivery 1 G1 message.failed "are you there?" ` + failed[0].ID,
		"sink.crm 1 message.failed " + failed[0].ID,
	})

	// Sent again: the same message, under the same key, and marked delivered this time.
	if _, err := h.svc.RetryDelivery(ctx, tk.ID, reply.Message.ID, alice); err != nil {
		t.Fatal(err)
	}
	calls := h.deliver(t)
	equal(t, "sent again", calls[0], `source.Deliver 1 message "are you there?" 1/`+reply.Message.ID)
	if len(h.last) != 1 || !h.last[0].Resent {
		t.Errorf("the message sent again is not marked as such: %+v", h.last)
	}
	equal(t, "marked delivered", h.deliver(t)[0], `desk.MarkDelivery 1 G1 message.delivered "are you there?" ev7`)
	if len(h.last) != 1 || h.last[0].Type != EventDelivered || !h.last[0].Resent || h.last[0].Inbox != "G1" {
		t.Fatalf("the delivery of the message sent again: %+v", h.last)
	}
	// A delivery written before deliveries named their inbox channel: the mark reads it.
	old := h.last[0]
	old.Inbox, old.ID = "", "old-1"
	if err := h.svc.Handlers()[GroupMarks](ctx, old); err != nil {
		t.Fatal(err)
	}
	equal(t, "an older delivery marked", h.log.take(), []string{`desk.MarkDelivery 1 G1 message.delivered "are you there?" old-1`})

	for _, tc := range []struct {
		name  string
		id    ID
		msg   string
		setup func()
		want  error
	}{
		{name: "UnknownMessage", id: tk.ID, msg: "nope", want: ErrNotFound},
		{name: "NotAnAgentMessage", id: tk.ID, msg: note.Message.ID, want: ErrNotFound},
		{name: "UnknownTicket", id: "404", msg: reply.Message.ID, want: ErrNotFound},
		{name: "Pending", id: tk.ID, msg: reply.Message.ID, setup: func() { h.svc.Transfer(ctx, tk.ID, "C2", alice) }, want: ErrNotActive},
		{name: "Closed", id: tk.ID, msg: reply.Message.ID, setup: func() { h.svc.End(ctx, tk.ID, alice, "") }, want: ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			h.store.Drain()
			_, err := h.svc.RetryDelivery(ctx, tc.id, tc.msg, alice)
			wantErr(t, err, tc.want)
			equal(t, "no events", h.types(), []string(nil))
		})
	}
}

func TestService_PriorityWindow(t *testing.T) {
	ctx := context.Background()
	window := func(c *Config) { c.RemindAfter = 2 * time.Minute }
	t.Run("UnpickedIsRemindedOnce", func(t *testing.T) {
		h := newHarness(t, window)
		h.open(t, "c", "", "")
		h.deliver(t)
		opened := h.last[0]
		h.store.Redeliver(h.last...) // a repeat of the opened event schedules nothing more
		h.deliver(t)
		h.store.Fire(opened.At.Add(time.Minute))
		equal(t, "before the window", h.deliver(t), []string(nil))
		h.store.Fire(opened.At.Add(2 * time.Minute))
		calls := h.deliver(t)
		equal(t, "reminded", calls[0], "desk.Remind 1 C1/ts1 "+h.last[0].ID)
		equal(t, "reminded once", len(h.store.Scheduled()), 0)
	})
	t.Run("PickedInTime", func(t *testing.T) {
		h := newHarness(t, window)
		tk := h.open(t, "c", "", "")
		h.deliver(t)
		h.pick(t, tk.ID, alice)
		h.deliver(t)
		h.store.Fire(t0.Add(time.Hour))
		for _, c := range h.deliver(t) {
			if strings.HasPrefix(c, "desk.Remind") {
				t.Errorf("a picked ticket was reminded: %s", c)
			}
		}
	})
	t.Run("TransferredGetsItsOwnWindow", func(t *testing.T) {
		h := newHarness(t, window)
		tk := h.open(t, "c", "", "")
		h.deliver(t)
		h.svc.Transfer(ctx, tk.ID, "C2", alice)
		h.deliver(t)
		h.store.Fire(t0.Add(time.Hour))
		var reminded []string
		for _, c := range h.deliver(t) {
			if strings.HasPrefix(c, "desk.Remind") {
				reminded = append(reminded, c[:len("desk.Remind 1 C2/ts2")])
			}
		}
		equal(t, "only the new card is reminded", reminded, []string{"desk.Remind 1 C2/ts2"})
	})
	t.Run("Off", func(t *testing.T) {
		h := newHarness(t)
		h.open(t, "c", "", "")
		h.deliver(t)
		equal(t, "nothing scheduled", len(h.store.Scheduled()), 0)
		if _, err := New(Config{Store: h.store, RemindAfter: -time.Second}); err == nil {
			t.Error("a negative window was taken")
		}
	})
}

func TestService_AgentNameOnlyWhenShown(t *testing.T) {
	ctx := context.Background()
	for _, show := range []bool{false, true} {
		h := newHarness(t, func(c *Config) { c.Initial.ShowAgentName = show })
		tk := h.open(t, "c", "", "")
		h.deliver(t)
		h.pick(t, tk.ID, alice)
		h.store.SetInbox(ctx, tk.ID, "G1")
		h.svc.AgentMessage(ctx, "G1", Message{Direction: FromAgent, Author: alice, Text: "hi", SourceMessageID: "1.1"})
		var sent []string
		for _, c := range h.deliver(t) {
			if strings.HasPrefix(c, "source.") {
				sent = append(sent, c[:strings.LastIndex(c, " ")])
			}
		}
		want := []string{`source.Deliver 1 accepted "You are now chatting with an agent."`, `source.Deliver 1 message "hi"`}
		if show {
			want = []string{`source.Deliver 1 accepted "You are now chatting with Alice. (by Alice)"`, `source.Deliver 1 message "hi (by Alice)"`}
		}
		equal(t, fmt.Sprintf("show agent name %v", show), sent, want)
	}
}

func TestService_SLAHandsBackUnpicked(t *testing.T) {
	ctx := context.Background()
	sla := func(c *Config) {
		c.Sources["desk2"] = slaSource{handBackSource{c.Sources["webhook"].(fakeSource)}, 10 * time.Minute}
	}
	open := func(h *harness, conv string) *Ticket {
		tk, _, err := h.svc.Open(ctx, OpenRequest{Source: "desk2", ConversationID: conv})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	t.Run("StillPending", func(t *testing.T) {
		h := newHarness(t, sla)
		tk := open(h, "c1")
		h.deliver(t)
		h.store.Fire(tk.CreatedAt.Add(9 * time.Minute))
		equal(t, "nothing before the deadline", h.deliver(t), []string(nil))
		h.store.Fire(tk.CreatedAt.Add(10 * time.Minute))
		h.deliver(t) // the SLA event closes the ticket...
		got, _ := h.store.Get(ctx, tk.ID)
		equal(t, "status", got.Status, StatusClosed)
		equal(t, "reason", got.CloseReason, "no one picked it within 10m0s: handed back to desk2")
		calls := h.deliver(t) // ...and the close is carried out
		ev := h.last[0]
		equal(t, "handed back", calls, []string{
			"desk.UpdateCard 1 C1/ts1 closed " + ev.ID + ":card",
			`source.Deliver 1 handed_back "" ` + ev.ID,
			"sink.crm 1 ticket.closed " + ev.ID,
		})
	})
	t.Run("PickedInTime", func(t *testing.T) {
		h := newHarness(t, sla)
		tk := open(h, "c2")
		h.deliver(t)
		h.pick(t, tk.ID, alice)
		h.deliver(t)
		h.store.Fire(tk.CreatedAt.Add(time.Hour))
		h.deliver(t)
		got, _ := h.store.Get(ctx, tk.ID)
		equal(t, "still active", got.Status, StatusActive)
	})
	t.Run("PickedBetweenCheckAndClose", func(t *testing.T) {
		h := newHarness(t, sla)
		tk := open(h, "c3")
		h.pick(t, tk.ID, alice)
		// A close that asks for a pending ticket leaves an active one alone.
		_, err := h.store.Close(ctx, tk.ID, Closing{Reason: "sla", HandBack: true, IfPending: true})
		wantErr(t, err, ErrNotActive)
		got, _ := h.store.Get(ctx, tk.ID)
		equal(t, "still active", got.Status, StatusActive)
	})
	t.Run("NoSLAForOtherSources", func(t *testing.T) {
		h := newHarness(t, sla)
		h.open(t, "c4", "", "")
		equal(t, "nothing scheduled", len(h.store.Scheduled()), 0)
	})
}

func TestService_GaveUpOnATurnWarnsTheTeam(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, func(c *Config) {
		c.Sources["desk2"] = handBackSource{c.Sources["webhook"].(fakeSource)}
	})
	tk, _, _ := h.svc.Open(ctx, OpenRequest{Source: "desk2", ConversationID: "c"})
	h.deliver(t)
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	h.svc.HandBack(ctx, tk.ID, alice, "")
	closed := h.store.Drain()
	refused := errors.New(`gladly: 400: assignee.inboxId: not_exist: "Inbox not found"`)
	if err := h.svc.GaveUp(ctx, GroupSource, closed[0], Permanent(refused)); err != nil {
		t.Fatal(err)
	}
	calls := h.deliver(t)
	ev := h.last[0]
	if ev.Type != EventFailed || ev.Failed != EventClosed || !ev.HandedBack || ev.Actor != alice {
		t.Fatalf("failure event %+v", ev)
	}
	equal(t, "warned under the card", calls[0],
		`desk.Warn 1 ticket.closed "permanent: gladly: 400: assignee.inboxId: not_exist: \"Inbox not found\"" `+ev.ID)
	// Other groups' give-ups stay in the dead stream only.
	if err := h.svc.GaveUp(ctx, GroupDesk, closed[0], refused); err != nil {
		t.Fatal(err)
	}
	equal(t, "no event", h.types(), []string(nil))
}

// Each group's retry limit lives with the group: sources (and what they queued) retry for
// about a day, sinks for about a week, the desk for the outbox's default.
func TestMaxAttempts(t *testing.T) {
	for group, want := range map[string]int{
		GroupDesk: 0, GroupMarks: 0, GroupSource: 1500, InboundGroupPrefix + "gladly": 1500,
		SinkGroupPrefix + "vitally": 10000, SinkGroupPrefix + "ai": 10000,
	} {
		if got := MaxAttempts(group); got != want {
			t.Errorf("MaxAttempts(%q) = %d, want %d", group, got, want)
		}
	}
}

// Delivery marks are cumulative: a later delivery of the same ticket stands for an
// earlier one; a failure is never superseded, nor stands for anything.
func TestSupersedes(t *testing.T) {
	marks := Supersedes(GroupMarks)
	if marks == nil {
		t.Fatal("the marks group supersedes nothing")
	}
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	msg := func(src string) *Message {
		secs, _ := strconv.ParseFloat(src, 64)
		return &Message{ID: "m" + src, SourceMessageID: src, At: at.Add(time.Duration(secs * float64(time.Second)))}
	}
	delivered := func(id ID, m *Message) Event {
		return Event{Type: EventDelivered, TicketID: id, Message: m}
	}
	resent := func(e Event) Event { e.Resent = true; return e }
	failed := Event{Type: EventFailed, TicketID: "t1", Message: msg("2.0")}
	for _, c := range []struct {
		name           string
		earlier, later Event
		want           bool
	}{
		{"a later delivery", delivered("t1", msg("1.0")), delivered("t1", msg("2.0")), true},
		{"another ticket's", delivered("t1", msg("1.0")), delivered("t2", msg("2.0")), false},
		{"a later failure", delivered("t1", msg("1.0")), failed, false},
		{"a failure", failed, delivered("t1", msg("3.0")), false},
		{"a delivery nothing marks", delivered("t1", msg("1.0")), delivered("t1", msg("")), false},
		{"a later delivery of a message written before", delivered("t1", msg("2.0")), delivered("t1", msg("1.0")), false},
		{"a message sent again", resent(delivered("t1", msg("1.0"))), delivered("t1", msg("2.0")), false},
		{"by a message sent again", delivered("t1", msg("2.0")), resent(delivered("t1", msg("1.0"))), false},
	} {
		if got := marks(c.earlier, c.later); got != c.want {
			t.Errorf("%s: supersedes = %v, want %v", c.name, got, c.want)
		}
	}
	for _, g := range []string{GroupDesk, GroupSource, SinkGroupPrefix + "vitally"} {
		if Supersedes(g) != nil {
			t.Errorf("group %s supersedes events", g)
		}
	}
}

// blockingSource's deliveries wait until release is closed.
type blockingSource struct {
	entered chan struct{}
	release chan struct{}
}

func (b blockingSource) Deliver(ctx context.Context, _ *Ticket, _ Outbound, _ string) error {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Each source has its own delivery slots: one whose deliveries hang holds back only its
// own, and a delivery waiting for a slot gives up when its context ends.
func TestService_DeliverySlotsPerSource(t *testing.T) {
	slow := blockingSource{entered: make(chan struct{}, 1), release: make(chan struct{})}
	h := newHarness(t, func(c *Config) { c.Sources["slow"] = slow })
	h.svc.LimitDeliveries("slow", 1)
	ctx := context.Background()
	slowTicket, fastTicket := &Ticket{ID: "1", Source: "slow"}, &Ticket{ID: "2", Source: "webhook"}
	done := make(chan error, 1)
	go func() { done <- h.svc.DeliverVia(ctx, slow, slowTicket, Outbound{Kind: OutMessage}, "k1") }()
	<-slow.entered // the slow source's only slot is taken
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := h.svc.DeliverVia(wctx, slow, slowTicket, Outbound{Kind: OutMessage}, "k2"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a second delivery to the slow source: %v, want it to wait for a slot until its context ended", err)
	}
	if err := h.svc.DeliverVia(ctx, fakeSource{h.log}, fastTicket, Outbound{Kind: OutMessage, Text: "hi"}, "k3"); err != nil {
		t.Errorf("another source's delivery: %v", err)
	}
	close(slow.release)
	if err := <-done; err != nil {
		t.Errorf("the slow delivery: %v", err)
	}
}
