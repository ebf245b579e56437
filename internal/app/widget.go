package app

import (
	"context"
	"time"

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

// widgetFiles is the store's visitors' files as the widget's FileStore.
type widgetFiles struct{ *store.WidgetFiles }

func (f widgetFiles) Put(ctx context.Context, id string, wf widget.File, ttl time.Duration) error {
	return f.WidgetFiles.Put(ctx, id, store.WidgetFile{Visitor: wf.Visitor, Name: wf.Name, MIME: wf.MIME, Size: wf.Size, Data: wf.Data}, ttl)
}

func (f widgetFiles) Get(ctx context.Context, id string) (widget.File, bool, error) {
	wf, found, err := f.WidgetFiles.Get(ctx, id)
	return widget.File(wf), found, err
}

func (f widgetFiles) Meta(ctx context.Context, id string) (widget.File, bool, error) {
	wf, found, err := f.WidgetFiles.Meta(ctx, id)
	return widget.File(wf), found, err
}

var _ widget.FileStore = widgetFiles{}
