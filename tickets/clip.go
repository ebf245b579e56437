package tickets

import (
	"strings"
	"unicode/utf8"
)

// Clip shortens s to at most max bytes, cutting at a word boundary where one is near and
// marking the cut with "…" (which counts towards max). It never splits a UTF-8 character.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	cut := max - len(ellipsis)
	if cut <= 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexAny(s[:cut], " \n\t"); sp > cut*3/4 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " \n\t") + ellipsis
}
