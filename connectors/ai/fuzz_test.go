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

// FuzzRefusal: whatever an endpoint answers in an error body, what is kept of it (a code
// and a parameter's name, for logs and agents) has a safe shape; nothing panics.
func FuzzRefusal(f *testing.F) {
	f.Add(`{"error":{"message":"Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}`)
	f.Add(`{"error":{"message":"Unsupported parameter: 'x y' is not supported","param":null,"code":null}}`)
	f.Add(`{"error":"Unsupported value: 'temperature'"}`)
	f.Add(`{"message":"not supported","param":"a.b[1]","code":400}`)
	f.Fuzz(func(t *testing.T, body string) {
		e := decodeError([]byte(body))
		if code := e.safeCode(); code != "" && !codeRE.MatchString(code) {
			t.Fatalf("code %q", code)
		}
		if param, _ := e.unsupported(); param != "" && !paramRE.MatchString(param) {
			t.Fatalf("param %q", param)
		}
	})
}
