package vitally

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors"
)

// Config is a Vitally set up by the server's environment, as an operator sets it, each
// field from the environment variable its tag names. Without it, admins set Vitally up in
// the admin panel. With it, its URL and secret win over the panel's, and until an admin
// saves the panel, it pushes and updates every ticket opened since this Redis first saw
// the environment set Vitally up (Deps.Mark).
type Config struct {
	// APIURL is Vitally's REST API (VITALLY_API_URL): https://<subdomain>.rest.vitally.io
	// in the US, https://rest.vitally-eu.io in the EU.
	APIURL string `envconfig:"VITALLY_API_URL"`
	// Secret is the Authorization header's value or the API key (VITALLY_SECRET). Never
	// quoted.
	Secret string `envconfig:"VITALLY_SECRET"`
}

// Enabled reports whether the environment sets Vitally up: VITALLY_API_URL and
// VITALLY_SECRET are both set. The sink is there either way.
func (c Config) Enabled() bool { return c.APIURL != "" && c.Secret != "" }

// Validate reports every problem with c, each starting with its variable's name, and
// never quotes the secret. Unless the environment sets Vitally up, only one of the two
// variables set without the other is a problem.
func (c Config) Validate() error {
	if !c.Enabled() {
		if c.APIURL != "" || c.Secret != "" {
			return errors.New("VITALLY_API_URL: and VITALLY_SECRET go together: set both, or neither (then admins set Vitally up in the admin panel)")
		}
		return nil
	}
	// The admin panel's rules, one variable at a time so that each is named.
	var errs []error
	if (Settings{APIURL: c.APIURL}).Validate() != nil {
		errs = append(errs, errors.New("VITALLY_API_URL: must be like https://<subdomain>.rest.vitally.io (US) or https://rest.vitally-eu.io (EU)"))
	}
	if (Settings{Secret: c.Secret}).Validate() != nil {
		errs = append(errs, errors.New("VITALLY_SECRET: has control characters or is too long"))
	}
	return errors.Join(errs...)
}

// Deps is what the Vitally sink needs from the rest of Frontdesk.
type Deps struct {
	// Store reads settings, transcripts and cards and records each ticket's sync status
	// (store.Redis). Required.
	Store Store
	// Mark returns when name was first marked in Frontdesk's store, marking it now if it
	// never was (store.Redis.Mark): when the environment's set-up began, for every
	// process alike. Required when Config is Enabled.
	Mark func(ctx context.Context, name string, now time.Time) (time.Time, error)
	// Permalink returns Slack's link to a message (chat.getPermalink); links are left
	// empty when it is nil.
	Permalink func(ctx context.Context, channel, ts string) (string, error)
	// Log is the sink's logger; nil logs nothing.
	Log *zap.Logger
	// Observe, when set, is told what came of each sync of a ticket, for metrics: its
	// outcome (Synced, NotSynced or Skipped) and a reason from a small fixed set (the
	// Reason constants; "" for a plain sync), never customer data. A sync that fails and
	// will be retried is not told.
	Observe func(outcome, reason string)
}

// Connect makes the Vitally sink and its section of the admin panel (Panel). It is always
// there, since admins may set Vitally up in the admin panel with no variable set: Connect
// returns nil only with Validate's error (or a missing Deps.Store or Deps.Mark). Its
// runner, Prepare, makes the environment's custom object and traits at start.
func Connect(cfg Config, d Deps) (*connectors.Connector, error) {
	s, err := New(cfg, d)
	if err != nil {
		return nil, err
	}
	return &connectors.Connector{Name: s.Name(), Sink: s, Runners: []func(context.Context) error{s.Prepare},
		Panel: NewPanel(cfg)}, nil
}
