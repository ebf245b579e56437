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
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("redistest: REDIS_URL %q: %v", url, err)
	}
	if opt.PoolSize == 0 {
		opt.PoolSize = 100 // an Outbox alone keeps 16 connections in blocking reads
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		t.Fatalf("redistest: Redis at %s does not answer (%v); start one with `make redis` or set REDIS_URL", opt.Addr, err)
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

// Clean deletes every key that starts with prefix, using SCAN (never KEYS).
func Clean(ctx context.Context, c redis.UniversalClient, prefix string) error {
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := c.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return c.Unlink(ctx, batch...).Err()
	}
	return nil
}

func randomHex() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
