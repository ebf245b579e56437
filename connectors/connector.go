package connectors

import (
	"context"
	"net/http"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Connector is what one connector adds to Frontdesk. Each connector package makes it
// with Connect(Config, Deps): Config is the connector's settings, read from the
// environment variables its struct tags name and checked by Config.Validate; Deps are the
// parts of Frontdesk the connector uses, as small interfaces of its own.
//
// A connector is made in two steps because the ticket service is built from the
// connectors' outbound side (a Source, a Sink, an Enricher) while their inbound side (a
// webhook, a live feed) calls the service: Connect makes the first, Inbound the second,
// given the service once it exists.
type Connector struct {
	// Name names the connector: its routes' metrics and its inbound queue's consumer
	// group ("inbound:"+Name) carry it.
	Name string
	// Source relays agents' messages to the connector's customers; nil when customers do
	// not chat through it.
	Source tickets.Source
	// Sink receives ticket data; nil when the connector takes none.
	Sink tickets.Sink
	// Enricher adds to a ticket's details; nil when the connector adds none.
	Enricher tickets.Enricher
	// Runners run beside the rest of Frontdesk until their context ends (Vitally's set-up
	// check).
	Runners []func(context.Context) error
	// Inbound makes the connector's inbound side from the ticket service; nil when the
	// connector takes nothing in.
	Inbound func(*tickets.Service) (Inbound, error)
	// Panel is the connector's section of the admin panel, where admins edit its settings
	// (its Sink is then a tickets.SettingsKeeper); nil when it has none.
	Panel panel.Section
}

// Inbound is how a connector takes in what customers and their systems say.
type Inbound struct {
	// Routes are its HTTP handlers by http.ServeMux pattern ("POST /webhook").
	Routes map[string]http.Handler
	// Runners run beside the rest of Frontdesk until their context ends (the widget's
	// live feed).
	Runners []func(context.Context) error
	// Queue, when set, works the connector's durable inbound queue: its webhook only
	// queues each event (tickets.Event{Source, ConversationID, Payload}), and Frontdesk
	// calls Queue for each, in order per conversation, retrying a failure with backoff
	// for about a day; a tickets.Permanent error ends the retries at once.
	Queue func(context.Context, tickets.Event) error
}
