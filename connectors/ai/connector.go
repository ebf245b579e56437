package ai

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors"
)

// Config is AI enrichment's settings as an operator sets them, each from the environment
// variable its tag names. It is on when AI_BASE_URL, AI_API_KEY and AI_MODEL are all set;
// Validate checks the rest.
type Config struct {
	// BaseURL is the OpenAI-compatible API's root (AI_BASE_URL), e.g.
	// https://api.openai.com/v1 or http://localhost:11434/v1; requests go to BaseURL +
	// "/chat/completions". It may hold credentials: no error or log quotes it.
	BaseURL string `envconfig:"AI_BASE_URL"`
	// APIKey is sent as "Authorization: Bearer <key>" (AI_API_KEY). Never quoted.
	APIKey string `envconfig:"AI_API_KEY"`
	// Model is the model asked (AI_MODEL).
	Model string `envconfig:"AI_MODEL"`
	// Timeout is one call's limit (AI_TIMEOUT): positive.
	Timeout time.Duration `envconfig:"AI_TIMEOUT" default:"30s"`
	// Temperature, when set, is sent as the request's temperature, from 0 to 2
	// (AI_TEMPERATURE). Nil sends none, and the model uses its default: OpenAI's
	// reasoning models (the o-series, the GPT-5 family) refuse any value but theirs (1).
	Temperature *float64 `envconfig:"AI_TEMPERATURE"`
}

// trimmed is c without the spaces around its strings, which a pasted value may carry.
func (c Config) trimmed() Config {
	c.BaseURL = strings.TrimSpace(c.BaseURL)
	c.APIKey = strings.TrimSpace(c.APIKey)
	c.Model = strings.TrimSpace(c.Model)
	return c
}

// set counts which of AI_BASE_URL, AI_API_KEY and AI_MODEL are set: they go together.
func (c Config) set() int {
	c = c.trimmed()
	n := 0
	for _, v := range []string{c.BaseURL, c.APIKey, c.Model} {
		if v != "" {
			n++
		}
	}
	return n
}

// Enabled reports whether AI_BASE_URL, AI_API_KEY and AI_MODEL are all set: together
// they turn AI enrichment on.
func (c Config) Enabled() bool { return c.set() == 3 }

// Validate reports every problem with c, each starting with its variable's name, and
// never quotes the URL or the key. When AI enrichment is off, only some of AI_BASE_URL,
// AI_API_KEY and AI_MODEL set, or AI_TEMPERATURE set without them, is a problem.
func (c Config) Validate() error {
	switch n := c.set(); {
	case n == 0 && c.Temperature != nil:
		return errors.New("AI_TEMPERATURE: is set but AI enrichment is off: set AI_BASE_URL, AI_API_KEY and AI_MODEL too, or unset it")
	case n == 0:
		return nil
	case n < 3:
		return errors.New("AI_BASE_URL: AI_BASE_URL, AI_API_KEY and AI_MODEL go together: set all three to turn AI enrichment on, or none")
	}
	c = c.trimmed()
	var errs []error
	// The path is appended to the URL, so it takes neither a query nor a fragment.
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		errs = append(errs, errors.New("AI_BASE_URL: must be an absolute http(s) URL without a query or fragment, like https://api.openai.com/v1"))
	}
	// The key goes into a header line.
	if strings.ContainsAny(c.APIKey, "\r\n") {
		errs = append(errs, errors.New("AI_API_KEY: must be one line"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("AI_TIMEOUT: %v is not a positive duration like 30s", c.Timeout))
	}
	// The comparison is false for NaN too.
	if t := c.Temperature; t != nil && !(*t >= 0 && *t <= 2) {
		errs = append(errs, fmt.Errorf("AI_TEMPERATURE: %v is not a number from 0 to 2 like 0.2; leave it unset to send none (reasoning models such as o3 or GPT-5 take only their default)", *t))
	}
	return errors.Join(errs...)
}

// Deps is what AI enrichment needs from the rest of Frontdesk.
type Deps struct {
	// Store reads transcripts and records the AI status (store.Redis). Required.
	Store Store
	// Log is the sink's logger; nil logs nothing.
	Log *zap.Logger
}

// Connect makes AI enrichment from cfg: nil when it is off (Config.Enabled), and
// Validate's error when cfg is bad. Its Enricher is the Sink, working through the
// outbox's "sink:ai" group.
func Connect(cfg Config, d Deps) (*connectors.Connector, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	s, err := New(cfg, d) // New returns Validate's error
	if err != nil {
		return nil, err
	}
	return &connectors.Connector{Name: Name, Enricher: s}, nil
}
