package tickets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Urgency is how soon a ticket needs an answer, as its team judges it.
type Urgency string

// The urgencies, most urgent first. A ticket's urgency is unset ("") until someone sets it.
const (
	UrgencyUrgent Urgency = "urgent"
	UrgencyHigh   Urgency = "high"
	UrgencyMedium Urgency = "medium"
	UrgencyLow    Urgency = "low"
)

// Urgencies lists the urgencies, most urgent first.
var Urgencies = []Urgency{UrgencyUrgent, UrgencyHigh, UrgencyMedium, UrgencyLow}

// Valid reports whether u is unset or one of Urgencies.
func (u Urgency) Valid() bool { return u == "" || slices.Contains(Urgencies, u) }

// Label is u for people: "Urgent", or "" when unset.
func (u Urgency) Label() string { return capitalize(string(u)) }

// Sentiment is how the customer seems to feel.
type Sentiment string

// The sentiments; unset ("") until someone (or AI) says.
const (
	SentimentPositive Sentiment = "positive"
	SentimentNeutral  Sentiment = "neutral"
	SentimentNegative Sentiment = "negative"
)

// Sentiments lists the sentiments.
var Sentiments = []Sentiment{SentimentPositive, SentimentNeutral, SentimentNegative}

// Valid reports whether s is unset or one of Sentiments.
func (s Sentiment) Valid() bool { return s == "" || slices.Contains(Sentiments, s) }

// Label is s for people: "Positive", or "" when unset.
func (s Sentiment) Label() string { return capitalize(string(s)) }

func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Origin says who set a detail: Frontdesk's default (from the source or the first
// message), an AI suggestion, or an agent. An agent's value is never replaced by AI.
type Origin string

const (
	OriginDefault Origin = "default"
	OriginAI      Origin = "ai"
	OriginAgent   Origin = "agent"
)

// The fields of a ticket's details, as named in edits and events. A custom category is
// FieldCategoryPrefix + its name.
const (
	FieldTitle          = "title"
	FieldSummary        = "summary"
	FieldUrgency        = "urgency"
	FieldSentiment      = "sentiment"
	FieldTags           = "tags"
	FieldAITags         = "ai_tags"
	FieldCategoryPrefix = "category:"
)

// Edit is one change of one detail: what it became, who made it and when.
type Edit struct {
	Field  string    `json:"field"`
	Value  string    `json:"value"` // as text; tags joined by ", "; "" when cleared
	Origin Origin    `json:"origin"`
	By     Agent     `json:"by,omitzero"` // the agent, for OriginAgent
	At     time.Time `json:"at"`
}

// DetailsChange sets some details of a ticket; nil fields are left as they are. An empty
// value clears a detail; a category set to "" is cleared.
type DetailsChange struct {
	Title      *string
	Summary    *string
	Urgency    *Urgency
	Sentiment  *Sentiment
	Tags       *[]string
	AITags     *[]string
	Categories map[string]string
}

// Limits on details.
const (
	MaxTitleBytes    = 200
	MaxTags          = 20
	MaxTagBytes      = 50
	MaxCategories    = 10
	MaxCategoryBytes = 50
	MaxCategoryValue = 50
)

// FieldError is an ErrInvalid about one field of a change, so that a form can show it
// next to the field.
type FieldError struct {
	Field string // FieldTitle, ..., or FieldCategoryPrefix + name
	Msg   string
}

func (e *FieldError) Error() string { return ErrInvalid.Error() + ": " + e.Msg }
func (e *FieldError) Unwrap() error { return ErrInvalid }

// AsFieldError returns err's FieldError, if it has one.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// FieldChange is one detail to set, as the Store keeps it: the field and its value as
// text (tags as JSON).
type FieldChange struct {
	Field string
	Value string
}

