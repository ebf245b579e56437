package app

import (
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/ai"
	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/connectors/gladly"
	"github.com/frontdeskhq/frontdesk/connectors/vitally"
	"github.com/frontdeskhq/frontdesk/connectors/webhook"
	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store/redisurl"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Config is what Frontdesk is built from: cmd/frontdesk reads it from the environment and
// checks it (README.md lists the variables).
type Config struct {
	SlackBotToken, SlackAppToken string
	// SlackAPIURL is Slack's Web API, absolute and ending in "/" as slack-go wants.
	SlackAPIURL string

	Redis       *redisurl.Config
	RedisPrefix string
	// Retention is how long closed tickets are kept; 0 for ever.
	Retention time.Duration

	HTTPAddr string
	// ReadyMaxOutboxAge: /readyz fails while an outbox entry waits unacknowledged longer;
	// 0: never.
	ReadyMaxOutboxAge time.Duration

	Admins []tickets.AgentID
	// Initial are the settings used while Redis holds none.
	Initial tickets.Settings
	// PriorityWindow is how long a ticket may wait unpicked before its channel is told.
	PriorityWindow time.Duration
	// RatingWindow is how long after an agent ends a chat its customer may rate it by reply.
	RatingWindow time.Duration
	// PublicURL is where customers reach this server (for file links); "" when unset.
	PublicURL string

	Connectors Connectors
}

// Connectors are the connectors' settings, each read from the variables its package
// names. A connector whose variables are unset is off (Vitally's sink is always there:
// admins may set it up in the admin panel). Adding a connector adds its field here and its
// entry in registry (connectors.go).
type Connectors struct {
	Webhook webhook.Config
	Chatra  chatra.Config
	Gladly  gladly.Config
	Widget  widget.Config
	AI      ai.Config
	Vitally vitally.Config
}
