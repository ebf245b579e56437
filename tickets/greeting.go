package tickets

import (
	"slices"
	"strings"
	"unicode"
)

// DefaultGreetings are Settings.Greetings when unset: what people write to greet, thank
// or acknowledge, which asks nothing.
var DefaultGreetings = []string{
	"hi", "hello", "hey", "hiya", "howdy", "yo", "good morning", "good afternoon", "good evening", "morning",
	"thanks", "thank you", "thanks a lot", "many thanks", "thx", "ty", "cheers", "much appreciated", "appreciated",
	"ok", "okay", "great", "perfect", "awesome", "cool", "nice", "got it", "sounds good", "will do",
	"bye", "goodbye", "have a nice day", "have a good day",
}

// greetingExtras may go with a greeting ("thanks a lot everyone", "hi again team").
var greetingExtras = []string{"all", "everyone", "everybody", "team", "folks", "guys", "there", "again",
	"so", "much", "very", "a", "lot", "you", "y", "for", "that", "this", "the", "your", "help"}

// MaxGreetings bounds Settings.Greetings.
const MaxGreetings = 200

// Greeting reports whether text is a greeting or thanks alone: made only of the phrases
// of greetings (DefaultGreetings when nil), words that go with them ("everyone",
// "again"), mentions, emoji and punctuation. Case is ignored.
func Greeting(text string, greetings []string) bool {
	if greetings == nil {
		greetings = DefaultGreetings
	}
	words := greetingWords(text)
	phrases := make([][]string, 0, len(greetings))
	for _, g := range greetings {
		if w := greetingWords(g); len(w) > 0 {
			phrases = append(phrases, w)
		}
	}
	// Longest phrases first, so that "thank you" is taken whole.
	slices.SortFunc(phrases, func(a, b []string) int { return len(b) - len(a) })
	matched := false
	for i := 0; i < len(words); {
		n := 0
		for _, p := range phrases {
			if len(p) <= len(words)-i && slices.Equal(words[i:i+len(p)], p) {
				n, matched = len(p), true
				break
			}
		}
		if n == 0 && slices.Contains(greetingExtras, words[i]) {
			n = 1
		}
		if n == 0 {
			return false
		}
		i += n
	}
	return matched || len(words) == 0 && strings.TrimSpace(text) != ""
}

// greetingWords are text's words, lower-cased, without Slack's mentions and emoji codes
// (<@U123>, :wave:), punctuation and symbols.
func greetingWords(text string) []string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '<':
			if j := strings.IndexByte(text[i:], '>'); j > 0 {
				i += j
				b.WriteByte(' ')
				continue
			}
		case ':':
			if j := strings.IndexByte(text[i+1:], ':'); j > 0 && !strings.ContainsAny(text[i+1:i+1+j], " \n\t") {
				i += j + 1
				b.WriteByte(' ')
				continue
			}
		}
		b.WriteByte(text[i])
	}
	return strings.FieldsFunc(strings.ToLower(b.String()), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// validateGreetings reports what is wrong with greetings.
func validateGreetings(greetings []string) error {
	if len(greetings) > MaxGreetings {
		return invalidf("%d greetings are more than the %d allowed", len(greetings), MaxGreetings)
	}
	for _, g := range greetings {
		if len(greetingWords(g)) == 0 || len(g) > 80 {
			return invalidf("greeting %q must have a word and at most 80 characters", g)
		}
	}
	return nil
}
