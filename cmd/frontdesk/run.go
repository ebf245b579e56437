package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// run is the whole program: it reads the configuration through getenv, logs to stdout,
// builds the ticket service on Redis with its outbox workers and the HTTP server, and runs
// them until ctx is done or one of them fails. On ctx's end it stops taking work, lets
// work in flight finish, closes Redis and returns nil.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		// One problem per line, each naming its variable.
		return fmt.Errorf("bad configuration:\n\t%s", strings.ReplaceAll(err.Error(), "\n", "\n\t"))
	}
	log := newLogger(stdout, cfg.logLevel, cfg.logFormat)
	defer func() { _ = log.Sync() }() // nothing to do when stdout cannot sync

	// The outbox workers get a client of their own (opened below, once the number of
	// consumer groups is known) so that their blocking reads never hold up the service's
	// commands or the readiness check.
	outboxOpts := *cfg.redis
	rdb := redis.NewClient(cfg.redis)
	defer rdb.Close()
	storeCfg := store.Config{Prefix: cfg.redisPrefix}
	st, err := store.New(rdb, storeCfg)
	if err != nil {
		return err
	}
	svc, err := tickets.New(tickets.Config{Store: st, Initial: cfg.initial})
	if err != nil {
		return err
	}
	handlers := svc.Handlers()
	// Each Outbox keeps a blocking read and a lease renewal per partition, plus a trimmer.
	outboxOpts.PoolSize = len(handlers) * (2*store.Partitions + 1)
	obRDB := redis.NewClient(&outboxOpts)
	defer obRDB.Close()
	obStore, err := store.New(obRDB, storeCfg)
	if err != nil {
		return err
	}
	outboxes, err := newOutboxes(obStore, handlers, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.httpAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR: %w", err)
	}
	srv := newHTTPServer(log, readyCheck{name: "redis", fn: st.Ping})
	log.Info("listening", zap.String("addr", ln.Addr().String()),
		zap.String("redis_addr", cfg.redis.Addr), zap.String("redis_prefix", cfg.redisPrefix),
		zap.Int("outbox_groups", len(outboxes)))

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close() // cut off what the grace period did not see finish
			return fmt.Errorf("http shutdown: %w", err)
		}
		return nil
	})
	for group, ob := range outboxes {
		g.Go(func() error {
			if err := ob.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("outbox %s: %w", group, err)
			}
			return nil
		})
	}
	err = g.Wait()
	if err != nil {
		log.Error("stopped", zap.Error(err))
		return err
	}
	log.Info("stopped")
	return nil
}

// newOutboxes makes an outbox worker for every consumer group, named after this process
// so that the entries of a worker that died can be told apart and claimed by the others.
func newOutboxes(st *store.Redis, handlers map[string]tickets.Handler, log *zap.Logger) (map[string]*store.Outbox, error) {
	host, err := os.Hostname()
	if err != nil {
		host = "frontdesk"
	}
	consumer := fmt.Sprintf("%s-%d", host, os.Getpid())
	obs := make(map[string]*store.Outbox, len(handlers))
	for group, h := range handlers {
		ob, err := store.NewOutbox(st, group, h, store.OutboxConfig{Consumer: consumer}, log)
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", group, err)
		}
		obs[group] = ob
	}
	return obs, nil
}
