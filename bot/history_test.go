package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A history renders as sections within Slack's limits: at most maxSectionText characters
// a section, maxBlocks blocks and maxMessageText characters a message, every character and
// entity whole, the customer's and the bot's words escaped, in order.
func TestHistoryMessages(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	t.Run("Short", func(t *testing.T) {
		tk := &tickets.Ticket{Source: "webhook", Customer: tickets.Customer{Name: "Carol"}, History: []tickets.HistoryLine{
			{From: tickets.HistoryBot, Text: "Hi <!channel>", At: at},
			{From: tickets.HistoryCustomer, Text: "a & b", At: at.Add(time.Minute)},
		}}
		msgs := historyMessages(tk)
		if len(msgs) != 1 || len(msgs[0]) != 2 {
			t.Fatalf("got %d messages (%v), want one of a heading and one section", len(msgs), msgs)
		}
		text := sectionText(t, msgs[0][1])
		want := "*Chatbot (bot)* · <!date^1796119200^{time}|10:00 UTC>: Hi &lt;!channel&gt;\n" +
			"*Carol* · <!date^1796119260^{time}|10:01 UTC>: a &amp; b"
		if text != want {
			t.Errorf("section:\n%s\nwant\n%s", text, want)
		}
		if h := historyHeading(tk); h != "Before the hand-off, with Chatbot: 2 messages" {
			t.Errorf("heading %q", h)
		}
	})
	t.Run("Long", func(t *testing.T) {
		tk := &tickets.Ticket{Source: "webhook"}
		var want []string
		for i := range tickets.MaxHistoryLines {
			// Lines of '<' (escaped to 4 bytes each) and 'é' (2 bytes), longer than a section.
			text := strings.Repeat("<", 700) + strings.Repeat("é", 400) + string(rune('A'+i%26))
			tk.History = append(tk.History, tickets.HistoryLine{From: tickets.HistoryCustomer, Text: text, At: at})
			want = append(want, esc(text))
		}
		msgs := historyMessages(tk)
		var all strings.Builder
		for _, blocks := range msgs {
			if len(blocks) > maxBlocks {
				t.Errorf("a message of %d blocks", len(blocks))
			}
			size := 0
			for _, b := range blocks[1:] {
				s := sectionText(t, b)
				if len(s) > maxSectionText || !utf8.ValidString(s) {
					t.Errorf("a section of %d bytes (valid UTF-8: %v)", len(s), utf8.ValidString(s))
				}
				if strings.HasSuffix(s, "&") || strings.HasSuffix(s, "&l") || strings.HasSuffix(s, "&lt") {
					t.Errorf("a section ends inside an entity: …%s", s[len(s)-10:])
				}
				size += len(s)
				all.WriteString(s)
			}
			if size > maxMessageText {
				t.Errorf("a message of %d characters", size)
			}
		}
		if len(msgs) < 2 {
			t.Errorf("%d messages for %d lines of ~3 KB escaped", len(msgs), len(tk.History))
		}
		// Every line is there, whole and in order, once the cuts are taken out.
		joined := strings.ReplaceAll(all.String(), "\n", "")
		for i, w := range want {
			j := strings.Index(joined, w)
			if j < 0 {
				t.Fatalf("line %d is missing or cut", i)
			}
			joined = joined[j+len(w):]
		}
	})
}

func sectionText(t *testing.T, b slack.Block) string {
	t.Helper()
	s, ok := b.(*slack.SectionBlock)
	if !ok || s.Text == nil {
		raw, _ := json.Marshal(b)
		t.Fatalf("not a section with text: %s", raw)
	}
	return s.Text.Text
}
