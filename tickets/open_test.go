package tickets_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

func TestService_Open(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		tk := h.open(t, "conv1", "technical team", "Hello, I need help")
		equal(t, "status", tk.Status, StatusPending)
		equal(t, "team", tk.Team, technical)
		equal(t, "number", tk.Number, int64(1))
		equal(t, "created", tk.CreatedAt, t0.Add(time.Second))
		equal(t, "opening", tk.Opening, "Hello, I need help")
		equal(t, "events", h.types(), []string{"ticket.opened"})
		msgs, _ := h.svc.Transcript(ctx, tk.ID)
		if len(msgs) != 1 || msgs[0].Text != "Hello, I need help" || msgs[0].Direction != FromCustomer || msgs[0].ID == "" {
			t.Errorf("transcript = %+v", msgs)
		}
	})
	t.Run("UnknownOrEmptyLabelGoesToDefault", func(t *testing.T) {
		for _, label := range []string{"", "Billing", "  "} {
			h := newHarness(t)
			tk := h.open(t, "c", label, "")
			equal(t, "team for label "+label, tk.Team, support)
		}
		h := newHarness(t)
		if err := h.svc.UpdateSettings(ctx, Settings{TicketingChannels: []Team{support, technical}, DefaultTeam: "C2"}); err != nil {
			t.Fatal(err)
		}
		equal(t, "team with DefaultTeam C2", h.open(t, "c", "Billing", "").Team, technical)
	})
	t.Run("IdempotentPerConversation", func(t *testing.T) {
		h := newHarness(t)
		first := h.open(t, "conv1", "", "hi")
		h.store.Drain()
		again, created, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "conv1", Label: "Technical Team",
			First: &Message{Text: "hi again"}})
		if err != nil || created {
			t.Fatalf("created=%v err=%v", created, err)
		}
		equal(t, "same ticket", again.ID, first.ID)
		equal(t, "team unchanged", again.Team, support)
		equal(t, "the message joins the open ticket", h.types(), []string{"message/customer/card"})
		// The same conversation at another source is another chat.
		other, created, err := h.svc.Open(ctx, OpenRequest{Source: "chatra", ConversationID: "conv1"})
		if err != nil || !created || other.ID == first.ID {
			t.Fatalf("other source: %v %v %v", other, created, err)
		}
	})
	t.Run("NewTicketAfterClose", func(t *testing.T) {
		h := newHarness(t)
		first := h.open(t, "conv1", "", "")
		if _, err := h.svc.End(ctx, first.ID, alice, "done"); err != nil {
			t.Fatal(err)
		}
		second := h.open(t, "conv1", "", "")
		if second.ID == first.ID || second.Number != 2 {
			t.Fatalf("second ticket %+v", second)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		long := strings.Repeat("x", 5000)
		for name, req := range map[string]OpenRequest{
			"no source":         {ConversationID: "c"},
			"source with colon": {Source: "web:hook", ConversationID: "c"},
			"uppercase source":  {Source: "Webhook", ConversationID: "c"},
			"no conversation":   {Source: "webhook", ConversationID: " "},
			"long conversation": {Source: "webhook", ConversationID: long},
			"long summary":      {Source: "webhook", ConversationID: "c", Summary: long},
			"long name":         {Source: "webhook", ConversationID: "c", Customer: Customer{Name: long}},
			"empty field key":   {Source: "webhook", ConversationID: "c", Customer: Customer{Fields: map[string]string{"": "x"}}},
			"empty first":       {Source: "webhook", ConversationID: "c", First: &Message{}},
			"agent first":       {Source: "webhook", ConversationID: "c", First: &Message{Direction: FromAgent, Text: "x"}},
			"huge first":        {Source: "webhook", ConversationID: "c", First: &Message{Text: strings.Repeat("x", MaxTextBytes+1)}},
			"attachment no url": {Source: "webhook", ConversationID: "c", First: &Message{Attachments: []Attachment{{Name: "a.png"}}}},
		} {
			t.Run(name, func(t *testing.T) {
				h := newHarness(t)
				_, _, err := h.svc.Open(ctx, req)
				wantErr(t, err, ErrInvalid)
				equal(t, "events", h.types(), []string(nil))
				_, err = h.store.Get(ctx, "1") // the first ticket
				wantErr(t, err, ErrNotFound)
			})
		}
	})
	t.Run("NotConfigured", func(t *testing.T) {
		st := storetest.NewMemory()
		svc, err := New(Config{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c"})
		wantErr(t, err, ErrNotConfigured)
	})
	t.Run("StoreFailureIsNotAnOutcome", func(t *testing.T) {
		h := newHarness(t)
		boom := errors.New("connection refused")
		h.store.Fail(boom)
		_, _, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c"})
		if !errors.Is(err, boom) || IsOutcome(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"hello wonderful world", 16, "hello wonderf…"}, // no word boundary near the cut
		{"hello wonderful world", 19, "hello wonderful…"},
		{"abcdefghij", 8, "abcde…"},
		{"ééééé", 7, "éé…"}, // never half a character
		{"x", 2, "x"},
		{"xyz", 2, ""},
	} {
		got := Clip(tc.in, tc.max)
		if got != tc.want || len(got) > tc.max || !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
