package chatra

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	para := func(n int) string { return strings.TrimSpace(strings.ReplaceAll(words(n), "\n", " ")) }
	a3000, b3000 := para(3000), para(3000)
	tests := []struct {
		name string
		in   string
		max  int
		want []int // the parts' lengths in bytes
	}{
		{"Empty", "", 5000, []int{0}},
		{"Short", "ok", 5000, []int{2}},
		{"Exactly", strings.Repeat("a", 5000), 5000, []int{5000}},
		{"OneWordTooLong", strings.Repeat("a", 5001), 5000, []int{5000, 1}},
		{"Paragraphs", a3000 + "\n\n" + b3000, 5000, []int{3002, 3000}},
		{"Lines", a3000 + "\n" + b3000, 5000, []int{3001, 3000}},
		{"WordsOnly", "aaaa bbbb cccc", 10, []int{10, 4}},
		{"ParagraphTooEarly", "aa\n\nbbbb cccc dddd", 10, []int{9, 9}},
		{"LeadingSpaceThenLongWord", " " + strings.Repeat("a", 12), 10, []int{10, 3}},
		{"Emoji", strings.Repeat("😀", 3000), 5000, []int{10000, 2000}}, // 2 units each: 2500 a part
		{"Accents", strings.Repeat("é", 6000), 5000, []int{10000, 2000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := splitText(tt.in, tt.max)
			var lens []int
			for _, p := range parts {
				lens = append(lens, len(p))
			}
			if strings.Join(parts, "") != tt.in {
				t.Error("the parts do not rejoin to the text")
			}
			if len(lens) != len(tt.want) {
				t.Fatalf("part lengths %v, want %v", lens, tt.want)
			}
			for i := range lens {
				if lens[i] != tt.want[i] {
					t.Fatalf("part lengths %v, want %v", lens, tt.want)
				}
			}
		})
	}
}

// TestSplitText_Random: whatever the text, the parts rejoin to it, each fits, none is
// blank or splits a character, and a word is cut only when it alone does not fit.
func TestSplitText_Random(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "é", "😀", " ", " ", "\n", "\n\n", "漢"}
	for i := range 500 {
		var b strings.Builder
		n := r.IntN(400)
		for range n {
			if r.IntN(50) == 0 { // now and then a long word
				b.WriteString(strings.Repeat("w", r.IntN(80)))
			}
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		in, max := b.String(), 10+r.IntN(60)
		parts := splitText(in, max)
		if strings.Join(parts, "") != in {
			t.Fatalf("case %d: the parts do not rejoin", i)
		}
		for j, p := range parts {
			if chars(p) > max || !utf8.ValidString(p) {
				t.Fatalf("case %d: part %d %q is too long or splits a character", i, j, p)
			}
			if j < len(parts)-1 && strings.TrimSpace(p) == "" && chars(p) < max-1 { // a wide character may not fit after the run
				t.Fatalf("case %d: part %d is blank: %q | %q | %q", i, j, parts[j-1], p, parts[j+1])
			}
			last, _ := utf8.DecodeLastRuneInString(p)
			next, _ := utf8.DecodeRuneInString(parts[min(j+1, len(parts)-1)])
			if j < len(parts)-1 && last != ' ' && last != '\n' && next != ' ' && next != '\n' {
				// A cut inside a word: only allowed when the part holds no white space
				// after its first word.
				if strings.ContainsAny(strings.TrimLeft(p, " \n"), " \n") {
					t.Fatalf("case %d: part %d %q cuts a word although it had room", i, j, p)
				}
			}
		}
	}
}
