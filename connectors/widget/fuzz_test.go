package widget

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseFrame: any frame a visitor (or anyone with a socket) sends either parses into
// a valid frame within the limits or is refused with a *frameError; nothing panics.
func FuzzParseFrame(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzParseFrame/.
	f.Add([]byte(`{"type":"message","id":"a1","text":"hi"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		const max = 100
		fr, err := parseFrame(b, max)
		if err != nil {
			var fe *frameError
			if !errors.As(err, &fe) || fe.Code == "" || fe.Msg == "" {
				t.Fatalf("error %v is not a frameError", err)
			}
			return
		}
		switch fr.Type {
		case frameHello:
			if fr.Token == "" || !validSeq(fr.After) {
				t.Fatalf("a valid hello %+v", fr)
			}
		case frameMessage:
			if !validClientID(fr.ID) || strings.TrimSpace(fr.Text) == "" || len(fr.Text) > max {
				t.Fatalf("a valid message %+v", fr)
			}
		case frameRate:
			if fr.Rating < 1 || fr.Rating > 5 || len(fr.Comment) > maxCommentBytes {
				t.Fatalf("a valid rating %+v", fr)
			}
		default:
			t.Fatalf("a frame of type %q parsed", fr.Type)
		}
	})
}