// normalize checks c against the workspace's categories and turns it into field changes,
// in a fixed order. Tags are trimmed, lowercased and made unique.
func (c DetailsChange) normalize(categories []Category) ([]FieldChange, error) {
	var out []FieldChange
	if c.Title != nil {
		title := strings.TrimSpace(*c.Title)
		if len(title) > MaxTitleBytes {
			return nil, fieldErr(FieldTitle, "the title is longer than %d characters", MaxTitleBytes)
		}
		if strings.ContainsAny(title, "\n\r") {
			return nil, fieldErr(FieldTitle, "the title must be one line")
		}
		out = append(out, FieldChange{FieldTitle, title})
	}
	if c.Summary != nil {
		if len(*c.Summary) > maxSummaryBytes {
			return nil, fieldErr(FieldSummary, "the summary is longer than %d bytes", maxSummaryBytes)
		}
		out = append(out, FieldChange{FieldSummary, strings.TrimSpace(*c.Summary)})
	}
	if c.Urgency != nil {
		if !c.Urgency.Valid() {
			return nil, fieldErr(FieldUrgency, "urgency %q is not one of urgent, high, medium, low", *c.Urgency)
		}
		out = append(out, FieldChange{FieldUrgency, string(*c.Urgency)})
	}
	if c.Sentiment != nil {
		if !c.Sentiment.Valid() {
			return nil, fieldErr(FieldSentiment, "sentiment %q is not one of positive, neutral, negative", *c.Sentiment)
		}
		out = append(out, FieldChange{FieldSentiment, string(*c.Sentiment)})
	}
	for _, f := range []struct {
		name string
		tags *[]string
	}{{FieldTags, c.Tags}, {FieldAITags, c.AITags}} {
		if f.tags == nil {
			continue
		}
		tags, err := normalizeTags(f.name, *f.tags)
		if err != nil {
			return nil, err
		}
		out = append(out, FieldChange{f.name, encodeTags(tags)})
	}
	names := make([]string, 0, len(c.Categories))
	for name := range c.Categories {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		value := strings.TrimSpace(c.Categories[name])
		cat, ok := categoryNamed(categories, name)
		field := FieldCategoryPrefix + name
		if !ok {
			return nil, fieldErr(field, "there is no category %q", name)
		}
		if value != "" && !slices.Contains(cat.Values, value) {
			return nil, fieldErr(field, "%q is not one of the values of %s", value, cat.Name)
		}
		out = append(out, FieldChange{FieldCategoryPrefix + cat.Name, value})
	}
	return out, nil
}

// normalizeTags trims, lowercases and deduplicates tags, dropping empty ones.
func normalizeTags(field string, in []string) ([]string, error) {
	var tags []string
	for _, t := range in {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" || slices.Contains(tags, t) {
			continue
		}
		if len(t) > MaxTagBytes {
			return nil, fieldErr(field, "tag %q is longer than %d characters", Clip(t, 60), MaxTagBytes)
		}
		tags = append(tags, t)
	}
	if len(tags) > MaxTags {
		return nil, fieldErr(field, "%d tags are more than %d", len(tags), MaxTags)
	}
	return tags, nil
}

// encodeTags is tags as the Store keeps them: one per line ("" for none).
func encodeTags(tags []string) string { return strings.Join(tags, "\n") }

// DecodeTags reads tags as the Store keeps them.
func DecodeTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// UpdateDetails records an agent's change of a ticket's details (any status, closed
// too): each changed field is recorded with who and when, the ticket's agent-set fields
// are never replaced by AI after this, and one EventUpdated goes to the desk and the
// sinks. Returns a *FieldError (ErrInvalid) naming the field at fault, or ErrNotFound.
func (s *Service) UpdateDetails(ctx context.Context, id ID, by Agent, c DetailsChange) (*Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	return s.changeDetails(ctx, id, c, OriginAgent, by)
}

// Suggest records AI suggestions for a ticket's details; a field an agent set is left as
// the agent set it. Returns ErrInvalid for a suggestion out of range (nothing is
// recorded), or ErrNotFound.
func (s *Service) Suggest(ctx context.Context, id ID, c DetailsChange) (*Ticket, error) {
	if len(c.Categories) > 0 {
		return nil, invalidf("categories are set by agents only")
	}
	return s.changeDetails(ctx, id, c, OriginAI, Agent{})
}

func (s *Service) changeDetails(ctx context.Context, id ID, c DetailsChange, origin Origin, by Agent) (*Ticket, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	changes, err := c.normalize(st.Categories)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return s.Get(ctx, id)
	}
	t, err := s.store.UpdateDetails(ctx, id, changes, origin, by, s.now())
	return t, wrap("update details", err)
}

// MaxTitleDerived bounds a title taken from the first message.
const MaxTitleDerived = 80

// DeriveTitle makes a ticket's default title from the customer's first message: its first
// line with a letter or digit in it, spaces collapsed, cut at a word boundary to at most
// MaxTitleDerived bytes. A message with no letter or digit at all (only emoji, say) gives
// no title.
func DeriveTitle(text string) string {
	for line := range strings.Lines(text) {
		line = strings.Join(strings.Fields(line), " ")
		if strings.IndexFunc(line, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		if !utf8.ValidString(line) {
			line = strings.ToValidUTF8(line, "")
		}
		return Clip(line, MaxTitleDerived)
	}
	return ""
}
