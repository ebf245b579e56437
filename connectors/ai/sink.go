package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Name is the sink's name: its outbox consumer group is "sink:ai".
const Name = "ai"

// DefaultTimeout is one call's limit when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Store is what the sink reads and records in Frontdesk's store (store.Redis).
type Store interface {
	Messages(ctx context.Context, id tickets.ID) ([]tickets.Message, error)
	// SetSync records the ticket's AI status (tickets.Store.SetSync): set when the
	// endpoint refuses a parameter, cleared when it answers again.
	SetSync(ctx context.Context, id tickets.ID, sink string, s tickets.SyncStatus) error
}

// Config is what a Sink needs. BaseURL, APIKey, Model and Store are required.
type Config struct {
	// BaseURL is the OpenAI-compatible API's root, e.g. https://api.openai.com/v1 or
	// http://localhost:11434/v1; requests go to BaseURL + "/chat/completions".
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>".
	APIKey string
	Model  string
	// Temperature, when set, is sent as the request's temperature (0 to 2). Nil sends
	// none, and the model uses its default: OpenAI's reasoning models (the o-series, the
	// GPT-5 family) refuse any value but their default (1).
	Temperature *float64
	// Store reads transcripts and records the AI status.
	Store Store
	// HTTP is the client for the endpoint; by default one with Timeout that does not
	// follow redirects (the transcript goes to the configured endpoint only) and keeps its
	// connections (httpsrc.Pooled).
	HTTP *http.Client
	// Timeout is one call's limit (DefaultTimeout when zero), whatever HTTP is.
	Timeout time.Duration
	Log     *zap.Logger
}

// Sink suggests ticket details with a language model (tickets.Enricher). It is safe for
// concurrent use.
type Sink struct {
	cfg      Config
	endpoint string // BaseURL + "/chat/completions"; never in errors or logs
	log      *zap.Logger
	now      func() time.Time
}

// New returns a Sink for cfg. Errors name what is missing or wrong, never the URL or the
// key.
func New(cfg Config) (*Sink, error) {
	cfg.BaseURL = strings.TrimSpace(cfg.BaseURL)
	cfg.APIKey = strings.TrimSpace(cfg.APIKey)
	cfg.Model = strings.TrimSpace(cfg.Model)
	switch {
	case cfg.BaseURL == "":
		return nil, errors.New("ai: New needs BaseURL")
	case cfg.APIKey == "":
		return nil, errors.New("ai: New needs APIKey")
	case cfg.Model == "":
		return nil, errors.New("ai: New needs Model")
	case cfg.Store == nil:
		return nil, errors.New("ai: New needs Store")
	case cfg.Timeout < 0:
		return nil, errors.New("ai: Timeout must not be negative")
	case cfg.Temperature != nil && !(*cfg.Temperature >= 0 && *cfg.Temperature <= 2):
		return nil, errors.New("ai: Temperature must be from 0 to 2")
	}
	if cfg.Temperature != nil {
		t := *cfg.Temperature
		cfg.Temperature = &t
	}
	if err := checkBaseURL(cfg.BaseURL); err != nil {
		return nil, err
	}
	if strings.ContainsAny(cfg.APIKey, "\r\n") {
		return nil, errors.New("ai: APIKey must be one line")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{
			Timeout:       cfg.Timeout,
			Transport:     httpsrc.Pooled(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	return &Sink{
		cfg:      cfg,
		endpoint: strings.TrimRight(cfg.BaseURL, "/") + "/chat/completions",
		log:      cfg.Log.Named("ai"),
		now:      time.Now,
	}, nil
}

// checkBaseURL accepts an absolute http or https URL with a host and neither query nor
// fragment (the path is appended to it).
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("ai: BaseURL is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("ai: BaseURL must be an http or https URL")
	}
	if u.Host == "" {
		return errors.New("ai: BaseURL has no host")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return errors.New("ai: BaseURL must have no query or fragment")
	}
	return nil
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
	msgs, err := s.cfg.Store.Messages(ctx, t.ID)
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
