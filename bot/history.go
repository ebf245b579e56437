package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// PostHistory posts t's history (what the customer and the source's bot said before the
// hand-off) in the thread of message under, where it stays collapsed until someone opens
// it: under the card, and under the inbox channel's first message. A long history takes
// several messages (Slack's limits on blocks), each keyed after key.
func (d *Desk) PostHistory(ctx context.Context, t *tickets.Ticket, under tickets.Card, key string) error {
	if len(t.History) == 0 || under.IsZero() {
		return nil
	}
	msgs := historyMessages(t)
	for i, blocks := range msgs {
		k := key
		if i > 0 {
			k = fmt.Sprintf("%s:%d", key, i+1)
		}
		text := historyHeading(t)
		if len(msgs) > 1 {
			text += fmt.Sprintf(" (%d of %d)", i+1, len(msgs))
		}
		if _, err := d.post(ctx, under.Channel, under.TS, k, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false)); err != nil {
			return err
		}
	}
	return nil
}

// historyHeading says what the history is: "Before the hand-off, with Chatbot: 12 messages".
func historyHeading(t *tickets.Ticket) string {
	n := len(t.History)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	return fmt.Sprintf("Before the hand-off, with %s: %d message%s", sourceLabel(t), n, plural)
}

// historyMessages renders t's history as the blocks of one message or more: a context
// line saying what it is, then the lines, each "*Customer* · time: text", in sections of
// at most maxSectionText characters, at most maxBlocks blocks and maxMessageText
// characters a message. Times show in each reader's own time zone.
func historyMessages(t *tickets.Ticket) [][]slack.Block {
	bot := esc(clip(sourceName(t), 80))
	customer := esc(clip(t.Customer.DisplayName(), 80))
	var sections []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			sections = append(sections, cur.String())
			cur.Reset()
		}
	}
	for _, l := range t.History {
		who := customer
		if l.From == tickets.HistoryBot {
			who = bot + " (bot)"
		}
		line := fmt.Sprintf("*%s* · <!date^%d^{time}|%s>: %s", who, l.At.Unix(), l.At.UTC().Format("15:04 UTC"), esc(l.Text))
		for _, part := range splitText(line, maxSectionText) {
			if cur.Len() > 0 && cur.Len()+1+len(part) > maxSectionText {
				flush()
			}
			if cur.Len() > 0 {
				cur.WriteByte('\n')
			}
			cur.WriteString(part)
		}
	}
	flush()
	heading := slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
		":speech_balloon: "+esc(historyHeading(t))+" — never shown to the customer again", false, false))
	var msgs [][]slack.Block
	var blocks []slack.Block
	size := 0
	for _, s := range sections {
		if len(blocks) == maxBlocks || len(blocks) > 0 && size+len(s) > maxMessageText {
			msgs = append(msgs, blocks)
			blocks, size = nil, 0
		}
		if len(blocks) == 0 {
			blocks = append(blocks, heading)
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil))
		size += len(s)
	}
	if len(blocks) > 0 {
		msgs = append(msgs, blocks)
	}
	return msgs
}

// splitText cuts s into parts of at most max bytes, at line ends or spaces where it can,
// never inside a UTF-8 character or a Slack entity (&amp;, <!date…>).
func splitText(s string, max int) []string {
	var parts []string
	for len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n-- // whole characters only
		}
		cut := s[:n]
		if i := strings.LastIndexAny(cut, "\n "); i > max/2 {
			cut = cut[:i]
		}
		if i := strings.LastIndexAny(cut, "&<"); i >= 0 && !strings.ContainsAny(cut[i:], ";>") {
			cut = cut[:i] // an entity would be cut in two
		}
		if cut == "" {
			cut = s[:n]
		}
		parts = append(parts, cut)
		s = strings.TrimLeft(s[len(cut):], "\n ")
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}
