package tickets_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestDeriveTitle(t *testing.T) {
	long := strings.Repeat("word ", 40)
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"blank", " \n\t \n", ""},
		{"emoji only", "👋🙂🔥", ""},
		{"emoji line first", "👋\n  My   invoice is wrong  \nmore", "My invoice is wrong"},
		{"multi-line", "Refund please\nI was charged twice", "Refund please"},
		{"very long", long, strings.TrimSpace(Clip(strings.TrimSpace(long), MaxTitleDerived))},
		{"one long word", strings.Repeat("x", 300), strings.Repeat("x", MaxTitleDerived-len("…")) + "…"},
		{"emoji kept with words", "Help 🙏", "Help 🙏"},
		{"non-latin", "Счёт неверный", "Счёт неверный"},
	} {
		got := DeriveTitle(c.in)
		if got != c.want {
			t.Errorf("%s: DeriveTitle(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if len(got) > MaxTitleDerived {
			t.Errorf("%s: %d bytes", c.name, len(got))
		}
	}
	if got := DeriveTitle(long); strings.HasSuffix(strings.TrimSuffix(got, "…"), " ") || !strings.HasSuffix(got, "…") {
		t.Errorf("long title %q is not cut at a word boundary", got)
	}
}

func TestOpen_DefaultTitle(t *testing.T) {
	h := newHarness(t)
	tk := h.open(t, "c1", "", "Where is my order?\nIt was due Monday")
	got, _ := h.svc.Get(context.Background(), tk.ID)
	equal(t, "title", got.Title, "Where is my order?")
}

var product = Category{Name: "Product", Values: []string{"Request Management", "Marketing Automation"}}

func withCategories(cats ...Category) func(*Config) {
	return func(c *Config) { c.Initial.Categories = cats }
}

func TestUpdateDetails(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withCategories(product))
	tk := h.open(t, "c1", "", "Hello")
	title, urgent := "Invoice wrong", UrgencyUrgent
	tags := []string{" Billing ", "billing", "VIP"}
	got, err := h.svc.UpdateDetails(ctx, tk.ID, alice, DetailsChange{
		Title: &title, Urgency: &urgent, Tags: &tags, Categories: map[string]string{"product": "Marketing Automation"},
	})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "title", got.Title, title)
	equal(t, "urgency", got.Urgency, UrgencyUrgent)
	equal(t, "tags", got.Tags, []string{"billing", "vip"})
	equal(t, "category", got.Categories, map[string]string{"Product": "Marketing Automation"})
	if len(got.Edits) != 4 || got.Edits[0].By != alice || got.Edits[0].Origin != OriginAgent || got.Edits[0].At.IsZero() {
		t.Errorf("edits = %+v", got.Edits)
	}
	if evs := h.store.Drain(); len(evs) == 0 || evs[len(evs)-1].Type != EventUpdated || evs[len(evs)-1].Actor != alice {
		t.Errorf("events = %+v, want ticket.updated by alice last", evs)
	}

	// Refusals name their field and change nothing.
	before, _ := h.svc.Get(ctx, tk.ID)
	bad := []struct {
		field string
		c     DetailsChange
	}{
		{FieldCategoryPrefix + "Product", DetailsChange{Categories: map[string]string{"Product": "Hardware"}}},
		{FieldCategoryPrefix + "Region", DetailsChange{Categories: map[string]string{"Region": "EU"}}},
		{FieldUrgency, DetailsChange{Urgency: ptr(Urgency("critical"))}},
		{FieldTitle, DetailsChange{Title: ptr(strings.Repeat("t", MaxTitleBytes+1))}},
		{FieldTitle, DetailsChange{Title: ptr("two\nlines")}},
		{FieldTags, DetailsChange{Tags: ptr([]string{strings.Repeat("x", MaxTagBytes+1)})}},
	}
	for _, b := range bad {
		_, err := h.svc.UpdateDetails(ctx, tk.ID, alice, b.c)
		wantErr(t, err, ErrInvalid)
		if fe, ok := AsFieldError(err); !ok || fe.Field != b.field {
			t.Errorf("%+v: error %v, want one on %s", b.c, err, b.field)
		}
	}
	h.unchanged(t, before)
	_, err = h.svc.UpdateDetails(ctx, tk.ID, Agent{}, DetailsChange{Title: &title})
	wantErr(t, err, ErrInvalid)
}

// An agent's edit wins over a later AI suggestion; AI fills what no agent set.
func TestSuggest_AgentEditWins(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	tk := h.open(t, "c1", "", "Hello")
	low := UrgencyLow
	if _, err := h.svc.UpdateDetails(ctx, tk.ID, alice, DetailsChange{Urgency: &low}); err != nil {
		t.Fatal(err)
	}
	urgent, neg, title := UrgencyUrgent, SentimentNegative, "Angry about billing"
	got, err := h.svc.Suggest(ctx, tk.ID, DetailsChange{Urgency: &urgent, Sentiment: &neg, Title: &title, AITags: ptr([]string{"billing"})})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "agent's urgency kept", got.Urgency, UrgencyLow)
	equal(t, "AI sentiment", got.Sentiment, SentimentNegative)
	equal(t, "AI title replaces the default", got.Title, title)
	equal(t, "AI tags", got.AITags, []string{"billing"})
	equal(t, "origin", got.Origins[FieldTitle], OriginAI)
	// An agent may still replace an AI value.
	mine := "Billing question"
	got, _ = h.svc.UpdateDetails(ctx, tk.ID, bob, DetailsChange{Title: &mine})
	equal(t, "agent replaces AI", got.Title, mine)
	// AI sets no categories, and nothing out of range.
	_, err = h.svc.Suggest(ctx, tk.ID, DetailsChange{Categories: map[string]string{"x": "y"}})
	wantErr(t, err, ErrInvalid)
	_, err = h.svc.Suggest(ctx, tk.ID, DetailsChange{Sentiment: ptr(Sentiment("angry"))})
	wantErr(t, err, ErrInvalid)
}

