package widget

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestDeliver(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	ws, v := r.connect(t)
	tk := &tickets.Ticket{ID: "7", Number: 7, Source: Source, ConversationID: v}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	alice := &tickets.Agent{ID: "U1", Name: "Alice"}
	msg := &tickets.Message{ID: "am1", Direction: tickets.FromAgent, Text: "Hi <script>alert(1)</script>",
		Attachments: []tickets.Attachment{{URL: "https://files.example.com/a.pdf", Name: "a.pdf"}}}
	for _, tc := range []struct {
		out  tickets.Outbound
		want item
	}{
		{tickets.Outbound{Kind: tickets.OutAccepted, Text: "You are now chatting with Alice.", Agent: alice, At: at},
			item{Kind: kindAccepted, Text: "You are now chatting with Alice.", Agent: "Alice", At: at}},
		{tickets.Outbound{Kind: tickets.OutMessage, Message: msg, Text: msg.Text, At: at}, // show-agent-name off
			item{Kind: kindMessage, ID: "am1", Text: msg.Text, Attachments: []attachment{{URL: "https://files.example.com/a.pdf", Name: "a.pdf"}}, At: at}},
		{tickets.Outbound{Kind: tickets.OutTransferred, Team: tickets.Team{Label: "Billing"}, Agent: alice, At: at},
			item{Kind: kindTransferred, Team: "Billing", At: at}},
		{tickets.Outbound{Kind: tickets.OutEnded, Text: "This chat has ended.", RatingQuestion: "How did we do?", At: at},
			item{Kind: kindEnded, Text: "This chat has ended.", RatingQuestion: "How did we do?", At: at}},
		{tickets.Outbound{Kind: tickets.OutHandedBack, At: at}, item{Kind: kindHandedBack, At: at}},
	} {
		key := "ev-" + string(tc.out.Kind)
		if err := r.w.Deliver(ctx, tk, tc.out, key); err != nil {
			t.Fatalf("Deliver %s: %v", tc.out.Kind, err)
		}
		// The outbox retries with the same key: stored once.
		if err := r.w.Deliver(ctx, tk, tc.out, key); err != nil {
			t.Fatalf("Deliver %s again: %v", tc.out.Kind, err)
		}
		f := next(t, ws, "item")
		var got item
		if err := json.Unmarshal(mustJSON(t, f["item"]), &got); err != nil {
			t.Fatal(err)
		}
		if !sameItem(got, tc.want) {
			t.Errorf("%s: item %+v, want %+v", tc.out.Kind, got, tc.want)
		}
	}
	if n := len(r.feed.all(v)); n != 5 {
		t.Errorf("the feed has %d items after 10 deliveries of 5 keys, want 5", n)
	}
	// What is not a visitor's ticket, or has no key, is refused for good.
	for _, bad := range []*tickets.Ticket{nil, {ID: "8", ConversationID: "acme/chan/member"}} {
		if err := r.w.Deliver(ctx, bad, tickets.Outbound{Kind: tickets.OutEnded}, "k"); !tickets.IsPermanent(err) {
			t.Errorf("Deliver for %+v: %v, want a permanent error", bad, err)
		}
	}
	if err := r.w.Deliver(ctx, tk, tickets.Outbound{Kind: tickets.OutMessage}, "k"); !tickets.IsPermanent(err) {
		t.Errorf("an agent message without its message: %v, want a permanent error", err)
	}
	if err := r.w.Deliver(ctx, tk, tickets.Outbound{Kind: tickets.OutEnded}, ""); !tickets.IsPermanent(err) {
		t.Errorf("no key: %v, want a permanent error", err)
	}
	var src tickets.Source = r.w
	if rc, ok := src.(tickets.RatingCarrier); !ok || !rc.CarriesRating() {
		t.Error("the widget does not carry ratings: its visitors would get the question as text")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameItem(a, b item) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
