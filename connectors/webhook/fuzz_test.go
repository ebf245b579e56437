package webhook

import (
	"errors"
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// FuzzParseInbound: any body a chatbot (or anyone) sends either parses into a valid event
// or is refused with a 400 that never quotes it; nothing panics.
func FuzzParseInbound(f *testing.F) {
	// Seeds: testdata/fuzz/<this target>/ (the connector's own fixtures).
	f.Add([]byte(`{"type":"MESSAGE","member":"m","channel":"c","app":"a","message_id":"1","text":"hi"}`))
	f.Add([]byte(`{"type":"MESSAGE_EDITED","member":"m","channel":"c","app":"a","message_id":"1","text":"hello"}`))
	f.Add([]byte(`{"type":"MESSAGE_DELETED","member":"m","channel":"c","app":"a","message_id":"1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := parseInbound(body)
		if err != nil {
			var re *httpsrc.RequestError
			if !errors.As(err, &re) || re.Status != 400 {
				t.Fatalf("error %v is not a 400 RequestError", err)
			}
			return
		}
		if in.conversation == "" {
			t.Fatalf("a valid event has no conversation: %+v", in)
		}
		if m := in.message(); m != nil && len(m.Text) > 40000 {
			t.Fatalf("a valid message is %d bytes", len(m.Text))
		}
		// An edit or a deletion names its message, an edit has its text.
		for _, c := range in.ticketInbound().Changes {
			if c.SourceMessageID == "" || c.Delete == (c.Text != "") || len(c.Text) > 40000 {
				t.Fatalf("a valid change: %+v", c)
			}
		}
		// A history the connector takes is one the tickets domain takes.
		total := 0
		for _, l := range in.history {
			total += len(l.Text)
			if l.Text == "" || len(l.Text) > tickets.MaxHistoryLineBytes || l.At.IsZero() || l.At.Year() < 1 || l.At.Year() > 9999 ||
				l.From != tickets.HistoryCustomer && l.From != tickets.HistoryBot {
				t.Fatalf("a valid history line: %+v", l)
			}
		}
		if len(in.history) > tickets.MaxHistoryLines || total > tickets.MaxHistoryBytes {
			t.Fatalf("a valid history of %d lines, %d bytes", len(in.history), total)
		}
	})
}
