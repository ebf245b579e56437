package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Name is the sink's name: its outbox consumer group is "sink:ai".
const Name = "ai"

// DefaultTimeout is one call's limit unless AI_TIMEOUT says otherwise (Config.Timeout's
// default).
const DefaultTimeout = 30 * time.Second

// Store is what the sink reads and records in Frontdesk's store (store.Redis).
type Store interface {
	Messages(ctx context.Context, id tickets.ID) ([]tickets.Message, error)
	// SetSync records the ticket's AI status (tickets.Store.SetSync): set when the
	// endpoint refuses a parameter, cleared when it answers again.
	SetSync(ctx context.Context, id tickets.ID, sink string, s tickets.SyncStatus) error
}

// Sink suggests ticket details with a language model (tickets.Enricher). It is safe for
// concurrent use.
type Sink struct {
	cfg      Config
	store    Store
	http     *http.Client
	endpoint string // BaseURL + "/chat/completions"; never in errors or logs
	log      *zap.Logger
	now      func() time.Time
}

// New returns a Sink for cfg, which must be on (Config.Enabled) and valid: its error is
// Validate's, naming the variables, never the URL or the key. d.Store is required.
func New(cfg Config, d Deps) (*Sink, error) {
	cfg = cfg.trimmed()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Enabled() {
		return nil, errors.New("AI_BASE_URL: AI_BASE_URL, AI_API_KEY and AI_MODEL are required to turn AI enrichment on")
	}
	if d.Store == nil {
		return nil, errors.New("ai: New needs Deps.Store")
	}
	if cfg.Temperature != nil {
		t := *cfg.Temperature
		cfg.Temperature = &t
	}
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	return &Sink{
		cfg:   cfg,
		store: d.Store,
		// It does not follow redirects: the transcript goes to the configured endpoint
		// only.
		http: &http.Client{
			Timeout:       cfg.Timeout,
			Transport:     httpsrc.Pooled(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		endpoint: strings.TrimRight(cfg.BaseURL, "/") + "/chat/completions",
		log:      log.Named("ai"),
		now:      time.Now,
	}, nil
}

// Name is "ai".
func (s *Sink) Name() string { return Name }

// Wants reports whether the sink acts on events of type t: opened and closed
// (tickets.EventFilter).
func (s *Sink) Wants(t tickets.EventType) bool {
	return t == tickets.EventOpened || t == tickets.EventClosed
}

// Enrich asks the model for suggestions when t is opened and when it is closed, and
// records a valid answer with suggest; every other event is ignored. An answer that
// is not usable is logged and dropped (nil: asking again would not help). Errors follow
// the outbox's rules: a 429 asks for its Retry-After, timeouts, network errors, 408 and
// 5xx are retried, and other refusals (a wrong key, model or URL) are permanent. A
// refusal of a parameter the model does not support (a temperature, with OpenAI's
// reasoning models) is also recorded as the ticket's AI status, saying what to change,
// for agents to see; the next answer clears it. See tickets.Enricher.
func (s *Sink) Enrich(ctx context.Context, t *tickets.Ticket, ev tickets.Event, _ string, suggest func(context.Context, tickets.DetailsChange) error) error {
	if ev.Type != tickets.EventOpened && ev.Type != tickets.EventClosed {
		return nil
	}
	msgs, err := s.store.Messages(ctx, t.ID)
	if errors.Is(err, tickets.ErrNotFound) {
		s.log.Warn("ticket not found: no suggestions", ticketField(t), eventField(ev))
		return nil
	}
	if err != nil {
		return fmt.Errorf("ai: read transcript: %w", err)
	}
	p, ok := buildPrompt(t, ev, msgs)
	if !ok {
		s.log.Debug("nothing to ask about: no transcript and no summary", ticketField(t), eventField(ev))
		return nil
	}
	content, err := s.complete(ctx, p)
	var bad *badAnswer
	if err == nil || errors.As(err, &bad) {
		s.answered(ctx, t, ev)
	}
	if err != nil {
		var refused *refusedParam
		switch {
		case bad != nil:
			s.warnDropped(t, ev, bad.reason)
			return nil
		case errors.As(err, &refused):
			return s.refused(ctx, t, ev, refused, err)
		case tickets.IsPermanent(err):
			s.log.Error("the AI endpoint refused the request: check the AI settings (base URL, API key, model)",
				ticketField(t), eventField(ev), zap.Error(err))
		}
		return err
	}
	change, err := parseAnswer(content)
	if err != nil {
		s.warnDropped(t, ev, err.Error())
		return nil
	}
	if err := suggest(ctx, change); err != nil {
		if errors.Is(err, tickets.ErrInvalid) {
			// The error's words may quote the suggestion: log the field only.
			field := "unknown"
			if fe, ok := tickets.AsFieldError(err); ok {
				field = fe.Field
			}
			s.log.Warn("suggestions refused by Frontdesk; dropped", ticketField(t), eventField(ev),
				zap.String("field", field))
			return nil
		}
		return fmt.Errorf("ai: record suggestions: %w", err)
	}
	return nil
}

// warnDropped logs an answer that was dropped and why; never its content.
func (s *Sink) warnDropped(t *tickets.Ticket, ev tickets.Event, reason string) {
	s.log.Warn("AI answer dropped", ticketField(t), eventField(ev), zap.String("model", s.cfg.Model),
		zap.String("reason", reason))
}

func ticketField(t *tickets.Ticket) zap.Field { return zap.String("ticket", string(t.ID)) }

func eventField(ev tickets.Event) zap.Field { return zap.String("event", string(ev.Type)) }
