package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// WidgetFiles keeps the files website visitors attach (connectors/widget's FileStore),
// one expiring HASH each, so that every replica can serve a file and the desk can carry
// it into Slack; nothing is written to disk by Frontdesk.
type WidgetFiles struct {
	c    redis.UniversalClient
	keys keys
}

// WidgetFiles returns the visitors' files in r's Redis, under r's prefix.
func (r *Redis) WidgetFiles() *WidgetFiles { return &WidgetFiles{c: r.c, keys: r.keys} }

// WidgetFile is one visitor's file.
type WidgetFile struct {
	Visitor, Name, MIME string
	Size                int64
	Data                []byte // nil from Meta
}

// maxFileIDBytes bounds a file id.
const maxFileIDBytes = 64

func checkFileID(id string) error {
	if id == "" || len(id) > maxFileIDBytes {
		return errors.New("store: widget file: bad id")
	}
	return nil
}

// Put keeps f as file id for ttl, replacing any file of that id.
func (w *WidgetFiles) Put(ctx context.Context, id string, f WidgetFile, ttl time.Duration) error {
	if err := checkFileID(id); err != nil {
		return err
	}
	if ttl <= 0 {
		return errors.New("store: widget file: a file needs a TTL")
	}
	key := w.keys.widgetFile(id)
	_, err := w.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.HSet(ctx, key, "visitor", f.Visitor, "name", f.Name, "mime", f.MIME, "size", len(f.Data), "data", f.Data)
		p.PExpire(ctx, key, ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: widget file put: %w", err)
	}
	return nil
}

// Get returns file id; found is false when there is none (never kept, or expired).
func (w *WidgetFiles) Get(ctx context.Context, id string) (f WidgetFile, found bool, err error) {
	return w.read(ctx, id, true)
}

// Meta is Get without the file's content.
func (w *WidgetFiles) Meta(ctx context.Context, id string) (f WidgetFile, found bool, err error) {
	return w.read(ctx, id, false)
}

func (w *WidgetFiles) read(ctx context.Context, id string, data bool) (WidgetFile, bool, error) {
	if err := checkFileID(id); err != nil {
		return WidgetFile{}, false, err
	}
	fields := []string{"visitor", "name", "mime", "size"}
	if data {
		fields = append(fields, "data")
	}
	vs, err := w.c.HMGet(ctx, w.keys.widgetFile(id), fields...).Result()
	if err != nil {
		return WidgetFile{}, false, fmt.Errorf("store: widget file read: %w", err)
	}
	str := func(i int) string { s, _ := vs[i].(string); return s }
	if vs[0] == nil {
		return WidgetFile{}, false, nil
	}
	size, _ := strconv.ParseInt(str(3), 10, 64)
	f := WidgetFile{Visitor: str(0), Name: str(1), MIME: str(2), Size: size}
	if data {
		f.Data = []byte(str(4))
	}
	return f, true, nil
}
