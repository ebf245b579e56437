package gladly

import (
	"strings"
	"testing"
)

// FuzzParseEnvelope: any webhook body either parses into an event with a type (and, for
// the types Frontdesk handles, its content) or is refused (the handler answers 400);
// nothing panics.
func FuzzParseEnvelope(f *testing.F) {
	// Seeds: testdata/fuzz/<this target>/ (the connector's own fixtures).
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := parseEnvelope(body)
		if err != nil {
			return
		}
		if strings.TrimSpace(e.Type) == "" || len(e.ID) > maxIDBytes || len(e.Content.ConversationID) > maxIDBytes {
			t.Fatalf("accepted a bad envelope: %+v", e)
		}
	})
}
