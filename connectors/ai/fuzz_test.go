package ai

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// FuzzParseAnswer: whatever a model answers, parseAnswer either refuses it or returns
// suggestions that the ticket rules accept; nothing panics.
func FuzzParseAnswer(f *testing.F) {
	f.Add(`{"title":"Emails bounce","summary":"s","sentiment":"negative","urgency":"high","tags":["email"]}`)
	f.Add("```json\n{\"title\":\"x\"}\n```")
	f.Add(`{"urgency":"critical"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, content string) {
		c, err := parseAnswer(content)
		if err != nil {
			return
		}
		if c.Urgency != nil && !c.Urgency.Valid() || c.Sentiment != nil && !c.Sentiment.Valid() {
			t.Fatalf("out of range: %+v", c)
		}
		if c.Title != nil && len(*c.Title) > tickets.MaxTitleBytes {
			t.Fatalf("title of %d bytes", len(*c.Title))
		}
		if len(c.Categories) > 0 || c.Tags != nil {
			t.Fatalf("AI set categories or agent tags: %+v", c)
		}
	})
}
