package chatra

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Config is the Chatra connector's settings as an operator sets them in the environment.
// The connector is on when CHATRA_WEBHOOK_TOKEN is set.
type Config struct {
	// WebhookToken is CHATRA_WEBHOOK_TOKEN: the secret last segment of the webhook URL
	// entered in Chatra (PathPrefix+token), at least 16 characters without '/', '?', '#',
	// '%', white space or control characters. Setting it turns the connector on.
	WebhookToken string `envconfig:"CHATRA_WEBHOOK_TOKEN"`
	// PublicKey is CHATRA_PUBLIC_KEY, the public API key (Chatra: Settings → Integrations
	// → API). Required when the connector is on.
	PublicKey string `envconfig:"CHATRA_PUBLIC_KEY"`
	// SecretKey is CHATRA_SECRET_KEY, the secret API key from the same page. Required
	// when the connector is on.
	SecretKey string `envconfig:"CHATRA_SECRET_KEY"`
	// APIURL is CHATRA_API_URL: Chatra's REST API base (DefaultAPIURL).
	APIURL string `envconfig:"CHATRA_API_URL" default:"https://app.chatra.io/api/"`
	// AgentName is CHATRA_AGENT_NAME: the name replies go out under when agents' names
	// are hidden from customers ("Support").
	AgentName string `envconfig:"CHATRA_AGENT_NAME" default:"Support"`
	// AgentEmail is CHATRA_AGENT_EMAIL: the email of that team identity. Required when the
	// connector is on.
	AgentEmail string `envconfig:"CHATRA_AGENT_EMAIL"`
	// Groups is CHATRA_GROUPS: Chatra group ids mapped to ticketing channel labels,
	// "groupId=Label,groupId2=Label2" (see ParseGroups).
	Groups string `envconfig:"CHATRA_GROUPS"`
	// DefaultLabel is CHATRA_DEFAULT_LABEL: the label of chats in no mapped group; empty
	// lets the ticket service pick its default team.
	DefaultLabel string `envconfig:"CHATRA_DEFAULT_LABEL"`
	// RetryFor is CHATRA_RETRY_FOR: how long after an event happened a failed delivery is
	// still retried (1h).
	RetryFor time.Duration `envconfig:"CHATRA_RETRY_FOR" default:"1h"`
}

// Enabled reports whether CHATRA_WEBHOOK_TOKEN is set, which turns the connector on.
func (c Config) Enabled() bool { return c.WebhookToken != "" }

// Validate reports every problem with c, each starting with its variable's name. When
// the connector is off, only an API key set without CHATRA_WEBHOOK_TOKEN is a problem:
// the operator most likely meant to turn it on. No token or key is ever quoted.
func (c Config) Validate() error {
	if !c.Enabled() {
		return setting.Stray("CHATRA_WEBHOOK_TOKEN", "the Chatra connector",
			setting.Var{Key: "CHATRA_PUBLIC_KEY", Value: c.PublicKey}, setting.Var{Key: "CHATRA_SECRET_KEY", Value: c.SecretKey})
	}
	errs := []error{
		setting.Named("CHATRA_WEBHOOK_TOKEN", checkWebhookToken(c.WebhookToken)),
		setting.Named("CHATRA_PUBLIC_KEY", checkKey(c.PublicKey)),
		setting.Named("CHATRA_SECRET_KEY", checkKey(c.SecretKey)),
		setting.Named("CHATRA_API_URL", checkAPIURL(c.APIURL)),
		setting.Named("CHATRA_AGENT_NAME", checkAgentName(c.AgentName)),
		setting.Named("CHATRA_AGENT_EMAIL", checkAgentEmail(c.AgentEmail)),
		setting.Named("CHATRA_RETRY_FOR", setting.PositiveDuration(c.RetryFor)),
	}
	if _, err := ParseGroups(c.Groups); err != nil {
		errs = append(errs, err) // it names CHATRA_GROUPS itself
	}
	return errors.Join(errs...)
}

// The checks of the settings Config, ClientConfig and HandlerConfig share, each written
// once here. Their errors say what is wanted, without the variable's name (setting.Named adds
// it) and without the value.

