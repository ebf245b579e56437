package main

import (
	"context"
	"errors"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// widgetFeed is the store's visitor feeds as the widget's Feed (the two packages do not
// know each other).
type widgetFeed struct{ *store.WidgetFeed }

func (f widgetFeed) Read(ctx context.Context, visitor, after string, max int) ([]widget.Entry, error) {
	es, err := f.WidgetFeed.Read(ctx, visitor, after, max)
	out := make([]widget.Entry, len(es))
	for i, e := range es {
		out[i] = widget.Entry{Seq: e.Seq, Data: e.Data}
	}
	return out, err
}

var _ widget.Feed = widgetFeed{}

// laterTickets is the ticket service before it exists: the widget is one of the service's
// sources and also calls it, so it is built first and reaches the service through this.
type laterTickets struct{ svc **tickets.Service }

var errNoService = errors.New("the ticket service is not built yet")

func (l laterTickets) get() (*tickets.Service, error) {
	if *l.svc == nil {
		return nil, errNoService
	}
	return *l.svc, nil
}

func (l laterTickets) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	s, err := l.get()
	if err != nil {
		return tickets.InboundResult{}, err
	}
	return s.Inbound(ctx, in)
}
