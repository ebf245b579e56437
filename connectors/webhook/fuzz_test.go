package webhook

import (
	"errors"
	"net/url"
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
	f.Add([]byte(`{"type":"MESSAGE","member":"m","channel":"c","app":"a","message_id":"2","attachments":[{"url":"https://f.example.com/a.png","name":"a.png","mime":"image/png","size":1024}]}`))
	f.Add([]byte(`{"type":"LIVE_CHAT_REQUEST","member":"m","channel":"c","app":"a","text":"hi","history":[{"from":"bot","text":"Hello","at":"2026-12-01T10:00:00Z"}]}`))
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
		if m := in.message(); m != nil {
			if len(m.Text) > 40000 || len(m.Attachments) > tickets.MaxAttachments {
				t.Fatalf("a valid message is %d bytes with %d files", len(m.Text), len(m.Attachments))
			}
			// A customer's file is one the desk may fetch: an http(s) link, a size not below 0.
			for _, a := range m.Attachments {
				if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || a.Size < 0 || !a.Upload {
					t.Fatalf("a valid attachment: %+v", a)
				}
			}
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
