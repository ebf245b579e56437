package tickets

import "time"

// HistoryLine is one message of the conversation a source had with the customer before
// the hand-off: a chatbot platform hands its conversation so far over with the live chat
// request. The agent sees it collapsed (under the card and at the top of the inbox
// channel) and it is part of the transcript (AI details, sinks, export); it is never sent
// back to the customer, and it is not one of the ticket's messages: it has no delivery,
// no edit and no mark.
type HistoryLine struct {
	From HistoryAuthor `json:"from"`
	Text string        `json:"text"`
	At   time.Time     `json:"at"`
}

// HistoryAuthor says who wrote a HistoryLine.
type HistoryAuthor string

const (
	// HistoryCustomer: the customer wrote it.
	HistoryCustomer HistoryAuthor = "customer"
	// HistoryBot: the source's bot wrote it.
	HistoryBot HistoryAuthor = "bot"
)

// Limits on a request's history: the lines a chatbot may hand over, each line's text,
// and all of the texts together.
const (
	MaxHistoryLines     = 100
	MaxHistoryLineBytes = 4000
	MaxHistoryBytes     = 32 << 10
)

// validateHistory checks h against the limits above.
func validateHistory(h []HistoryLine) error {
	if len(h) > MaxHistoryLines {
		return invalidf("history has %d lines, more than %d", len(h), MaxHistoryLines)
	}
	total := 0
	for i, l := range h {
		if l.From != HistoryCustomer && l.From != HistoryBot {
			return invalidf("history line %d is from %q, not %q or %q", i, Clip(string(l.From), 40), HistoryCustomer, HistoryBot)
		}
		if l.Text == "" {
			return invalidf("history line %d has no text", i)
		}
		if len(l.Text) > MaxHistoryLineBytes {
			return invalidf("history line %d is %d bytes, more than %d", i, len(l.Text), MaxHistoryLineBytes)
		}
		if l.At.IsZero() || l.At.Year() < 1 || l.At.Year() > 9999 {
			return invalidf("history line %d has no time, or one outside years 1 to 9999", i)
		}
		total += len(l.Text)
	}
	if total > MaxHistoryBytes {
		return invalidf("history is %d bytes, more than %d", total, MaxHistoryBytes)
	}
	return nil
}