func TestSettings_Categories(t *testing.T) {
	base := Settings{TicketingChannels: []Team{support}}
	ok := base
	ok.Categories = []Category{product, {Name: "Region", Values: []string{"EU", "US"}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, cats := range map[string][]Category{
		"no values":       {{Name: "Product"}},
		"twice":           {product, {Name: "product", Values: []string{"x"}}},
		"empty name":      {{Name: "", Values: []string{"x"}}},
		"colon in name":   {{Name: "a:b", Values: []string{"x"}}},
		"value twice":     {{Name: "P", Values: []string{"x", "X"}}},
		"comma in value":  {{Name: "P", Values: []string{"a,b"}}},
		"too many values": {{Name: "P", Values: strings.Fields(strings.Repeat("v ", MaxCategoryValue+1))}},
	} {
		st := base
		st.Categories = cats
		if name == "too many values" {
			for i := range st.Categories[0].Values {
				st.Categories[0].Values[i] += string(rune('a'+i%26)) + strings.Repeat("z", i/26)
			}
		}
		wantErr(t, st.Validate(), ErrInvalid)
	}
}

func ptr[T any](v T) *T { return &v }

// fakeEnricher suggests an urgency on opened tickets (an EventFilter), as an AI would.
type fakeEnricher struct{ got *[]error }

func (fakeEnricher) Name() string           { return "ai" }
func (fakeEnricher) Wants(t EventType) bool { return t == EventOpened }
func (e fakeEnricher) Enrich(ctx context.Context, t *Ticket, ev Event, _ string, suggest func(context.Context, DetailsChange) error) error {
	urgent := UrgencyUrgent
	*e.got = append(*e.got, suggest(ctx, DetailsChange{Urgency: &urgent}))
	*e.got = append(*e.got, suggest(ctx, DetailsChange{Categories: map[string]string{"x": "y"}}))
	return nil
}

// An Enricher gets its own consumer group, only the events it wants, and records its
// suggestions through the service: as AI, never over an agent's value, never a category.
func TestEnricher(t *testing.T) {
	ctx := context.Background()
	var results []error
	h := newHarness(t, func(c *Config) { c.Enrichers = []Enricher{fakeEnricher{&results}} })
	tk := h.open(t, "c1", "", "Hello")
	handle, ok := h.svc.Handlers()[SinkGroupPrefix+"ai"]
	if !ok || !h.svc.Interests()[SinkGroupPrefix+"ai"](Event{Type: EventOpened}) || h.svc.Interests()[SinkGroupPrefix+"ai"](Event{Type: EventPicked}) {
		t.Fatal("no consumer group sink:ai wanting opened tickets only")
	}
	if err := handle(ctx, Event{ID: "e1", Type: EventPicked, TicketID: tk.ID}); err != nil || len(results) != 0 {
		t.Fatalf("an unwanted event reached the enricher: %v, %v", err, results)
	}
	if err := handle(ctx, Event{ID: "e2", Type: EventOpened, TicketID: tk.ID}); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0] != nil || !errors.Is(results[1], ErrInvalid) {
		t.Fatalf("suggest answered %v", results)
	}
	got, _ := h.svc.Get(ctx, tk.ID)
	equal(t, "suggested urgency", got.Urgency, UrgencyUrgent)
	equal(t, "as AI", got.Origins[FieldUrgency], OriginAI)
	if _, err := New(Config{Store: h.store, Sinks: []Sink{fakeSink{h.log, "ai"}}, Enrichers: []Enricher{fakeEnricher{&results}}}); err == nil {
		t.Error("a sink and an enricher of one name were taken")
	}
}

// A change recorded before a pick and handled after it, before the pick made the inbox
// channel, leaves the card to the pick's update: the card never says who picked it
// without where.
func TestDetails_ChangeJustBeforeAPickWaitsForIt(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	tk := h.open(t, "c1", "", "Hello")
	h.deliver(t) // the card
	urgent := UrgencyHigh
	if _, err := h.svc.Suggest(ctx, tk.ID, DetailsChange{Urgency: &urgent}); err != nil {
		t.Fatal(err)
	}
	h.pick(t, tk.ID, alice)
	var updates []string
	for _, call := range h.deliver(t) {
		if strings.HasPrefix(call, "desk.UpdateCard") {
			updates = append(updates, call)
		}
	}
	if len(updates) != 1 || !strings.Contains(updates[0], "active") {
		t.Errorf("card updates %q, want the pick's alone", updates)
	}
}
