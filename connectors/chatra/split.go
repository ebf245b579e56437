package chatra

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTextChars is the longest text Chatra takes in one message.
const maxTextChars = 5000

// chars counts s as JavaScript does (UTF-16 code units), which Chatra presumably uses to
// measure its 1–5000 characters: an emoji counts as two, so a part never runs over
// whichever way Chatra counts.
func chars(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// splitText cuts s into parts of at most max characters (as chars counts them) that
// joined give s back. It cuts after the last paragraph break ("\n\n") that keeps a part
// at least half full, else after the last line break that does, else after the last
// white space; a word is cut only when it alone is longer than max. A part is blank only
// when the text holds a run of white space nearly max characters long (Deliver skips it).
func splitText(s string, max int) []string {
	var parts []string
	for chars(s) > max {
		window := prefix(s, max) // the longest head of s that fits
		half := len(prefix(s, max/2))
		cut := len(window)
		// A cut must leave something to read before it, and keep a paragraph or a line
		// whole only when that keeps the part at least half full.
		worth := func(c int) bool { return strings.TrimSpace(window[:c]) != "" }
		if i := strings.LastIndex(window, "\n\n"); i >= 0 && i+2 >= half && worth(i+2) {
			cut = i + 2
		} else if i := strings.LastIndexByte(window, '\n'); i >= 0 && i+1 >= half && worth(i+1) {
			cut = i + 1
		} else if i := strings.LastIndexFunc(window, unicode.IsSpace); i >= 0 && worth(i) {
			_, size := utf8.DecodeRuneInString(window[i:])
			cut = i + size
		}
		if cut == 0 { // max is smaller than one character: never for Chatra's 5000
			_, cut = utf8.DecodeRuneInString(s)
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	if s != "" || len(parts) == 0 {
		parts = append(parts, s)
	}
	return parts
}

// prefix is the longest head of s of at most max characters, whole runes only.
func prefix(s string, max int) string {
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}
