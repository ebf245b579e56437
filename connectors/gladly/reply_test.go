package gladly

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	runes := utf8.RuneCountInString
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"Fits", "Hello there", 20, []string{"Hello there"}},
		{"AtWords", "one two three four", 9, []string{"one two", "three", "four"}},
		{"Exact", "abc def", 7, []string{"abc def"}},
		{"LongWord", "abcdefghij xy", 4, []string{"abcd", "efgh", "ij", "xy"}},
		{"Runes", "ääää öö", 4, []string{"ääää", "öö"}},
		{"Newlines", "line one\nline two", 9, []string{"line one", "line two"}},
		{"Blank", " \n ", 5, nil},
		{"TrimsParts", "  a  b  ", 3, []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := splitText(tc.text, tc.limit, runes)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("splitText(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
			}
		})
	}
}

func TestReplyParts_EmailWithinLimit(t *testing.T) {
	text := strings.Repeat("<b>&</b>\n", 600) // escaping makes it much longer
	parts := replyParts(emailType, text)
	var plain []string
	for _, p := range parts {
		if n := utf8.RuneCountInString(p.Body); n > maxReplyChars {
			t.Errorf("an email body of %d characters", n)
		}
		if p.Body != htmlBody(p.BodyPlain) || p.MessageType != "" || p.Type != emailType {
			t.Errorf("part %+v", p)
		}
		plain = append(plain, p.BodyPlain)
	}
	if strings.Join(strings.Fields(strings.Join(plain, " ")), " ") != strings.Join(strings.Fields(text), " ") {
		t.Error("the parts do not add up to the text")
	}
}

func TestReplyParts_Types(t *testing.T) {
	for typ, want := range map[string]replyContent{
		"":             {Type: "CHAT_MESSAGE", MessageType: "TEXT", Body: "Hi"},
		"CHAT_MESSAGE": {Type: "CHAT_MESSAGE", MessageType: "TEXT", Body: "Hi"},
		"SMS":          {Type: "SMS", Body: "Hi"},
		"WHATSAPP":     {Type: "WHATSAPP", Body: "Hi"},
		"EMAIL":        {Type: "EMAIL", Body: "Hi", BodyPlain: "Hi"},
	} {
		if got := replyParts(typ, "Hi"); len(got) != 1 || got[0] != want {
			t.Errorf("%q: %+v, want %+v", typ, got, want)
		}
	}
}
