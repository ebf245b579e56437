package tickets_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func history(n int) []HistoryLine {
	var h []HistoryLine
	for i := range n {
		from := HistoryCustomer
		if i%2 == 1 {
			from = HistoryBot
		}
		h = append(h, HistoryLine{From: from, Text: "line " + string(rune('a'+i%26)), At: t0.Add(-time.Duration(n-i) * time.Minute)})
	}
	return h
}

func TestService_History(t *testing.T) {
	ctx := context.Background()
	openWith := func(h *harness, conv string, lines []HistoryLine) (*Ticket, error) {
		tk, _, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: conv, History: lines,
			First: &Message{Text: "I want a human", SourceMessageID: "s-" + conv}})
		return tk, err
	}
	t.Run("KeptAndShownUnderTheCardThenAtTheTopOfTheInbox", func(t *testing.T) {
		h := newHarness(t)
		lines := history(3)
		tk, err := openWith(h, "c", lines)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "history on the ticket", tk.History, lines)
		got, _ := h.store.Get(ctx, tk.ID)
		equal(t, "history stored", got.History, lines)
		equal(t, "open: the card, its history, then the customer's message under it", h.deliver(t), []string{
			"desk.PostCard 1 C1 [UPRIO] ev1",
			"desk.PostHistory 1 C1/ts1 3 ev1:history",
			"sink.crm 1 ticket.opened ev1",
		})
		h.pick(t, tk.ID, alice)
		calls := h.deliver(t)
		equal(t, "pick: the inbox's first message, then the history in its thread", calls[:2], []string{
			"desk.OpenInbox 1 G1 [UALICE UPRIO] ev2",
			"desk.PostHistory 1 G1/1.000 3 ev2:history",
		})
		// The history is no message of the chat: nothing of it goes to the customer.
		msgs, _ := h.svc.Transcript(ctx, tk.ID)
		if len(msgs) != 1 {
			t.Errorf("transcript = %+v, want the customer's one message", msgs)
		}
		for _, c := range calls {
			if strings.HasPrefix(c, "webhook.Deliver") && strings.Contains(c, "line ") {
				t.Errorf("history sent to the customer: %s", c)
			}
		}
	})
	t.Run("NoHistoryNoCall", func(t *testing.T) {
		h := newHarness(t)
		tk, err := openWith(h, "c", nil)
		if err != nil {
			t.Fatal(err)
		}
		h.deliver(t)
		h.pick(t, tk.ID, alice)
		for _, c := range h.deliver(t) {
			if strings.HasPrefix(c, "desk.PostHistory") {
				t.Errorf("unexpected %s", c)
			}
		}
	})
	t.Run("AJoiningRequestKeepsTheFirst", func(t *testing.T) {
		h := newHarness(t)
		tk, _ := openWith(h, "c", history(2))
		again, err := openWith(h, "c", history(5))
		if err != nil || again.ID != tk.ID {
			t.Fatalf("again: %v %v", again, err)
		}
		got, _ := h.store.Get(ctx, tk.ID)
		equal(t, "history", len(got.History), 2)
	})
	t.Run("RetriesPostItOnce", func(t *testing.T) {
		h := newHarness(t)
		tk, _ := openWith(h, "c", history(2))
		evs := h.store.Drain()
		boom := errors.New("slack is down")
		desk := h.svc.Handlers()[GroupDesk]
		h.log.fail["desk.PostHistory"] = boom
		if err := desk(ctx, evs[0]); !errors.Is(err, boom) {
			t.Fatalf("first try: %v", err)
		}
		if err := desk(ctx, evs[0]); err != nil {
			t.Fatal(err)
		}
		// The card is found and brought up to date; the history is asked for again with
		// the same key (the Slack desk then finds an earlier success by it).
		equal(t, "card calls", h.log.take(), []string{
			"desk.PostCard 1 C1 [UPRIO] ev1",
			"desk.UpdateCard 1 C1/ts1 pending ev1:card",
			"desk.PostHistory 1 C1/ts1 2 ev1:history",
		})
		h.pick(t, tk.ID, alice)
		pick := h.store.Drain()[0]
		h.log.fail["desk.PostHistory"] = boom
		if err := desk(ctx, pick); !errors.Is(err, boom) {
			t.Fatalf("pick's first try: %v", err)
		}
		if err := desk(ctx, pick); err != nil {
			t.Fatal(err)
		}
		equal(t, "the retry posts under the recorded first message, and no notice", h.log.take(), []string{
			"desk.OpenInbox 1 G1 [UALICE UPRIO] ev2",
			"desk.OpenInbox 1 G1 [UALICE UPRIO] ev2",
			"desk.PostHistory 1 G1/1.000 2 ev2:history",
			"desk.UpdateCard 1 C1/ts1 active ev2:card",
		})
	})
	t.Run("NotAgainAfterATransfer", func(t *testing.T) {
		h := newHarness(t)
		tk, _ := openWith(h, "c", history(2))
		h.pick(t, tk.ID, alice)
		h.deliver(t)
		if _, err := h.svc.Transfer(ctx, tk.ID, technical.ChannelID, alice); err != nil {
			t.Fatal(err)
		}
		calls := h.deliver(t)
		equal(t, "the new card gets the history", countPrefix(calls, "desk.PostHistory 1 C2/"), 1)
		h.pick(t, tk.ID, bob)
		equal(t, "the second pick posts none", countPrefix(h.deliver(t), "desk.PostHistory"), 0)
	})
	t.Run("Invalid", func(t *testing.T) {
		long := strings.Repeat("x", MaxHistoryLineBytes+1)
		for name, lines := range map[string][]HistoryLine{
			"too many":     history(MaxHistoryLines + 1),
			"unknown from": {{From: "agent", Text: "x", At: t0}},
			"no text":      {{From: HistoryBot, At: t0}},
			"long line":    {{From: HistoryBot, Text: long, At: t0}},
			"no time":      {{From: HistoryBot, Text: "x"}},
			"too much": func() []HistoryLine {
				var h []HistoryLine
				for range MaxHistoryBytes/MaxHistoryLineBytes + 1 {
					h = append(h, HistoryLine{From: HistoryCustomer, Text: long[:MaxHistoryLineBytes], At: t0})
				}
				return h
			}(),
		} {
			t.Run(name, func(t *testing.T) {
				h := newHarness(t)
				_, err := openWith(h, "c", lines)
				wantErr(t, err, ErrInvalid)
				equal(t, "events", h.types(), []string(nil))
			})
		}
	})
}

