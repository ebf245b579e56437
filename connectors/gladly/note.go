package gladly

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The note a hand-off adds to the conversation: what the Slack team said about the chat
// (its internal notes, the thread replies in the inbox channel) and a link to that
// channel, so that the person who picks the conversation up in Gladly sees it. Gladly's
// Notes API: POST /conversations/{id}/notes with {"content":{"body":…}} answers 201 with
// the note's Location ("Add Note", https://developer.gladly.com/rest/#operation/addNoteToConversation);
// the body is plain text or rich content, a small set of HTML tags ("Rich Content", same
// reference), of which the note uses p, b, br and a.

// Transcript is where the hand-off note is read from (store.Redis).
type Transcript interface {
	// Messages returns the ticket's transcript in the order the messages were added.
	Messages(ctx context.Context, id tickets.ID) ([]tickets.Message, error)
	// CardOf returns the message recorded for a ticket under event; under
	// tickets.IntroCard, the first message of its inbox channel.
	CardOf(ctx context.Context, id tickets.ID, event string) (tickets.Card, error)
}

// Limits of the note. Gladly documents no limit for a note's body; its other rich
// content bodies take 10 000 (a task) and 25 000 (a customer activity) characters, so a
// note keeps under the smaller, keeping the latest internal notes when they are more.
const (
	maxNoteChars     = 10000
	maxNoteItemChars = 2000
)

// addNote adds a note with body (rich content) to conversation conv.
func (c *Client) addNote(ctx context.Context, conv, body string) error {
	in := struct {
		Content struct {
			Body string `json:"body"`
		} `json:"content"`
	}{}
	in.Content.Body = body
	h, err := c.call(ctx, http.MethodPost, "gladly: adding the Slack discussion as a note",
		"conversations/"+url.PathEscape(conv)+"/notes", in, nil)
	if err == nil {
		c.log.Debug("hand-off note added", zap.String("conversation", conv), zap.String("note", clipType(h.Get("Location"))))
	}
	return err
}

// handoffNote adds to t's conversation the note of its hand-off: why and by whom, a link
// to the Slack discussion, and the internal notes. Reading Frontdesk's transcript or
// Slack's link may fail for a while (a transient error); a link Slack refuses for good is
// left out.
func (c *Client) handoffNote(ctx context.Context, t *tickets.Ticket) error {
	msgs, err := c.transcript.Messages(ctx, t.ID)
	if errors.Is(err, tickets.ErrNotFound) {
		msgs, err = nil, nil // no transcript left (RETENTION): the note says who and why
	}
	if err != nil {
		return fmt.Errorf("gladly: reading the ticket's notes for the hand-off note: %w", err)
	}
	link, err := c.slackLink(ctx, t)
	if err != nil {
		return err
	}
	return c.addNote(ctx, t.ConversationID, noteBody(t, link, msgs))
}

// slackLink is Slack's link to t's inbox channel (its first message), or to t's card when
// no one picked it; "" when there is neither, or Slack will not give one.
func (c *Client) slackLink(ctx context.Context, t *tickets.Ticket) (string, error) {
	if c.permalink == nil {
		return "", nil
	}
	card := t.Card
	if t.Inbox != "" {
		intro, err := c.transcript.CardOf(ctx, t.ID, tickets.IntroCard)
		switch {
		case err == nil && !intro.IsZero():
			card = intro
		case err != nil && !errors.Is(err, tickets.ErrNotFound):
			return "", fmt.Errorf("gladly: reading the ticket's inbox channel for the hand-off note: %w", err)
		}
	}
	if card.IsZero() {
		return "", nil
	}
	link, err := c.permalink(ctx, card.Channel, card.TS)
	if tickets.IsPermanent(err) {
		c.log.Warn("no Slack link for the hand-off note", zap.Int64("ticket", t.Number), zap.Error(err))
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("gladly: Slack's link for the hand-off note: %w", err)
	}
	return link, nil
}

