package widget

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Deps is what the widget needs from the rest of Frontdesk.
type Deps struct {
	// Feed keeps every visitor's items for every replica (store.WidgetFeed). Required.
	Feed Feed
	// Files keeps the files visitors attach (store.WidgetFiles); with PublicURL, it lets
	// them attach files. Optional.
	Files FileStore
	// PublicURL is where visitors and the desk reach Frontdesk (PUBLIC_URL); the links
	// to visitors' files start with it.
	PublicURL string
	// Log is the widget's logger; nil logs nothing.
	Log *zap.Logger
}

// Connect makes the website widget from cfg: nil when WIDGET_SECRET is unset, and
// Validate's error when cfg is bad. Its Source writes what visitors should see into
// their feeds; its Inbound, given the ticket service, serves the script, the session
// endpoint and the websockets, and runs the live feed of this process's sockets.
func Connect(cfg Config, d Deps) (*connectors.Connector, error) {
	if on, err := setting.On(cfg); !on || err != nil {
		return nil, err
	}
	if d.Feed == nil {
		return nil, errors.New("widget: Connect needs Deps.Feed")
	}
	return &connectors.Connector{
		Name:   Source,
		Source: NewDelivery(d.Feed, d.Log),
		Inbound: func(svc *tickets.Service) (connectors.Inbound, error) {
			// A nil *tickets.Service would pass newWidget's check as a non-nil Tickets.
			if svc == nil {
				return connectors.Inbound{}, errors.New("widget: Inbound needs the ticket service")
			}
			w, err := newWidget(cfg, limits{}, svc, d.Feed, Uploads{Store: d.Files, PublicURL: d.PublicURL}, d.Log)
			if err != nil {
				return connectors.Inbound{}, err
			}
			return connectors.Inbound{Routes: w.Routes(), Runners: []func(context.Context) error{w.Run}}, nil
		},
	}, nil
}