func countPrefix(calls []string, prefix string) int {
	n := 0
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// The opening message's files travel under the card (its text is on the card), as a later
// message's do with it; a message without such files asks the desk nothing.
func TestService_OpeningFilesUnderTheCard(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	photo := Attachment{URL: "https://files.example.com/router.png", Name: "router.png", Upload: true}
	if _, _, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "c",
		First: &Message{Text: "it blinks red", SourceMessageID: "s-1", Attachments: []Attachment{photo}}}); err != nil {
		t.Fatal(err)
	}
	equal(t, "open: the card, then the opening message's file under it", h.deliver(t), []string{
		"desk.PostCard 1 C1 [UPRIO] ev1",
		`desk.ShareFiles 1 C1/ts1 "it blinks red" ev1:files`,
		"sink.crm 1 ticket.opened ev1",
	})
	link := Attachment{URL: "https://files.example.com/manual.pdf", Name: "manual.pdf"}
	if _, _, err := h.svc.Open(ctx, OpenRequest{Source: "webhook", ConversationID: "d",
		First: &Message{Text: "see the manual", SourceMessageID: "s-2", Attachments: []Attachment{link}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.deliver(t) {
		if strings.HasPrefix(c, "desk.ShareFiles") {
			t.Errorf("a link that is not a file to share: %s", c)
		}
	}
}
