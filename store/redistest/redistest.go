// Package redistest connects tests to a real Redis, each under its own key prefix.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redisurl"
)

// Open connects to the Redis at REDIS_URL (default redis://127.0.0.1:6379/0) and returns
// the client and a fresh key prefix ("fdtest:<random hex>:"). When the test ends, every
// key under the prefix is deleted and the client closed. Tests must keep to their
// prefix: packages run in parallel against the same Redis, so nobody may FLUSHDB.
// A Redis that does not answer fails the test; it is never skipped.
func Open(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	cfg, err := redisurl.Parse(url)
	if err != nil {
		t.Fatalf("redistest: REDIS_URL: %v", err)
	}
	c := cfg.NewClient(100) // an outbox Worker alone keeps 16 connections in blocking reads
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		t.Fatalf("redistest: Redis at %s does not answer (%v); start one with `make redis` or set REDIS_URL", cfg.Addr(), err)
	}
	prefix := "fdtest:" + randomHex() + ":"
	t.Cleanup(func() {
		defer c.Close()
		if err := Clean(context.Background(), c, prefix); err != nil {
			t.Errorf("redistest: delete keys under %s: %v", prefix, err)
		}
	})
	return c, prefix
}

// AnotherClient is a new client to the same Redis (or cluster) as c, with connections of
// its own: a test can cut it off, or hook it, without touching c. The caller closes it.
func AnotherClient(c redis.UniversalClient) redis.UniversalClient {
	if cc, ok := c.(*redis.ClusterClient); ok {
		return redis.NewClusterClient(cc.Options())
	}
	return redis.NewClient(c.(*redis.Client).Options())
}

// Clean deletes every key that starts with prefix, using SCAN (never KEYS), on every
// master of a Redis Cluster.
func Clean(ctx context.Context, c redis.UniversalClient, prefix string) error {
	if cc, ok := c.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return clean(ctx, node, prefix, true)
		})
	}
	return clean(ctx, c, prefix, false)
}

// clean deletes the keys under prefix on one server, 500 at a time; on a cluster's node
// one by one in a pipeline (UNLINK of several keys must stay within one slot).
func clean(ctx context.Context, c redis.Cmdable, prefix string, cluster bool) error {
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		defer func() { batch = batch[:0] }()
		if !cluster {
			return c.Unlink(ctx, batch...).Err()
		}
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range batch {
				p.Unlink(ctx, k)
			}
			return nil
		})
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return flush()
}

func randomHex() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
