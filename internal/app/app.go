// Package app builds Frontdesk from its Config and runs it: the store, the Slack desk and
// bot, the connectors, the ticket service, the outbox workers, metrics and the HTTP
// server (docs/architecture.md, "Packages and their rules"). cmd/frontdesk reads the
// Config from the environment and calls Build, then Serve.
package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/frontdeskhq/frontdesk/bot"
	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/outbox"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// slackTimeout bounds one Slack Web API call.
const slackTimeout = 30 * time.Second

// App is Frontdesk built from its Config, ready to serve.
type App struct {
	cfg      *Config
	log      *zap.Logger
	st       *store.Redis
	svc      *tickets.Service
	bot      *bot.Bot
	outboxes map[string]*outbox.Worker
	srv      *http.Server
	ln       net.Listener
	closers  []func() error
	// runners are further parts that run until ctx is done (the connectors' runners).
	runners []func(context.Context) error
}

// Build makes every part of Frontdesk from cfg, plus the connectors in extra (tests add
// sources of their own this way); Close releases what it holds.
func Build(cfg *Config, log *zap.Logger, extra ...*connectors.Connector) (_ *App, err error) {
	a := &App{cfg: cfg, log: log}
	m := newMetrics()
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	// The outbox workers get a client of their own (opened below, once the number of
	// consumer groups is known) so that their blocking reads never hold up the service's
	// commands or the readiness check.
	rdb := cfg.Redis.NewClient(0)
	a.closers = append(a.closers, rdb.Close)
	storeCfg := store.Config{Prefix: cfg.RedisPrefix, Retention: cfg.Retention}
	if a.st, err = store.New(rdb, storeCfg); err != nil {
		return nil, err
	}
	slackHTTP, err := m.slackTransport(pooledTransport(), cfg.SlackAPIURL)
	if err != nil {
		return nil, fmt.Errorf("SLACK_API_URL: %w", err)
	}
	api := slack.New(cfg.SlackBotToken,
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: slackTimeout, Transport: slackHTTP}),
	)
	desk, err := bot.NewDesk(api, log)
	if err != nil {
		return nil, err
	}
	desk.RememberUploadsIn(a.st)
	routes := map[string]http.Handler{}
	var files *bot.Files
	if cfg.PublicURL != "" {
		if files, err = bot.NewFiles(api, a.st, cfg.PublicURL, 0, log); err != nil {
			return nil, err
		}
		routes["GET /files/{token}"] = m.route("files", files)
	} else {
		log.Warn("PUBLIC_URL is not set: customers get Slack's own links to agents' files, which need a Slack login")
	}

	// The connectors' outbound side, which the service is built from.
	conns, err := cfg.Connectors.connect(host{st: a.st, desk: desk, files: files, publicURL: cfg.PublicURL, metrics: m, log: log})
	if err != nil {
		return nil, err
	}
	conns = append(conns, extra...)
	// Customer channels' tickets are answered in their Slack threads (bot/channelsource.go).
	sources := map[string]tickets.Source{tickets.SourceSlack: desk.ChannelSource()}
	var sinks []tickets.Sink
	var enrichers []tickets.Enricher
	var sections []panel.Section
	for _, c := range conns {
		if c.Source != nil {
			if _, dup := sources[c.Name]; dup {
				return nil, fmt.Errorf("two connectors are named %q", c.Name)
			}
			sources[c.Name] = c.Source
		}
		if c.Sink != nil {
			sinks = append(sinks, c.Sink)
		}
		if c.Enricher != nil {
			enrichers = append(enrichers, c.Enricher)
		}
		if c.Panel != nil {
			sections = append(sections, c.Panel)
		}
		a.runners = append(a.runners, c.Runners...)
	}
	svc, err := tickets.New(tickets.Config{
		Store: a.st, Desk: desk, Sources: sources, Sinks: sinks, Enrichers: enrichers,
		Initial: cfg.Initial, RemindAfter: cfg.PriorityWindow, RatingWindow: cfg.RatingWindow,
		Observer: m,
	})
	if err != nil {
		return nil, err
	}
	a.svc = svc
	// Each event goes to the streams of the consumer groups that act on it.
	a.st.SetRoutes(svc.Routes())

	// The connectors' inbound side, which calls the service.
	inboundQueues := map[string]tickets.Handler{}
	for _, c := range conns {
		if c.Inbound == nil {
			continue
		}
		in, err := c.Inbound(svc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		for pattern, h := range in.Routes {
			if _, dup := routes[pattern]; dup {
				return nil, fmt.Errorf("%s: route %q is taken", c.Name, pattern)
			}
			routes[pattern] = m.route(c.Name, h)
		}
		a.runners = append(a.runners, in.Runners...)
		if in.Queue != nil {
			inboundQueues[c.Name] = in.Queue
		}
	}

	botCfg := bot.Config{Admins: cfg.Admins, Sections: sections, Metrics: m, Epochs: a.st, Files: files}
	if a.bot, err = bot.New(botCfg, api, svc, a.st, log); err != nil {
		return nil, err
	}
	if a.outboxes, err = a.newOutboxes(svc, inboundQueues, m); err != nil {
		return nil, err
	}
	groups := slices.Sorted(maps.Keys(a.outboxes))
	stats := func(ctx context.Context, groups ...string) (map[string]outbox.Stat, error) {
		return outbox.Stats(ctx, a.st, groups...)
	}
	m.watchOutboxes(groups, stats)
	if a.ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	a.closers = append(a.closers, func() error { return ignoreClosed(a.ln.Close()) })
	routes["GET /metrics"] = m.handler(log)
	checks := []readyCheck{{name: "redis", fn: a.st.Ping}, {name: "slack", fn: func(context.Context) error {
		if !a.bot.Connected() {
			return errors.New("socket mode is not connected")
		}
		return nil
	}}}
	if cfg.ReadyMaxOutboxAge > 0 {
		checks = append(checks, outboxReady(groups, stats, cfg.ReadyMaxOutboxAge))
	}
	a.srv = newHTTPServer(log, routes, checks...)
	if cfg.PublicURL != "" {
		// The desk fetches some customers' files from Frontdesk's own links (upload.go).
		local, err := newLocalTransport(cfg.PublicURL, a.srv.Handler, http.DefaultTransport)
		if err != nil {
			return nil, err
		}
		desk.FetchVia(local)
	}
	return a, nil
}

