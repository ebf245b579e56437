package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

var _ tickets.Store = (*Redis)(nil)

// Config holds what a Redis store needs besides its client.
type Config struct {
	// Prefix starts every key; "fd:" when empty. It must not contain '{' or '}', which
	// would break the partitions' hash tags.
	Prefix string
	// DedupTTL is how long a message's source id is remembered to stop a repeat;
	// 7 days when zero.
	DedupTTL time.Duration
	// Retention is how long a closed ticket and its transcript are kept after it closes;
	// then Redis removes them. 0 keeps them for ever.
	Retention time.Duration
}

func (c *Config) setDefaults() {
	if c.Prefix == "" {
		c.Prefix = "fd:"
	}
	if c.DedupTTL == 0 {
		c.DedupTTL = 7 * 24 * time.Hour
	}
}

// Validate reports the first problem with c (after defaults are applied).
func (c Config) Validate() error {
	c.setDefaults()
	if strings.ContainsAny(c.Prefix, "{}") {
		return fmt.Errorf("store: prefix %q must not contain '{' or '}'", c.Prefix)
	}
	if c.DedupTTL < time.Millisecond {
		return fmt.Errorf("store: dedup TTL %s is shorter than 1ms", c.DedupTTL)
	}
	if c.Retention < 0 || c.Retention > 0 && c.Retention < time.Millisecond {
		return fmt.Errorf("store: retention %s must be 0 (for ever) or at least 1ms", c.Retention)
	}
	return nil
}

// Redis is the Redis implementation of tickets.Store. It is safe for concurrent use.
type Redis struct {
	c       redis.UniversalClient
	pipe    *pipeliner // the relay's scripts go through it
	keys    keys
	cfg     Config
	open    ticketHints             // conversations' open tickets as last seen (Inbound)
	inboxes ticketHints             // inbox channels' tickets (AddInboxMessage)
	routes  atomic.Pointer[routing] // where events go (SetRoutes)
}

// New returns a store on client. It returns an error when client is nil or cfg is invalid.
func New(client redis.UniversalClient, cfg Config) (*Redis, error) {
	if client == nil {
		return nil, errors.New("store: New needs a Redis client")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Redis{c: client, pipe: newPipeliner(client), keys: keys{prefix: cfg.Prefix}, cfg: cfg}, nil
}

// Ping reports whether Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Seen records id in scope (e.g. Slack event ids) for ttl, DedupTTL when ttl is not
// positive. first is true the first time an id is seen within ttl.
func (r *Redis) Seen(ctx context.Context, scope, id string, ttl time.Duration) (first bool, err error) {
	if ttl <= 0 {
		ttl = r.cfg.DedupTTL
	}
	first, err = r.c.SetNX(ctx, r.keys.seenGlobal(scope, id), "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("store: seen %s: %w", scope, err)
	}
	return first, nil
}

// Note keeps value for id in scope for ttl (DedupTTL when 0), replacing what was kept;
// an empty value forgets it. Every process reads it with Noted: a connector keeps here
// what it must find again later, such as the id a vendor gave a message it sent.
func (r *Redis) Note(ctx context.Context, scope, id, value string, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = r.cfg.DedupTTL
	}
	var err error
	if value == "" {
		err = r.c.Del(ctx, r.keys.note(scope, id)).Err()
	} else {
		err = r.c.Set(ctx, r.keys.note(scope, id), value, ttl).Err()
	}
	if err != nil {
		return fmt.Errorf("store: note %s: %w", scope, err)
	}
	return nil
}

// NoteFirst keeps value for id in scope for ttl (DedupTTL when 0) unless a value is kept
// there, in one step (SET NX GET), and returns the value kept after: value when it kept
// it, else the one kept before. Of processes racing to keep one, one wins and all get
// its value. (SET with both NX and GET needs Redis 7.)
func (r *Redis) NoteFirst(ctx context.Context, scope, id, value string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = r.cfg.DedupTTL
	}
	before, err := r.c.SetArgs(ctx, r.keys.note(scope, id), value, redis.SetArgs{Mode: "NX", Get: true, TTL: ttl}).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return value, nil // none was kept: value is
	case err != nil:
		return "", fmt.Errorf("store: note %s: %w", scope, err)
	}
	return before, nil
}

// Noted returns the value Note kept for id in scope; found is false when there is none
// (never kept, forgotten, or expired).
func (r *Redis) Noted(ctx context.Context, scope, id string) (value string, found bool, err error) {
	value, err = r.c.Get(ctx, r.keys.note(scope, id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: noted %s: %w", scope, err)
	}
	return value, true, nil
}

// Known reports whether Seen recorded id in scope and it has not expired. It records
// nothing: asking about an id leaves it unknown.
func (r *Redis) Known(ctx context.Context, scope, id string) (bool, error) {
	n, err := r.c.Exists(ctx, r.keys.seenGlobal(scope, id)).Result()
	if err != nil {
		return false, fmt.Errorf("store: known %s: %w", scope, err)
	}
	return n == 1, nil
}
