package chatra

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
)

// FuzzParsePayload: any webhook body either parses or is refused with a 400; what parses
// can be read for its messages (with their times), group and end without panicking. The
// same bytes, read as Chatra's answer to POST /messages/, give an id or none.
func FuzzParsePayload(f *testing.F) {
	// Seeds: testdata/fuzz/<this target>/ (the connector's own fixtures), and the
	// documented examples.
	for _, doc := range []string{docAnswer, docFragment, docTranscript, docSpec} {
		f.Add([]byte(doc))
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		if id := sentID(body); id != strings.TrimSpace(id) {
			t.Fatalf("sentID = %q: not trimmed", id)
		}
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
		for _, m := range p.messages {
			tm := m.ticketMessage("x", p.agents, now)
			if !tm.At.IsZero() && (tm.At.After(now.Add(maxClockAhead)) || tm.At.Unix() < minUnixSecond) {
				t.Fatalf("message time %v out of bounds", tm.At)
			}
		}
	})
}
