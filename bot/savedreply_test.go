package bot

import (
	"reflect"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The admin panel writes saved replies as "Name: text" with a line of --- between them,
// and reads them back the same; what is wrong names the reply.
func TestSavedRepliesText(t *testing.T) {
	rs := []tickets.SavedReply{
		{Name: "Greeting", Text: "Hi {customer_name}!"},
		{Name: "Refund", Text: "Your refund is on its way.\n\nIt takes 3: to 5 days."},
	}
	text := savedRepliesText(rs)
	got, problem := parseSavedReplies(text)
	if problem != "" || !reflect.DeepEqual(got, rs) {
		t.Fatalf("round trip of %q: %+v, %q", text, got, problem)
	}
	if got, problem := parseSavedReplies("\n---\n  \n"); problem != "" || len(got) != 0 {
		t.Errorf("empty: %+v %q", got, problem)
	}
	for text, want := range map[string]string{
		"Greeting hi":                      "Reply 1: write its name, a colon, then its text.",
		"A: x\n---\nGreeting\nhi: there":   "Reply 2: write its name, a colon, then its text.",
		"A: x\n---\na: y":                  `Saved reply "a" is listed twice.`,
		"A:":                               `Saved reply "A" has no text.`,
		strings.Repeat("n", 80) + ": text": "longer than 75 characters",
		"A: " + strings.Repeat("x", 3001):  "longer than 3000 characters",
		strings.Repeat("A: x\n---\n", 51):  "51 saved replies are more than 50.",
	} {
		if _, problem := parseSavedReplies(text); !strings.Contains(problem, want) {
			t.Errorf("%.40q: problem %q, want %q", text, problem, want)
		}
	}
}
