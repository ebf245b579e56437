package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testSchedule(t *testing.T, start starter) {
	t.Run("FiresWhenDue", func(t *testing.T) {
		s := start(t)
		tk, opened := s.open("c1")
		remind := tickets.Event{Type: tickets.EventRemind, TicketID: tk.ID, At: t0.Add(time.Hour), To: support, PrevCardEvent: opened[0].ID}
		sla := tickets.Event{Type: tickets.EventSLA, TicketID: tk.ID, At: t0.Add(30 * time.Minute)}
		for _, sc := range []struct {
			ev tickets.Event
			at time.Time
		}{{remind, remind.At}, {sla, sla.At}, {remind, remind.At}} { // the same again changes nothing
			if err := s.Schedule(s.ctx, tk.ID, sc.ev, sc.at); err != nil {
				t.Fatal(err)
			}
		}
		s.hooks.Fire(t0.Add(29 * time.Minute))
		s.expect(tk.ID)
		s.hooks.Fire(t0.Add(2 * time.Hour))
		// Due first, fired first; each once.
		evs := s.expect(tk.ID, "ticket.sla", "ticket.remind to C_SUPPORT")
		equal(t, "the remind's previous card event", evs[1].PrevCardEvent, opened[0].ID)
		sameTime(t, "EventRemind.At", evs[1].At, remind.At)
		s.hooks.Fire(t0.Add(3 * time.Hour))
		s.expect(tk.ID)
	})

	t.Run("PastIsDueAtOnce", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		if err := s.Schedule(s.ctx, tk.ID, tickets.Event{Type: tickets.EventArchive, TicketID: tk.ID, At: t0}, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.hooks.Fire(t0)
		s.expect(tk.ID, "ticket.archive")
	})

	t.Run("NotFound", func(t *testing.T) {
		s := start(t)
		err := s.Schedule(s.ctx, "999999-1", tickets.Event{Type: tickets.EventSLA, TicketID: "999999-1", At: t0}, t0)
		wantErr(t, "Schedule", err, tickets.ErrNotFound)
	})
}

func testAddEvent(t *testing.T, start starter) {
	s := start(t)
	tk, _ := s.open("c1")
	m := written(tickets.FromAgent, "hi", "1.1", at(1))
	// The event is the ticket's, whatever its TicketID said.
	if err := s.AddEvent(s.ctx, tk.ID, tickets.Event{Type: tickets.EventDelivered, At: at(2), Message: &m}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEvent(s.ctx, tk.ID, tickets.Event{Type: tickets.EventFailed, At: at(3), Message: &m, Reason: "gone"}); err != nil {
		t.Fatal(err)
	}
	evs := s.expect(tk.ID, `message.delivered agent:"hi"`, `message.failed agent:"hi" reason "gone"`)
	sameTime(t, "At", evs[0].At, at(2))
	before := s.get(tk.ID)
	err := s.AddEvent(s.ctx, "999999-1", tickets.Event{Type: tickets.EventDelivered, At: at(4), Message: &m})
	wantErr(t, "AddEvent to no ticket", err, tickets.ErrNotFound)
	s.unchanged(before)
}

func testEnqueue(t *testing.T, start starter) {
	s := start(t)
	for _, e := range []struct {
		conv, id string
		added    bool
	}{{"c1", "e1", true}, {"c1", "e2", true}, {"c1", "e1", false}, {"c2", "e3", true}} {
		added, err := s.Enqueue(s.ctx, "gladly", e.conv, e.id, "payload "+e.id)
		if err != nil || added != e.added {
			t.Errorf("Enqueue(%s, %s) = %v, %v; want %v", e.conv, e.id, added, err, e.added)
		}
	}
	var got []string
	for _, ev := range s.hooks.Queued("gladly", "c1") {
		if ev.Type != tickets.EventInbound || ev.Source != "gladly" || ev.ConversationID != "c1" || ev.TicketID != "" {
			t.Errorf("queued %+v", ev)
		}
		got = append(got, ev.Payload)
	}
	equal(t, "queued for c1", got, []string{"payload e1", "payload e2"})
	equal(t, "queued for c2", len(s.hooks.Queued("gladly", "c2")), 1)

	for name, args := range map[string][3]string{
		"BadSource": {"Glad ly", "c1", "e9"}, "NoConversation": {"gladly", "", "e9"}, "NoEventID": {"gladly", "c1", ""},
		"LongEventID": {"gladly", "c1", strings.Repeat("e", 257)},
	} {
		_, err := s.Enqueue(s.ctx, args[0], args[1], args[2], "x")
		wantErr(t, name, err, tickets.ErrInvalid)
	}
	equal(t, "queued for c1 after the refusals", len(s.hooks.Queued("gladly", "c1")), 2)
}
