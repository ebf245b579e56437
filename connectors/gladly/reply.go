package gladly

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// defaultReplyType is the content type of a reply when the customer's item names none.
const defaultReplyType = "CHAT_MESSAGE"

// emailType is the one reply type whose body is HTML.
const emailType = "EMAIL"

// maxReplyChars is the longest reply body Gladly takes ("content.body cannot be larger
// than 2048 characters"); a longer text goes as several replies, in order.
const maxReplyChars = 2048

// replyable holds the item content types that are messages a reply can answer: the
// types POST /conversation-items/{id}/reply takes (Gladly's API reference). TWITTER is
// left out: Gladly decommissioned it.
var replyable = map[string]bool{
	"CHAT_MESSAGE":     true,
	"EMAIL":            true,
	"SMS":              true,
	"WHATSAPP":         true,
	"FACEBOOK_MESSAGE": true,
	"INSTAGRAM_DIRECT": true,
}

// latestCustomerMessage picks the item a reply answers: among the items the customer
// wrote (initiator.type CUSTOMER) whose content type is a replyable message, the one with
// the latest timestamp, and of equal (or unreadable) timestamps the later in the list,
// which Gladly returns oldest first. Agents' items, notes, calls and status changes are
// never answered: Gladly refuses replies to anything but a customer's message. nil when
// there is none.
func latestCustomerMessage(items []item) *item {
	var best *item
	for i := range items {
		it := &items[i]
		if it.Initiator.Type != initiatorCustomer || !replyable[it.Content.Type] || it.ID == "" {
			continue
		}
		if best == nil || !it.at().Before(best.at()) {
			best = it
		}
	}
	return best
}

// replyParts renders text as the replies that answer an item of content type typ: one
// per maxReplyChars of body, split at white space where there is some. An email's body
// is HTML (escaped text, line breaks as <br>), with the text as its bodyPlain too.
func replyParts(typ, text string) []replyContent {
	if typ == "" {
		typ = defaultReplyType
	}
	cost := utf8.RuneCountInString
	if typ == emailType {
		cost = func(s string) int { return utf8.RuneCountInString(htmlBody(s)) }
	}
	var out []replyContent
	for _, p := range splitText(text, maxReplyChars, cost) {
		rc := replyContent{Type: typ, Body: p}
		switch typ {
		case defaultReplyType:
			rc.MessageType = "TEXT"
		case emailType:
			rc.Body, rc.BodyPlain = htmlBody(p), p
		}
		out = append(out, rc)
	}
	return out
}

// htmlBody is text as HTML: escaped, with its line breaks kept.
func htmlBody(text string) string {
	return strings.ReplaceAll(html.EscapeString(text), "\n", "<br>")
}

// splitText cuts text into parts whose cost is at most limit, at white space where it
// can and inside a word only when one word alone is too long. cost must be additive
// (the cost of a+b is the cost of a plus that of b), as rune counts and HTML escaping
// are. Parts are trimmed; blank parts are dropped.
func splitText(text string, limit int, cost func(string) int) []string {
	var parts []string
	var cur strings.Builder
	curCost := 0
	flush := func() {
		if p := strings.TrimSpace(cur.String()); p != "" {
			parts = append(parts, p)
		}
		cur.Reset()
		curCost = 0
	}
	for _, tok := range tokens(text) {
		c := cost(tok)
		if curCost+c <= limit {
			cur.WriteString(tok)
			curCost += c
			continue
		}
		flush()
		if c <= limit {
			if strings.TrimSpace(tok) != "" { // white space at the start of a part is dropped
				cur.WriteString(tok)
				curCost = c
			}
			continue
		}
		for _, r := range tok { // one word longer than a part: cut it by characters
			rc := cost(string(r))
			if curCost+rc > limit {
				flush()
			}
			cur.WriteRune(r)
			curCost += rc
		}
	}
	flush()
	return parts
}

// tokens cuts s into words, each with the white space that follows it.
func tokens(s string) []string {
	var out []string
	start, inSpace := 0, false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if inSpace && !space {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