// noteBody renders the hand-off note of t (rich content): a heading with the reason and
// who handed it off, the link to the Slack discussion, then t's internal notes, oldest
// first, as many of the latest as fit in maxNoteChars.
func noteBody(t *tickets.Ticket, link string, msgs []tickets.Message) string {
	by := "Frontdesk"
	if t.ClosedBy.ID != "" {
		by = agentName(t.ClosedBy)
	}
	var head strings.Builder
	fmt.Fprintf(&head, "<p><b>Handed off from Slack</b> (Frontdesk ticket #%d) by %s", t.Number, esc(by))
	if r := strings.TrimSpace(t.CloseReason); r != "" {
		head.WriteString("<br>Reason: " + esc(clipChars(r, 500)))
	}
	head.WriteString("</p>")
	if safeURL(link) {
		where := "the chat's inbox channel in Slack"
		if t.Inbox == "" {
			where = "the ticket in Slack"
		}
		head.WriteString(`<p>Slack discussion: <a href="` + esc(link) + `">` + where + `</a></p>`)
	}
	var notes []string
	for _, m := range msgs {
		if m.Direction == tickets.Internal {
			notes = append(notes, noteItem(m))
		}
	}
	if len(notes) == 0 {
		return head.String() + "<p>No internal notes were written in Slack.</p>"
	}
	budget := maxNoteChars - utf8.RuneCountInString(head.String()) - 200 // the headings around the notes
	keep := len(notes)
	for i := len(notes) - 1; i >= 0; i-- {
		n := utf8.RuneCountInString(notes[i])
		if n > budget {
			break
		}
		budget -= n
		keep = i
	}
	var b strings.Builder
	b.WriteString(head.String())
	fmt.Fprintf(&b, "<p><b>Internal notes from Slack</b> (%d)</p>", len(notes))
	if keep > 0 {
		fmt.Fprintf(&b, "<p>%d earlier notes are left out: see Slack.</p>", keep)
	}
	for _, n := range notes[keep:] {
		b.WriteString(n)
	}
	return b.String()
}

// noteItem renders one internal note: its author and time, its text, links to its files.
func noteItem(m tickets.Message) string {
	var b strings.Builder
	b.WriteString("<p><b>" + esc(agentName(m.Author)) + "</b>")
	if !m.At.IsZero() {
		b.WriteString(", " + m.At.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	b.WriteString(":")
	if text := strings.TrimSpace(slackText(m.Text)); text != "" {
		b.WriteString("<br>" + strings.ReplaceAll(esc(clipChars(text, maxNoteItemChars)), "\n", "<br>"))
	}
	for _, a := range m.Attachments {
		name := a.Name
		if name == "" {
			name = "file"
		}
		if safeURL(a.URL) {
			b.WriteString(`<br>File: <a href="` + esc(a.URL) + `">` + esc(clipChars(name, 200)) + `</a>`)
		} else {
			b.WriteString("<br>File: " + esc(clipChars(name, 200)))
		}
	}
	b.WriteString("</p>")
	return b.String()
}

// agentName is how a note names an agent: their name, else their Slack id.
func agentName(a tickets.Agent) string {
	if n := strings.TrimSpace(a.Name); n != "" {
		return clipChars(n, 100)
	}
	if a.ID != "" {
		return string(a.ID)
	}
	return "an agent"
}

// slackMarkup matches Slack's <…> markup in a message's text: links, mentions, channels.
var slackMarkup = regexp.MustCompile(`<([^<>|]+)(?:\|([^<>]*))?>`)

// slackEntities are the only characters Slack escapes in a message's text.
var slackEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// slackText is a Slack message's text as people read it: <url|label> as "label (url)",
// <@U123> as "@U123", <#C123|name> as "#name", and Slack's &lt; &gt; &amp; as the
// characters they stand for.
func slackText(s string) string {
	return slackEntities.Replace(slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackMarkup.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			if label != "" {
				return "@" + label
			}
			return target
		case strings.HasPrefix(target, "#"):
			if label != "" {
				return "#" + label
			}
			return target
		case label != "" && label != target:
			return label + " (" + target + ")"
		}
		return target
	}))
}

// safeURL reports whether u is an absolute http(s) URL, the only links a note carries.
func safeURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

func esc(s string) string { return html.EscapeString(s) }

// clipChars cuts s to at most n characters, marking the cut.
func clipChars(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
