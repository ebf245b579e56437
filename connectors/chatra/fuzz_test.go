package chatra

import (
	"errors"
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
)

// FuzzParsePayload: any webhook body either parses or is refused with a 400; what parses
// can be read for its messages, group and end without panicking.
func FuzzParsePayload(f *testing.F) {
	// Seeds: testdata/fuzz/<this target>/ (the connector's own fixtures).
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parsePayload(body)
		if err != nil {
			var re *httpsrc.RequestError
			if !errors.As(err, &re) || re.Status != 400 {
				t.Fatalf("error %v is not a 400 RequestError", err)
			}
			return
		}
		_ = p.groupID()
		_ = p.chatOver()
		_ = p.customer()
	})
}
