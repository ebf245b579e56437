package app

import (
	"errors"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/bot"
	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/connectors/ai"
	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/connectors/gladly"
	"github.com/frontdeskhq/frontdesk/connectors/vitally"
	"github.com/frontdeskhq/frontdesk/connectors/webhook"
	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store"
)

// host is what the app lends the connectors.
type host struct {
	st    *store.Redis
	desk  *bot.Desk
	files *bot.Files // nil when PUBLIC_URL is unset
	// publicURL is PUBLIC_URL; "" when unset.
	publicURL string
	metrics   *metrics
	log       *zap.Logger
}

// registered is one connector as the app knows it: its settings, and how to make it from
// them with what the app lends.
type registered struct {
	settings interface{ Validate() error }
	connect  func(host) (*connectors.Connector, error)
}

// registry lists every connector, one entry each, in the order their routes and runners
// start in. Adding a connector adds its entry here and its field to Connectors.
func (c Connectors) registry() []registered {
	return []registered{
		{c.Webhook, func(h host) (*connectors.Connector, error) {
			return webhook.Connect(c.Webhook, webhook.Deps{Log: h.log})
		}},
		{c.Chatra, func(h host) (*connectors.Connector, error) {
			return chatra.Connect(c.Chatra, chatra.Deps{Sent: h.st, Notes: h.st, Log: h.log})
		}},
		{c.Gladly, func(h host) (*connectors.Connector, error) {
			return gladly.Connect(c.Gladly, gladly.Deps{Transcript: h.st, Queue: h.st, Permalink: h.desk.Permalink, Files: h.gladlyFiles(), Log: h.log})
		}},
		{c.Widget, func(h host) (*connectors.Connector, error) {
			return widget.Connect(c.Widget, widget.Deps{Feed: widgetFeed{h.st.WidgetFeed(store.WidgetFeedConfig{})},
				Files: widgetFiles{h.st.WidgetFiles()}, PublicURL: h.publicURL, Log: h.log})
		}},
		{c.Vitally, func(h host) (*connectors.Connector, error) {
			return vitally.Connect(c.Vitally, vitally.Deps{Store: h.st, Mark: h.st.Mark, Permalink: h.desk.Permalink, Observe: h.metrics.vitallySynced, Log: h.log})
		}},
		{c.AI, func(h host) (*connectors.Connector, error) {
			return ai.Connect(c.AI, ai.Deps{Store: h.st, Log: h.log})
		}},
	}
}

// Validate reports every problem with the connectors' settings, each naming its variable.
func (c Connectors) Validate() error {
	var errs []error
	for _, r := range c.registry() {
		errs = append(errs, r.settings.Validate())
	}
	return errors.Join(errs...)
}

// connect makes every connector that is on.
func (c Connectors) connect(h host) ([]*connectors.Connector, error) {
	var made []*connectors.Connector
	var errs []error
	for _, r := range c.registry() {
		conn, err := r.connect(h)
		if conn != nil {
			made = append(made, conn)
		}
		errs = append(errs, err)
	}
	return made, errors.Join(errs...)
}

// gladlyFiles is the files' links for Gladly's attachments: a nil interface, not a nil
// *bot.Files, when there are none.
func (h host) gladlyFiles() gladly.Files {
	if h.files == nil {
		return nil
	}
	return h.files
}
