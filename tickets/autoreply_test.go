package tickets_test

import (
	"context"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestService_AutoReply(t *testing.T) {
	ctx := context.Background()
	week, _ := ParseWeek("Mon-Fri 09:00-17:00")
	policy := SLAPolicy{Team: support.ChannelID, SLA: SLA{Hours: Hours{Zone: "Europe/Berlin", Week: week}},
		AutoReply: AutoReply{InHours: "Thanks, {team} will answer shortly (ticket {ticket}).", OutOfHours: "Thanks! We are back {next_open}."}}
	h := newHarness(t, withSLA(policy))

	// t0 is Saturday 21 November 2026, 10:00 in Berlin: outside the hours.
	h.open(t, "c1", "", "hello")
	equal(t, "out of hours", only("source.", h.deliver(t)), []string{`source.Deliver 1 message "Thanks! We are back Monday at 09:00 (Europe/Berlin)."`})
	// In the customer's language, when the source gives it.
	tk2, _, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c2", Customer: Customer{Name: "Dana", Fields: map[string]string{"locale": "de-DE"}},
		First: &Message{Text: "hallo", SourceMessageID: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "in German", only("source.", h.deliver(t)), []string{`source.Deliver 2 message "Thanks! We are back Montag um 09:00 (Europe/Berlin)."`})

	// Monday 23 November, 10:00 in Berlin: in the hours.
	h.at(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	tk3 := h.open(t, "c3", "", "hello")
	calls := h.deliver(t)
	equal(t, "in hours", only("source.", calls), []string{`source.Deliver 3 message "Thanks, Support Team will answer shortly (ticket #3)."`})
	// Once per ticket: the source gets the same key on every attempt.
	for _, c := range calls {
		if len(c) > 15 && c[:15] == "source.Deliver " && c[len(c)-len("3/auto-reply"):] != "3/auto-reply" {
			t.Errorf("key of %q", c)
		}
	}
	// No response for the clocks, no message of the transcript.
	got, _ := h.svc.Get(ctx, tk3.ID)
	if !got.Responded.IsZero() {
		t.Error("the automatic reply counted as the first response")
	}
	if msgs, _ := h.svc.Transcript(ctx, tk2.ID); len(msgs) != 1 {
		t.Errorf("transcript: %+v", msgs)
	}
	// A team without automatic replies: nothing.
	h.open(t, "c4", technical.Label, "hello")
	equal(t, "no automatic reply", only("source.", h.deliver(t)), nil)
}

func TestNextOpenText(t *testing.T) {
	now := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC) // a Friday, 19:00 in Berlin
	for _, c := range []struct {
		next       time.Time
		zone, lang string
		want       string
	}{
		{time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC), "Europe/Berlin", "", "today at 20:00 (Europe/Berlin)"},
		{time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), "Europe/Berlin", "fr", "demain à 09:00 (Europe/Berlin)"},
		{time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), "Europe/Berlin", "es", "lunes a las 09:00 (Europe/Berlin)"},
		{time.Date(2026, 12, 28, 8, 0, 0, 0, time.UTC), "Europe/Berlin", "xx", "2026-12-28 at 09:00 (Europe/Berlin)"},
		{time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC), "America/New_York", "en", "tomorrow at 09:00 (America/New_York)"},
		{time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), "", "", "tomorrow at 09:00 (UTC)"},
	} {
		if got := NextOpenText(c.next, now, c.zone, c.lang); got != c.want {
			t.Errorf("NextOpenText(%s, %s, %q) = %q, want %q", c.next, c.zone, c.lang, got, c.want)
		}
	}
}
