package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Config is the chatbot connector's settings as an operator sets them in the environment.
// The connector is on when WEBHOOK_TOKEN is set.
type Config struct {
	// Token is WEBHOOK_TOKEN: the shared secret chatbots send as "Authorization: Bearer
	// <token>", at least 16 characters without white space. Setting it turns the
	// connector on.
	Token string `envconfig:"WEBHOOK_TOKEN"`
	// CallbackURL is WEBHOOK_CALLBACK_URL: the chatbot's absolute http(s) URL Frontdesk
	// POSTs its events to. Required when the connector is on.
	CallbackURL string `envconfig:"WEBHOOK_CALLBACK_URL"`
	// SigningSecret is WEBHOOK_SIGNING_SECRET: the key of the X-Frontdesk-Signature HMAC
	// on those events, at least 16 characters. Required when the connector is on.
	SigningSecret string `envconfig:"WEBHOOK_SIGNING_SECRET"`
	// RetryFor is WEBHOOK_RETRY_FOR: how long after an event happened a failed delivery
	// is still retried (1h).
	RetryFor time.Duration `envconfig:"WEBHOOK_RETRY_FOR" default:"1h"`
}

// minSecretLen is the least length of the token and the signing secret: they are all
// that stands between the internet and the ticket service, or the chatbot.
const minSecretLen = 16

// Enabled reports whether WEBHOOK_TOKEN is set, which turns the connector on.
func (c Config) Enabled() bool { return c.Token != "" }

// Validate reports every problem with c, each starting with its variable's name. When
// the connector is off, only WEBHOOK_CALLBACK_URL or WEBHOOK_SIGNING_SECRET set without
// WEBHOOK_TOKEN is a problem: the operator most likely meant to turn it on. No value is
// ever quoted.
func (c Config) Validate() error {
	if !c.Enabled() {
		return setting.Stray("WEBHOOK_TOKEN", "the chatbot connector",
			setting.Var{Key: "WEBHOOK_CALLBACK_URL", Value: c.CallbackURL}, setting.Var{Key: "WEBHOOK_SIGNING_SECRET", Value: c.SigningSecret})
	}
	return errors.Join(
		setting.Named("WEBHOOK_TOKEN", checkToken(c.Token)),
		setting.Named("WEBHOOK_CALLBACK_URL", checkCallbackURL(c.CallbackURL)),
		setting.Named("WEBHOOK_SIGNING_SECRET", checkSigningSecret(c.SigningSecret)),
		setting.Named("WEBHOOK_RETRY_FOR", setting.PositiveDuration(c.RetryFor)),
	)
}

// The checks of the settings Config, ClientConfig and HandlerConfig share, each written
// once here. Their errors say what is wanted, without the variable's name (setting.Named adds
// it) and without the value.

func checkToken(s string) error {
	if len(s) < minSecretLen || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return fmt.Errorf("must be at least %d characters, without spaces (the secret chatbots send as a bearer token)", minSecretLen)
	}
	return nil
}

func checkCallbackURL(s string) error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("required with WEBHOOK_TOKEN: the chatbot's absolute http(s) URL for Frontdesk's events")
	}
	return nil
}

func checkSigningSecret(s string) error {
	if len(s) < minSecretLen {
		return fmt.Errorf("required with WEBHOOK_TOKEN, at least %d characters (the key Frontdesk signs its events with)", minSecretLen)
	}
	return nil
}

// Deps is what the connector needs from the rest of Frontdesk.
type Deps struct {
	// Log is where the connector logs; nil logs nothing.
	Log *zap.Logger
}

// Connect makes the chatbot connector from cfg: its Client is the Source of webhook
// tickets, and its inbound side is the Handler at Path. It returns nil, nil when the
// connector is off, and Validate's error when cfg is not valid.
func Connect(cfg Config, d Deps) (*connectors.Connector, error) {
	if on, err := setting.On(cfg); !on || err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	client, err := NewClient(ClientConfig{
		CallbackURL: cfg.CallbackURL, SigningSecret: cfg.SigningSecret, RetryFor: cfg.RetryFor,
	}, log)
	if err != nil {
		return nil, err
	}
	hcfg := HandlerConfig{Token: cfg.Token}
	return &connectors.Connector{
		Name:   Source,
		Source: client,
		Inbound: func(svc *tickets.Service) (connectors.Inbound, error) {
			// A nil *tickets.Service would pass NewHandler's check as a non-nil Tickets.
			if svc == nil {
				return connectors.Inbound{}, errors.New("webhook: the inbound side needs the ticket service")
			}
			h, err := NewHandler(hcfg, svc, log)
			if err != nil {
				return connectors.Inbound{}, err
			}
			// Mounted without a method: the Handler answers other methods itself (405, in
			// JSON).
			return connectors.Inbound{Routes: map[string]http.Handler{Path: h}}, nil
		},
	}, nil
}
