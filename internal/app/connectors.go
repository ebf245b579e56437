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
	st      *store.Redis
	desk    *bot.Desk
	files   *bot.Files // nil when PUBLIC_URL is unset
	metrics *metrics
	log     *zap.Logger
}

// connect makes every connector that is on, one line each; the order is the order their
// routes and runners start in.
func (c Connectors) connect(h host) ([]*connectors.Connector, error) {
	var made []*connectors.Connector
	var errs []error
	add := func(c *connectors.Connector, err error) {
		if c != nil {
			made = append(made, c)
		}
		errs = append(errs, err)
	}
	add(webhook.Connect(c.Webhook, webhook.Deps{Log: h.log}))
	add(chatra.Connect(c.Chatra, chatra.Deps{Sent: h.st, Log: h.log}))
	add(gladly.Connect(c.Gladly, gladly.Deps{Transcript: h.st, Queue: h.st, Permalink: h.desk.Permalink, Files: h.gladlyFiles(), Log: h.log}))
	add(widget.Connect(c.Widget, widget.Deps{Feed: widgetFeed{h.st.WidgetFeed(store.WidgetFeedConfig{})}, Log: h.log}))
	add(vitally.Connect(c.Vitally, vitally.Deps{Store: h.st, Mark: h.st.Mark, Permalink: h.desk.Permalink, Observe: h.metrics.vitallySynced, Log: h.log}))
	add(ai.Connect(c.AI, ai.Deps{Store: h.st, Log: h.log}))
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
