package gladly

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Files serves links to files kept outside Slack (bot.Files): here, the customers' files
// Gladly keeps, which only the API user's credentials can read.
type Files interface {
	// Place has Files link to and serve the files of the store called name: opening a
	// link redirects to where locate says the file is now. A link opens for ttl.
	Place(name string, ttl time.Duration, locate func(ctx context.Context, ref string) (string, error)) error
	// LinkTo returns a link to file ref of the store called name (Place).
	LinkTo(ctx context.Context, name, ref string) (string, error)
}

// Deps are the parts of Frontdesk the Gladly connector uses.
//
// Queue, Transcript and Files are interfaces, and Connect tells a missing one by the
// interface being nil: the app must leave the field unset, not put a typed nil pointer
// in it. A nil *bot.Files in Files (PUBLIC_URL unset) is not nil to Connect, which would
// call it and panic; pass no Files instead.
type Deps struct {
	// Queue keeps the events the webhook takes until the Processor has worked through
	// them (the store's Enqueue). Required.
	Queue Queue
	// Transcript is where a hand-off reads the ticket's internal notes and inbox channel
	// for the note it adds to the conversation (the store's Messages and CardOf); nil: no
	// note.
	Transcript Transcript
	// Permalink returns Slack's link to a message (bot.Desk.Permalink), with which the
	// hand-off note links the Slack discussion; nil: the note has no link.
	Permalink func(ctx context.Context, channel, ts string) (string, error)
	// Files links customers' files Gladly keeps under Frontdesk's own signed links
	// (bot.Files); nil when there is none (PUBLIC_URL unset): the files are named in the
	// message, and agents open them in Gladly.
	Files Files
	// Log is where the connector logs; nil: nowhere.
	Log *zap.Logger
}

// Connect makes the Gladly connector from cfg: nil when cfg is not Enabled, and Validate's
// error when it is not valid. Its Source is the Client (a tickets.SLAHandBacker). Its
// inbound side is the webhook at Path, which only queues Gladly's events in d.Queue, and
// the Processor, which works through them as the queue's worker (Inbound.Queue): Gladly
// wants its answer within 15 s, and working an event means calls to Gladly and to the
// ticket service. With d.Files, customers' files Gladly keeps are linked under
// Frontdesk's own links, valid for FileLinkTTL, which Client.Attachment resolves.
func Connect(cfg Config, d Deps) (*connectors.Connector, error) {
	if on, err := setting.On(cfg); !on || err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	h, err := newHandler(cfg, d.Queue, log)
	if err != nil {
		return nil, err
	}
	o := options{Config: cfg, transcript: d.Transcript, permalink: d.Permalink}
	client := newClient(o, log)
	if files := d.Files; files != nil {
		if err := files.Place(Source, FileLinkTTL, client.Attachment); err != nil {
			return nil, fmt.Errorf("gladly: linking customers' files: %w", err)
		}
		o.fileLink = func(ctx context.Context, ref string) (string, error) {
			return files.LinkTo(ctx, Source, ref)
		}
	}
	return &connectors.Connector{
		Name:   Source,
		Source: client,
		Inbound: func(svc *tickets.Service) (connectors.Inbound, error) {
			// A nil *tickets.Service would make a Tickets that is not nil.
			if svc == nil {
				return connectors.Inbound{}, errors.New("gladly: Inbound needs the ticket service")
			}
			p, err := newProcessor(o, client, svc, log)
			if err != nil {
				return connectors.Inbound{}, err
			}
			return connectors.Inbound{
				// The pattern has no method: the Handler answers other methods itself
				// (405, in JSON).
				Routes: map[string]http.Handler{Path: h},
				Queue:  p.Process,
			}, nil
		},
	}, nil
}
