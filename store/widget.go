package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// WidgetFeedConfig bounds the website visitors' feeds.
type WidgetFeedConfig struct {
	// MaxItems is how many items a visitor's feed keeps, newest (1000).
	MaxItems int
	// TTL is how long a feed nobody appends to is kept (30 days); each append starts it
	// again.
	TTL time.Duration
	// KeepKeys is how many of the latest append keys are remembered to stop a repeat
	// (2 × MaxItems).
	KeepKeys int
}

// WidgetFeed keeps each website visitor's ordered log of chat items (connectors/widget's
// Feed): a Redis Stream per visitor, capped and expiring, with its append keys for
// idempotency, and one Pub/Sub channel on which every append names its visitor.
type WidgetFeed struct {
	c    redis.UniversalClient
	keys keys
	cfg  WidgetFeedConfig
}

// WidgetFeed returns the visitors' feeds in r's Redis, under r's prefix.
func (r *Redis) WidgetFeed(cfg WidgetFeedConfig) *WidgetFeed {
	if cfg.MaxItems <= 0 {
		cfg.MaxItems = 1000
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 30 * 24 * time.Hour
	}
	if cfg.KeepKeys <= 0 {
		cfg.KeepKeys = 2 * cfg.MaxItems
	}
	return &WidgetFeed{c: r.c, keys: r.keys, cfg: cfg}
}

// FeedEntry is one item of a feed.
type FeedEntry struct {
	Seq  string // the stream id
	Data []byte
}

// appendScript appends an item to a visitor's feed once per key.
//
// KEYS[1] -> P widget:{<visitor>}:feed   (STREAM)
// KEYS[2] -> P widget:{<visitor>}:keys   (HASH key → stream id)
// KEYS[3] -> P widget:{<visitor>}:order  (LIST of keys)
// ARGV[1] -> the append key
// ARGV[2] -> the item
// ARGV[3] -> max items
// ARGV[4] -> TTL, ms
// ARGV[5] -> how many keys to remember
//
// Returns {1, id} appended | {0, id} the key was appended before, as id.
var appendScript = redis.NewScript(`
local id = redis.call('HGET', KEYS[2], ARGV[1])
if id then
	return {0, id}
end
id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], '*', 'd', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
if redis.call('RPUSH', KEYS[3], ARGV[1]) > tonumber(ARGV[5]) then
	redis.call('HDEL', KEYS[2], redis.call('LPOP', KEYS[3]))
end
for i = 1, 3 do
	redis.call('PEXPIRE', KEYS[i], ARGV[4])
end
return {1, id}
`)

// Append adds data as the newest item of visitor's feed, unless key was appended before
// (then it returns that item's seq with added=false), and publishes the visitor's name
// either way (a repeat may follow a crash between the append and the publish).
func (f *WidgetFeed) Append(ctx context.Context, visitor, key string, data []byte) (seq string, added bool, err error) {
	if err := checkVisitor(visitor); err != nil {
		return "", false, err
	}
	if key == "" {
		return "", false, errors.New("store: widget feed: an append needs a key")
	}
	res, err := appendScript.Run(ctx, f.c,
		[]string{f.keys.widgetFeed(visitor), f.keys.widgetKeys(visitor), f.keys.widgetOrder(visitor)},
		key, data, f.cfg.MaxItems, f.cfg.TTL.Milliseconds(), f.cfg.KeepKeys).Slice()
	if err != nil {
		return "", false, fmt.Errorf("store: widget feed append: %w", err)
	}
	if len(res) != 2 {
		return "", false, fmt.Errorf("store: widget feed append: unexpected answer %v", res)
	}
	code, _ := res[0].(int64)
	seq, _ = res[1].(string)
	if err := f.c.Publish(ctx, f.keys.widgetChannel(), visitor).Err(); err != nil {
		return seq, code == 1, fmt.Errorf("store: widget feed publish: %w", err)
	}
	return seq, code == 1, nil
}

// Read returns at most max items of visitor's feed after seq after ("" from the oldest
// kept), oldest first.
func (f *WidgetFeed) Read(ctx context.Context, visitor, after string, max int) ([]FeedEntry, error) {
	if err := checkVisitor(visitor); err != nil {
		return nil, err
	}
	start := "-"
	if after != "" {
		if strings.Trim(after, "0123456789-") != "" || len(after) > 48 {
			return nil, fmt.Errorf("store: widget feed: bad position")
		}
		start = "(" + after
	}
	msgs, err := f.c.XRangeN(ctx, f.keys.widgetFeed(visitor), start, "+", int64(max)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: widget feed read: %w", err)
	}
	out := make([]FeedEntry, 0, len(msgs))
	for _, m := range msgs {
		d, _ := m.Values["d"].(string)
		out = append(out, FeedEntry{Seq: m.ID, Data: []byte(d)})
	}
	return out, nil
}

// listenPing is how long Listen waits for a message before it pings Redis.
const listenPing = 30 * time.Second

// Listen subscribes once to the feeds' channel and calls onNew with the visitor of every
// append in any process, and ready each time the subscription is made (again, after a
// lost connection: appends meanwhile were missed). It returns nil when ctx is done.
func (f *WidgetFeed) Listen(ctx context.Context, ready func(), onNew func(visitor string)) error {
	ps := f.c.Subscribe(ctx, f.keys.widgetChannel())
	// Receive does not return on ctx's end by itself; closing the subscription ends it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	defer ps.Close()
	for {
		msg, err := ps.ReceiveTimeout(ctx, listenPing)
		if ctx.Err() != nil {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// Quiet for a while: a ping finds a connection that died without a word (the
			// next Receive then reconnects and subscribes again).
			_ = ps.Ping(ctx)
			continue
		}
		if err != nil {
			// go-redis reconnects and subscribes again by itself on the next Receive; a
			// *redis.Subscription then says so.
			var re redis.Error
			if errors.As(err, &re) {
				return fmt.Errorf("store: widget feed listen: %w", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				ready()
			}
		case *redis.Message:
			onNew(m.Payload)
		}
	}
}

// checkVisitor keeps a visitor id from breaking a key's hash tag or prefix.
func checkVisitor(v string) error {
	if v == "" || len(v) > 128 || strings.ContainsAny(v, "{}: \t\r\n") {
		return errors.New("store: widget feed: bad visitor id")
	}
	return nil
}
