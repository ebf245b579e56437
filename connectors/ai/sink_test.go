package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/frontdeskhq/frontdesk/connectors/ai/aitest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// The ticket's texts: what must and must not reach the endpoint.
const (
	customerText    = "I was charged twice for March, order 1234."
	agentText       = "Sorry about that! I have started a refund."
	sourceAgentText = "Our billing team confirms the double charge."
	internalText    = "note: this customer threatened a chargeback last year"
	noticeText      = "Alice joined the chat."
	customerEmail   = "jane.doe@example.com"
	customerPhone   = "+44 20 7946 0958"
	customerName    = "Jane Doe"
	customerField   = "VIP-contract-77"
	sourceSummary   = "Double charge on the March invoice"
)

type world struct {
	fake    *aitest.Server
	tickets *memStore
	sugg    *suggestions
	logs    *observer.ObservedLogs
	sink    *Sink
	ticket  *tickets.Ticket
}

// newWorld is a Sink talking to a fake endpoint, with one ticket whose transcript has
// every kind of message. cfg's zero fields are filled in.
func newWorld(t *testing.T, cfg Config) *world {
	t.Helper()
	return newWorldWith(t, cfg, nil)
}

// newWorldWith is newWorld with store in place of the world's own, unless it is nil.
func newWorldWith(t *testing.T, cfg Config, store Store) *world {
	t.Helper()
	w := &world{fake: newFakeAI(t), sugg: &suggestions{}}
	w.ticket = &tickets.Ticket{
		ID: "T1", Number: 135, Source: "webhook", ConversationID: "c-1",
		Customer: tickets.Customer{ID: "cust-9", Name: customerName, Email: customerEmail, Phone: customerPhone,
			Fields: map[string]string{"plan": customerField}},
		Summary: sourceSummary,
		Status:  tickets.StatusActive,
	}
	alice := tickets.Agent{ID: "UALICE", Name: "Alice Agent", Email: "alice@frontdesk.example"}
	w.tickets = &memStore{msgs: map[tickets.ID][]tickets.Message{"T1": {
		{ID: "m1", Direction: tickets.FromCustomer, Text: customerText, At: t0},
		{ID: "m2", Direction: tickets.Notice, Text: noticeText, At: t0.Add(time.Second)},
		{ID: "m3", Direction: tickets.Internal, Author: alice, Text: internalText, At: t0.Add(2 * time.Second)},
		{ID: "m4", Direction: tickets.FromAgent, Author: alice, Text: agentText, At: t0.Add(3 * time.Second)},
		{ID: "m5", Direction: tickets.FromSourceAgent, Text: sourceAgentText, At: t0.Add(4 * time.Second)},
		{ID: "m6", Direction: tickets.FromCustomer, Attachments: []tickets.Attachment{{URL: "https://files.example/secret-token/receipt.pdf", Name: "receipt.pdf"}}, At: t0.Add(5 * time.Second)},
	}}}
	core, logs := observer.New(zapcore.DebugLevel)
	w.logs = logs
	if cfg.BaseURL == "" {
		cfg.BaseURL = w.fake.BaseURL()
	}
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	if cfg.Model == "" {
		cfg.Model = "gpt-test"
	}
	if store == nil {
		store = w.tickets
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	s, err := New(cfg, Deps{Store: store, Log: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t0 }
	w.sink = s
	return w
}

func (w *world) event(typ tickets.EventType) tickets.Event {
	return tickets.Event{ID: "ev-" + string(typ), Type: typ, TicketID: w.ticket.ID, At: t0}
}

func (w *world) changed(typ tickets.EventType) error {
	return w.sink.Enrich(context.Background(), w.ticket, w.event(typ), "key-1", func(ctx context.Context, c tickets.DetailsChange) error {
		return w.sugg.suggest(ctx, w.ticket.ID, c)
	})
}

// logText is everything logged, messages and fields.
func (w *world) logText() string {
	var b strings.Builder
	for _, e := range w.logs.All() {
		b.WriteString(e.Message)
		for k, v := range e.ContextMap() {
			fmt.Fprintf(&b, " %s=%v", k, v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// assertNoSecrets checks that neither err nor the logs name the URL or the key, nor any
// of the customer's or the answer's text.
func (w *world) assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	texts := []string{w.logText()}
	if err != nil {
		texts = append(texts, err.Error())
	}
	for _, bad := range []string{w.fake.URL, strings.TrimPrefix(w.fake.URL, "http://"), testKey,
		customerText, agentText, customerEmail, "Refund for a double charge", "critical", "angry"} {
		if contains(bad, texts...) {
			t.Errorf("%q appears in the error or the logs:\n%s", bad, strings.Join(texts, "\n"))
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestGoodAnswerIsSuggested(t *testing.T) {
	w := newWorld(t, Config{})
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Fatal(err)
	}
	reqs := w.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Model != "gpt-test" || r.ResponseFormat != "json_object" {
		t.Errorf("model %q, response_format %q", r.Model, r.ResponseFormat)
	}
	if r.Temperature != "" || strings.Contains(r.Raw, "temperature") {
		t.Errorf("a temperature is sent without one configured: %s", r.Raw)
	}
	if len(r.Messages) != 2 || r.Messages[0].Role != "system" || r.Messages[1].Role != "user" {
		t.Fatalf("messages: %+v", r.Messages)
	}
	sys, user := r.Messages[0].Content, r.Messages[1].Content
	for _, want := range []string{`"urgent", "high", "medium", "low"`, `"positive", "neutral", "negative"`, "ONLY a JSON object", "80"} {
		if !strings.Contains(sys, want) {
			t.Errorf("instructions lack %q:\n%s", want, sys)
		}
	}
	for _, want := range []string{"Customer: " + customerText, "Agent: " + agentText, "Agent: " + sourceAgentText,
		"Customer: [1 attachment(s)]", sourceSummary} {
		if !strings.Contains(user, want) {
			t.Errorf("the ticket lacks %q:\n%s", want, user)
		}
	}
	for _, bad := range []string{internalText, noticeText, customerEmail, customerPhone, customerName, customerField,
		"cust-9", "Alice", "alice@", "secret-token", "receipt.pdf"} {
		if strings.Contains(r.Raw, bad) {
			t.Errorf("the request carries %q:\n%s", bad, r.Raw)
		}
	}
	if strings.Index(user, customerText) > strings.Index(user, agentText) {
		t.Error("the transcript is not in order")
	}

	got := w.sugg.got()
	want := tickets.DetailsChange{
		Title:     ptr("Refund for a double charge"),
		Summary:   ptr("The customer was charged twice for March. The agent started a refund."),
		Sentiment: ptr(tickets.SentimentNegative),
		Urgency:   ptr(tickets.UrgencyHigh),
		AITags:    &[]string{"billing", "refund"},
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("Suggest got %s, want %s", show(got...), show(want))
	}
	if got[0].Tags != nil || got[0].Categories != nil {
		t.Error("AI tags went to Tags or categories were set")
	}
	if w.sugg.ids[0] != "T1" {
		t.Errorf("Suggest for %q", w.sugg.ids[0])
	}
	w.assertNoSecrets(t, nil)
}

func show(cs ...tickets.DetailsChange) string {
	var parts []string
	for _, c := range cs {
		s := "{"
		if c.Title != nil {
			s += fmt.Sprintf("Title:%q ", *c.Title)
		}
		if c.Summary != nil {
			s += fmt.Sprintf("Summary:%q ", *c.Summary)
		}
		if c.Sentiment != nil {
			s += fmt.Sprintf("Sentiment:%q ", *c.Sentiment)
		}
		if c.Urgency != nil {
			s += fmt.Sprintf("Urgency:%q ", *c.Urgency)
		}
		if c.Tags != nil {
			s += fmt.Sprintf("Tags:%q ", *c.Tags)
		}
		if c.AITags != nil {
			s += fmt.Sprintf("AITags:%q ", *c.AITags)
		}
		parts = append(parts, s+"}")
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestClosedTicketIsAskedAgain(t *testing.T) {
	w := newWorld(t, Config{})
	// The summary is by now the AI's own: it is not fed back.
	w.ticket.Summary = "An earlier AI summary"
	w.ticket.Origins = map[string]tickets.Origin{tickets.FieldSummary: tickets.OriginAI}
	if err := w.changed(tickets.EventClosed); err != nil {
		t.Fatal(err)
	}
	reqs := w.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	user := reqs[0].Messages[1].Content
	if !strings.Contains(user, "The chat has ended.") || strings.Contains(user, "An earlier AI summary") {
		t.Errorf("the ticket:\n%s", user)
	}
	if len(w.sugg.got()) != 1 {
		t.Error("no suggestion")
	}
}

func TestOtherEventsAreIgnored(t *testing.T) {
	w := newWorld(t, Config{})
	for _, typ := range []tickets.EventType{tickets.EventPicked, tickets.EventTransferred, tickets.EventRemind,
		tickets.EventRated, tickets.EventSLA, tickets.EventUpdated, tickets.EventSynced, tickets.EventInbound,
		tickets.EventMessage, tickets.EventDelivered, tickets.EventFailed} {
		if err := w.changed(typ); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
	if n := len(w.sugg.got()); n != 0 {
		t.Errorf("%d suggestions, want none", n)
	}
}

func TestFencedAnswerIsAccepted(t *testing.T) {
	w := newWorld(t, Config{})
	w.fake.Answer(reply{Content: fencedContent})
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Fatal(err)
	}
	want := tickets.DetailsChange{Title: ptr("Refund for a double charge"), Urgency: ptr(tickets.UrgencyMedium),
		AITags: &[]string{"billing"}}
	if got := w.sugg.got(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("Suggest got %s, want %s (absent fields nil)", show(got...), show(want))
	}
}

func TestBadAnswersAreDropped(t *testing.T) {
	long := strings.Repeat("x", 500)
	twelve := `["a","b","c","d","e","f","g","h","i","j","k","l"]`
	for _, c := range []struct {
		name  string
		reply reply
	}{
		{"not JSON", reply{Content: "Sure! The title is: Refund for a double charge"}},
		{"JSON but not an object", reply{Content: `["Refund for a double charge"]`}},
		{"two objects", reply{Content: `{"title":"Refund for a double charge"} {"title":"x"}`}},
		{"urgency out of range", reply{Content: `{"title":"Refund for a double charge","urgency":"critical"}`}},
		{"sentiment out of range", reply{Content: `{"title":"Refund for a double charge","sentiment":"angry"}`}},
		{"empty urgency", reply{Content: `{"title":"Refund for a double charge","urgency":""}`}},
		{"title too long", reply{Content: `{"title":"` + long + `","urgency":"low"}`}},
		{"title of two lines", reply{Content: `{"title":"Refund for\na double charge"}`}},
		{"empty title", reply{Content: `{"title":"  ","urgency":"low"}`}},
		{"title not a string", reply{Content: `{"title":42,"urgency":"low"}`}},
		{"summary too long", reply{Content: `{"summary":"` + strings.Repeat("y", 4001) + `"}`}},
		{"twelve tags", reply{Content: `{"title":"Refund for a double charge","tags":` + twelve + `}`}},
		{"tags not a list", reply{Content: `{"title":"Refund for a double charge","tags":"billing"}`}},
		{"tag not a string", reply{Content: `{"title":"Refund for a double charge","tags":["billing",7]}`}},
		{"empty tag", reply{Content: `{"title":"Refund for a double charge","tags":["billing",""]}`}},
		{"tag too long", reply{Content: `{"tags":["` + strings.Repeat("t", tickets.MaxTagBytes+1) + `"]}`}},
		{"nothing suggested", reply{Content: `{"mood":"angry"}`}},
		{"unclosed fence", reply{Content: "```json\n" + goodContent}},
		{"no choices", reply{NoChoices: true}},
		{"empty content", reply{Content: ""}},
		{"not a chat completion", reply{Status: 200, Body: "<html>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, Config{})
			w.fake.Answer(c.reply)
			if err := w.changed(tickets.EventOpened); err != nil {
				t.Fatalf("err %v, want nil (dropped, not retried)", err)
			}
			if n := len(w.fake.Requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if got := w.sugg.got(); len(got) != 0 {
				t.Errorf("Suggest was called: %s", show(got...))
			}
			warns := w.logs.FilterMessage("AI answer dropped").All()
			if len(warns) != 1 || warns[0].Level != zapcore.WarnLevel || warns[0].ContextMap()["reason"] == "" {
				t.Errorf("logs: %s", w.logText())
			}
			w.assertNoSecrets(t, nil)
			if contains(long, w.logText()) || contains("Sure!", w.logText()) {
				t.Error("the answer's content was logged")
			}
		})
	}
}

func TestHTTPErrors(t *testing.T) {
	for _, c := range []struct {
		name       string
		reply      reply
		permanent  bool
		retryAfter time.Duration // 0: none
	}{
		{"500", reply{Status: 500, Body: `{"error":{"message":"boom"}}`}, false, 0},
		{"503", reply{Status: 503}, false, 0},
		{"408", reply{Status: 408}, false, 0},
		{"429", reply{Status: 429, RetryAfter: "7", Body: `{"error":{"code":"rate_limit_exceeded"}}`}, false, 7 * time.Second},
		{"401", reply{Status: 401, Body: `{"error":{"message":"Incorrect API key provided: sk-te***42","code":"invalid_api_key"}}`}, true, 0},
		{"403", reply{Status: 403}, true, 0},
		{"404", reply{Status: 404, Body: `{"error":{"code":"model_not_found"}}`}, true, 0},
		{"400", reply{Status: 400, Body: `{"error":{"message":"response_format is not supported"}}`}, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, Config{})
			w.fake.Answer(c.reply)
			err := w.changed(tickets.EventOpened)
			if err == nil {
				t.Fatal("no error")
			}
			if tickets.IsPermanent(err) != c.permanent {
				t.Errorf("permanent = %v, want %v: %v", tickets.IsPermanent(err), c.permanent, err)
			}
			d, ok := tickets.RetryAfter(err)
			if ok != (c.retryAfter > 0) || d != c.retryAfter {
				t.Errorf("retry after %v (%v), want %v: %v", d, ok, c.retryAfter, err)
			}
			if !strings.Contains(err.Error(), "answered "+c.name) {
				t.Errorf("error %q does not name the status", err)
			}
			if len(w.sugg.got()) != 0 {
				t.Error("Suggest was called")
			}
			refused := w.logs.FilterMessageSnippet("check the AI settings").All()
			if c.permanent != (len(refused) == 1) {
				t.Errorf("logs: %s", w.logText())
			}
			w.assertNoSecrets(t, err)
			if contains("sk-te", err.Error(), w.logText()) || contains("boom", err.Error()) {
				t.Errorf("the provider's message leaked: %v\n%s", err, w.logText())
			}
		})
	}
	t.Run("error code is kept", func(t *testing.T) {
		w := newWorld(t, Config{})
		w.fake.Answer(reply{Status: 404, Body: `{"error":{"code":"model_not_found"}}`})
		if err := w.changed(tickets.EventOpened); err == nil || !strings.Contains(err.Error(), "model_not_found") {
			t.Errorf("err %v, want the code model_not_found", err)
		}
	})
}

func TestSlowAnswerIsRetried(t *testing.T) {
	w := newWorld(t, Config{Timeout: 100 * time.Millisecond})
	w.fake.Answer(reply{Content: goodContent, Block: 500 * time.Millisecond})
	start := time.Now()
	err := w.changed(tickets.EventOpened)
	if took := time.Since(start); took > 400*time.Millisecond {
		t.Errorf("took %v, want about the 100ms timeout", took)
	}
	if err == nil {
		t.Fatal("no error")
	}
	if tickets.IsPermanent(err) {
		t.Errorf("permanent: %v", err)
	}
	if _, ok := tickets.RetryAfter(err); ok {
		t.Errorf("retry after: %v", err)
	}
	if len(w.sugg.got()) != 0 {
		t.Error("Suggest was called")
	}
	w.assertNoSecrets(t, err)
}

// With a client of its own, the sink still keeps to Timeout.
func TestTimeoutWithOwnClient(t *testing.T) {
	w := newWorld(t, Config{Timeout: 100 * time.Millisecond})
	w.sink.http = &http.Client{}
	w.fake.Answer(reply{Content: goodContent, Block: 500 * time.Millisecond})
	err := w.changed(tickets.EventOpened)
	if err == nil || tickets.IsPermanent(err) {
		t.Fatalf("err %v, want a retryable one", err)
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL + "/v1"
	srv.Close()
	w := newWorld(t, Config{BaseURL: base})
	err := w.changed(tickets.EventOpened)
	if err == nil || tickets.IsPermanent(err) {
		t.Fatalf("err %v, want a retryable one", err)
	}
	if _, ok := tickets.RetryAfter(err); ok {
		t.Errorf("retry after: %v", err)
	}
	if strings.Contains(err.Error(), base) || strings.Contains(err.Error(), "/v1") {
		t.Errorf("the URL is in %q", err)
	}
}

// A redirect is not followed: the transcript goes to the configured endpoint only.
func TestRedirectIsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v1/chat/completions", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	w := newWorld(t, Config{BaseURL: redirect.URL + "/v1"})
	err := w.changed(tickets.EventOpened)
	if !tickets.IsPermanent(err) {
		t.Errorf("err %v, want permanent", err)
	}
	if elsewhere.Load() != 0 {
		t.Error("the redirect was followed")
	}
}

func TestSuggestErrors(t *testing.T) {
	t.Run("invalid is dropped", func(t *testing.T) {
		w := newWorld(t, Config{})
		w.sugg.err = &tickets.FieldError{Field: tickets.FieldAITags, Msg: `tag "billing" is bad`}
		if err := w.changed(tickets.EventOpened); err != nil {
			t.Fatalf("err %v, want nil", err)
		}
		refused := w.logs.FilterMessageSnippet("refused by Frontdesk").All()
		if len(refused) != 1 || refused[0].ContextMap()["field"] != tickets.FieldAITags {
			t.Errorf("logs: %s", w.logText())
		}
		if strings.Contains(w.logText(), "billing") {
			t.Error("the suggestion was logged")
		}
	})
	t.Run("other errors are returned", func(t *testing.T) {
		w := newWorld(t, Config{})
		boom := errors.New("redis: connection refused")
		w.sugg.err = boom
		if err := w.changed(tickets.EventOpened); !errors.Is(err, boom) || tickets.IsPermanent(err) {
			t.Fatalf("err %v, want %v, retryable", err, boom)
		}
	})
}

func TestTranscriptErrors(t *testing.T) {
	w := newWorld(t, Config{})
	w.ticket.ID = "T-gone"
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Errorf("a ticket gone: err %v, want nil", err)
	}
	boom := errors.New("redis down")
	w2 := newWorldWith(t, Config{}, failingStore{boom})
	if err := w2.changed(tickets.EventOpened); !errors.Is(err, boom) || tickets.IsPermanent(err) {
		t.Errorf("err %v, want %v, retryable", err, boom)
	}
	if n := len(w.fake.Requests()) + len(w2.fake.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

type failingStore struct{ err error }

func (f failingStore) Messages(context.Context, tickets.ID) ([]tickets.Message, error) {
	return nil, f.err
}

func (f failingStore) SetSync(context.Context, tickets.ID, string, tickets.SyncStatus) error {
	return f.err
}

func TestNothingToAskAbout(t *testing.T) {
	w := newWorld(t, Config{})
	w.ticket.Summary = ""
	w.tickets.msgs["T1"] = []tickets.Message{{ID: "n", Direction: tickets.Internal, Text: internalText}}
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Fatal(err)
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestNew(t *testing.T) {
	ok := Config{BaseURL: "https://api.openai.com/v1", APIKey: "k", Model: "m", Timeout: DefaultTimeout}
	deps := Deps{Store: &memStore{}}
	s, err := New(ok, deps)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "ai" || s.endpoint != "https://api.openai.com/v1/chat/completions" || s.cfg.Timeout != DefaultTimeout ||
		s.http == nil || s.http.Timeout != DefaultTimeout {
		t.Errorf("name %q, endpoint %q, timeout %v", s.Name(), s.endpoint, s.cfg.Timeout)
	}
	var _ tickets.Enricher = s
	if s, err := New(with(ok, func(c *Config) { c.BaseURL = " http://localhost:11434/v1/ " }), deps); err != nil ||
		s.endpoint != "http://localhost:11434/v1/chat/completions" {
		t.Errorf("trailing slash: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no base URL", func(c *Config) { c.BaseURL = " " }, "AI_BASE_URL"},
		{"relative base URL", func(c *Config) { c.BaseURL = "/v1" }, "AI_BASE_URL"},
		{"no host", func(c *Config) { c.BaseURL = "https:///v1" }, "AI_BASE_URL"},
		{"other scheme", func(c *Config) { c.BaseURL = "ftp://secret@host/v1" }, "AI_BASE_URL"},
		{"no scheme", func(c *Config) { c.BaseURL = "api.openai.com/v1" }, "AI_BASE_URL"},
		{"query", func(c *Config) { c.BaseURL = "https://host/v1?key=secret" }, "AI_BASE_URL"},
		{"not a URL", func(c *Config) { c.BaseURL = "http://host:port:secret/\x7f" }, "AI_BASE_URL"},
		{"no key", func(c *Config) { c.APIKey = "" }, "AI_API_KEY"},
		{"no model", func(c *Config) { c.Model = "" }, "AI_MODEL"},
		{"nothing", func(c *Config) { *c = Config{} }, "AI_BASE_URL"},
		{"no timeout", func(c *Config) { c.Timeout = 0 }, "AI_TIMEOUT"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "AI_TIMEOUT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(with(ok, c.edit), deps)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want one naming %s", err, c.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the URL is in %q", err)
			}
		})
	}
	if _, err := New(ok, Deps{}); err == nil || !strings.Contains(err.Error(), "Store") {
		t.Errorf("no store: err %v, want one naming Store", err)
	}
}

func with(c Config, edit func(*Config)) Config {
	edit(&c)
	return c
}