// Connected reports whether the Slack bot's Socket Mode connection is up.
func (a *App) Connected() bool { return a.bot.Connected() }

// Close releases the connections Build opened, latest first.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.log.Warn("close", zap.Error(err))
		}
	}
	a.closers = nil
}

func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Serve runs every part until ctx is done or one fails; then it stops them all, lets
// work in flight finish and returns (nil after a clean stop).
func (a *App) Serve(ctx context.Context) error {
	log := a.log
	log.Info("listening", zap.String("addr", a.ln.Addr().String()),
		zap.String("redis", string(a.cfg.Redis.Kind)+" "+a.cfg.Redis.Addr()), zap.String("redis_prefix", a.cfg.RedisPrefix),
		zap.Int("outbox_groups", len(a.outboxes)))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := a.srv.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), shutdownGrace)
		defer cancel()
		if err := a.srv.Shutdown(sctx); err != nil {
			_ = a.srv.Close() // cut off what the grace period did not see finish
			return fmt.Errorf("http shutdown: %w", err)
		}
		return nil
	})
	g.Go(func() error { return a.bot.Run(gctx) })
	g.Go(func() error { a.st.RunTimers(gctx, time.Second, log); return nil })
	for _, run := range a.runners {
		g.Go(func() error { return run(gctx) })
	}
	for group, ob := range a.outboxes {
		g.Go(func() error {
			if err := ob.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("outbox %s: %w", group, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		log.Error("stopped", zap.Error(err))
		return err
	}
	log.Info("stopped")
	return nil
}

// Addr is the address the HTTP server listens on (HTTP_ADDR, with the port chosen when it
// asked for port 0).
func (a *App) Addr() net.Addr { return a.ln.Addr() }

// Service is the ticket service the app runs: tests drive chats through it as a source
// would.
func (a *App) Service() *tickets.Service { return a.svc }

// Store is the app's Redis store, for tests that look at what it holds.
func (a *App) Store() *store.Redis { return a.st }
