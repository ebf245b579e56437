//go:build demo

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redisserver"
)

// The ways `frontdesk demo` finds a Redis (its --redis flag).
const (
	redisAuto     = "auto"     // the first of the three below that works
	redisExisting = "existing" // REDIS_URL (default 127.0.0.1:6379), if it answers
	redisServer   = "server"   // a redis-server of our own, from PATH
	redisEmbedded = "embedded" // an in-process Redis-compatible server (miniredis)
)

// demoRedis is the Redis the demo runs on: its URL, the key prefix the demo keeps to,
// what it is (for people) and how to let go of it.
type demoRedis struct {
	url, prefix string
	kind        string // redisExisting, redisServer or redisEmbedded
	about       string // one line for people: what it is and what happens to the data
	stop        func() // stops what the demo started; nil for an existing Redis
}

// close deletes the demo's keys from an existing Redis, or stops the server the demo
// started.
func (r *demoRedis) close(ctx context.Context) error {
	if r.stop != nil {
		r.stop()
		return nil
	}
	c, err := redisConfig(r.url)
	if err != nil {
		return err
	}
	rdb := c.NewClient(0)
	defer rdb.Close()
	return deleteKeys(ctx, rdb, r.prefix)
}

// deleteKeys deletes every key under prefix with SCAN and UNLINK (never KEYS, never
// FLUSHDB: the Redis may hold other data), on every master of a cluster.
func deleteKeys(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	one := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Unlink(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return one(ctx, n) })
	}
	return one(ctx, rdb)
}

// startDemoRedis finds the demo a Redis as mode says (see the constants): an existing
// one at rawURL that answers (the demo then keeps to a key prefix of its own and deletes
// its keys at the end), else a redis-server started on a spare loopback port with its
// files in dir, else an embedded server. warn gets why an earlier choice did not work.
func startDemoRedis(ctx context.Context, mode, rawURL, dir string, warn func(string)) (*demoRedis, error) {
	if rawURL == "" {
		rawURL = "redis://127.0.0.1:6379/0"
	}
	var errs []error
	if mode == redisAuto || mode == redisExisting {
		r, err := existingRedis(ctx, rawURL)
		if err == nil || mode == redisExisting {
			return r, err
		}
		errs = append(errs, err)
	}
	if mode == redisAuto || mode == redisServer {
		r, err := startRedisServer(ctx, dir)
		if err == nil || mode == redisServer {
			return r, err
		}
		errs = append(errs, err)
	}
	if mode != redisAuto && mode != redisEmbedded {
		return nil, fmt.Errorf("--redis %q: want one of auto, existing, server, embedded", mode)
	}
	for _, err := range errs {
		warn(err.Error())
	}
	return startEmbeddedRedis()
}

// demoPrefix is a key prefix of the demo's own, so that two demos, or a demo and other
// work, share a Redis without meeting.
func demoPrefix() string { return "frontdesk-demo:" + rand.Text()[:8] + ":" }

// existingRedis uses the Redis at rawURL if it answers within a second.
func existingRedis(ctx context.Context, rawURL string) (*demoRedis, error) {
	c, err := redisConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := c.NewClient(0)
	defer rdb.Close()
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		return nil, fmt.Errorf("no Redis answers at %s (%v)", c.Addr(), err)
	}
	p := demoPrefix()
	return &demoRedis{url: rawURL, prefix: p, kind: redisExisting,
		about: fmt.Sprintf("your Redis at %s, under the key prefix %s (deleted when the demo stops)", c.Addr(), p)}, nil
}

// startRedisServer starts redis-server from PATH on a spare loopback port, saving
// nothing, with its working files in dir.
func startRedisServer(ctx context.Context, dir string) (*demoRedis, error) {
	srv, err := redisserver.Start(ctx, redisserver.Options{Dir: dir,
		Log: func(int) string { return filepath.Join(dir, "redis.log") }})
	if err != nil {
		return nil, err
	}
	return &demoRedis{url: srv.URL(), prefix: "fd:", kind: redisServer, stop: func() { _ = srv.Stop(5 * time.Second) },
		about: fmt.Sprintf("a redis-server of its own on %s that saves nothing (stopped when the demo stops)", srv.Addr())}, nil
}

// startEmbeddedRedis runs miniredis, a Redis-compatible server in this process. It keeps
// everything in memory only. miniredis expires keys only when told time has passed, so a
// ticker tells it, as real time passes, for the store's leases and deduplication keys.
func startEmbeddedRedis() (*demoRedis, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("embedded Redis: %w", err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	})
	var once sync.Once
	stop := func() { once.Do(func() { close(done); wg.Wait(); m.Close() }) }
	return &demoRedis{url: "redis://" + m.Addr() + "/0", prefix: "fd:", kind: redisEmbedded, stop: stop,
		about: "an embedded Redis-compatible server (miniredis) that KEEPS NOTHING: every ticket is gone when the demo stops"}, nil
}

// tempDir makes the demo's working directory.
func tempDir() (string, func(), error) {
	dir, err := os.MkdirTemp("", "frontdesk-demo-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}
