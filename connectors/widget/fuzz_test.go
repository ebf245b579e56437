package widget

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseFrame: any frame a visitor (or anyone with a socket) sends either parses into
// a valid frame within the limits or is refused with a *frameError; nothing panics.
func FuzzParseFrame(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzParseFrame/.
	f.Add([]byte(`{"type":"message","id":"a1","text":"hi"}`))
	f.Add([]byte(`{"type":"message","id":"a2","text":"","files":["AAAAAAAAAAAAAAAAAAAAAA","BBBBBBBBBBBBBBBBBBBBBB"]}`))
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
			if !validClientID(fr.ID) || strings.TrimSpace(fr.Text) == "" && len(fr.Files) == 0 || len(fr.Text) > max ||
				len(fr.Files) > maxFilesPerMessage || slices.ContainsFunc(fr.Files, func(id string) bool { return !validFileID(id) }) {
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

// FuzzFileName: whatever name a browser (or anyone) gives a file, the name kept and
// shown to agents is valid UTF-8, short, one path element, without control characters.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"router.png", `C:\a\b.pdf`, "../../x", "\x00\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := fileName(s)
		if n == "" || len(n) > maxFileNameBytes+len("…") || !utf8.ValidString(n) || strings.ContainsAny(n, "/\\") ||
			strings.IndexFunc(n, unicode.IsControl) >= 0 || n == "." || n == ".." {
			t.Fatalf("fileName(%q) = %q", s, n)
		}
	})
}
