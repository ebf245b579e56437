package app

import (
	"context"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store"
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