// minTokenBytes is the shortest webhook token taken: it is the only guard (Chatra does
// not sign its webhooks), so it must be hard to guess.
const minTokenBytes = 16

func checkWebhookToken(s string) error {
	if len(s) < minTokenBytes || !pathSafe(s) {
		return fmt.Errorf("must be at least %d characters, without / ? # %%, white space or control characters (it goes in the webhook URL)", minTokenBytes)
	}
	return nil
}

func checkKey(s string) error {
	switch {
	case s == "":
		return errors.New("required with CHATRA_WEBHOOK_TOKEN (Chatra: Settings → Integrations → API)")
	case strings.ContainsAny(s, " \t\r\n:"):
		return errors.New("must not hold white space or ':' (copy it from Chatra: Settings → Integrations → API)")
	}
	return nil
}

func checkAPIURL(s string) error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return errors.New("must be an absolute http(s) URL without a query, like https://app.chatra.io/api/")
	}
	return nil
}

func checkAgentName(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be blank: the name replies go out under when agents' names are hidden (leave it unset for Support)")
	}
	return nil
}

func checkAgentEmail(s string) error {
	switch {
	case s == "":
		return errors.New("required with CHATRA_WEBHOOK_TOKEN: the email of the team identity replies go out under when agent names are hidden")
	case !strings.Contains(s, "@") || strings.ContainsAny(s, " \t\r\n"):
		return errors.New("is not an email address: set the email of the team identity replies go out under when agent names are hidden")
	}
	return nil
}

// Deps is what the connector needs from the rest of Frontdesk.
type Deps struct {
	// Sent is the memory every Frontdesk process shares (the store): the Client notes in
	// it the ids of the messages it sends, and the Handler looks Chatra's echoes of them
	// up there. Required: the Client and the Handler get this same one.
	Sent Seen
	// Notes is where the Client keeps the ids Chatra gave each message's parts, so that
	// agents' edits and deletions reach the visitor (the store). Optional: without it
	// agents are told the visitor still has a message they changed.
	Notes Notes
	// Log is where the connector logs; nil logs nothing.
	Log *zap.Logger
}

// Connect makes the Chatra connector from cfg: its Client is the Source of Chatra
// tickets, and its inbound side is the Handler at PathPrefix+"{token}". It returns nil,
// nil when the connector is off, and Validate's error when cfg is not valid.
func Connect(cfg Config, d Deps) (*connectors.Connector, error) {
	if on, err := setting.On(cfg); !on || err != nil {
		return nil, err
	}
	if d.Sent == nil {
		// Without it, Chatra's echoes of the replies that lack receivedFrom would come
		// back to Slack as if a Chatra agent had written them.
		return nil, errors.New("chatra: Connect needs Deps.Sent, the shared memory of the ids of the messages sent")
	}
	groups, err := ParseGroups(cfg.Groups)
	if err != nil {
		return nil, err // Validate has already said so
	}
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	client, err := NewClient(ClientConfig{
		APIURL: cfg.APIURL, PublicKey: cfg.PublicKey, SecretKey: cfg.SecretKey,
		TeamName: cfg.AgentName, TeamEmail: cfg.AgentEmail, RetryFor: cfg.RetryFor, Sent: d.Sent, Notes: d.Notes,
	}, log)
	if err != nil {
		return nil, err
	}
	hcfg := HandlerConfig{Token: cfg.WebhookToken, Groups: groups, DefaultLabel: cfg.DefaultLabel, Sent: d.Sent}
	return &connectors.Connector{
		Name:   Source,
		Source: client,
		Inbound: func(svc *tickets.Service) (connectors.Inbound, error) {
			// A nil *tickets.Service would pass NewHandler's check as a non-nil Tickets.
			if svc == nil {
				return connectors.Inbound{}, errors.New("chatra: the inbound side needs the ticket service")
			}
			h, err := NewHandler(hcfg, svc, log)
			if err != nil {
				return connectors.Inbound{}, err
			}
			// Mounted without a method: the Handler answers other methods itself.
			return connectors.Inbound{Routes: map[string]http.Handler{PathPrefix + "{token}": h}}, nil
		},
	}, nil
}
