package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/frontdeskhq/frontdesk/bot"
	"github.com/frontdeskhq/frontdesk/connectors/ai"
	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/connectors/gladly"
	"github.com/frontdeskhq/frontdesk/connectors/vitally"
	"github.com/frontdeskhq/frontdesk/connectors/webhook"
	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// slackTimeout bounds one Slack Web API call.
const slackTimeout = 30 * time.Second

// sourceMaxAttempts backs up the sources' own time limits on retrying: with the outbox's
// backoff capped at a minute, about a day.
const sourceMaxAttempts = 1500

// sinkMaxAttempts lets a sink (Vitally) be away for about a week before an update is set
// aside: an outage delays the sync and loses nothing.
const sinkMaxAttempts = 10000

// run is the whole program: it reads the configuration through getenv, logs to stdout,
// builds Frontdesk and serves until ctx is done or a part of it fails. On ctx's end it
// stops taking work, lets work in flight finish, closes Redis and returns nil.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		// One problem per line, each naming its variable.
		return fmt.Errorf("bad configuration:\n\t%s", strings.ReplaceAll(err.Error(), "\n", "\n\t"))
	}
	log := newLogger(stdout, cfg.logLevel, cfg.logFormat)
	defer func() { _ = log.Sync() }() // nothing to do when stdout cannot sync
	a, err := build(cfg, log, nil)
	if err != nil {
		return err
	}
	defer a.close()
	return a.serve(ctx)
}

// app is Frontdesk built from its configuration: the store, the ticket service, the Slack
// bot, the outbox workers and the HTTP server, ready to serve.
type app struct {
	cfg      *config
	log      *zap.Logger
	st       *store.Redis
	svc      *tickets.Service
	bot      *bot.Bot
	outboxes map[string]*store.Outbox
	metrics  *metrics
	srv      *http.Server
	ln       net.Listener
	closers  []func() error
	// runners are further parts that run until ctx is done (the widget's live feed).
	runners []func(context.Context) error
	// widget is the website chat widget; nil when it is off.
	widget *widget.Widget
}

// build makes every part of Frontdesk from cfg, with sources as the connectors customers
// chat through; close releases what it holds.
func build(cfg *config, log *zap.Logger, sources map[string]tickets.Source) (_ *app, err error) {
	a := &app{cfg: cfg, log: log, metrics: newMetrics()}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	// The outbox workers get a client of their own (opened below, once the number of
	// consumer groups is known) so that their blocking reads never hold up the service's
	// commands or the readiness check.
	rdb := cfg.redis.NewClient(0)
	a.closers = append(a.closers, rdb.Close)
	storeCfg := store.Config{Prefix: cfg.redisPrefix, Retention: cfg.retention}
	if a.st, err = store.New(rdb, storeCfg); err != nil {
		return nil, err
	}
	slackHTTP, err := a.metrics.slackTransport(pooledTransport(), cfg.slackAPIURL)
	if err != nil {
		return nil, fmt.Errorf("SLACK_API_URL: %w", err)
	}
	api := slack.New(cfg.slackBotToken,
		slack.OptionAPIURL(cfg.slackAPIURL),
		slack.OptionAppLevelToken(cfg.slackAppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: slackTimeout, Transport: slackHTTP}),
	)
	desk, err := bot.NewDesk(api, log)
	if err != nil {
		return nil, err
	}
	// The connectors customers chat through.
	sources = maps.Clone(sources)
	if sources == nil {
		sources = map[string]tickets.Source{}
	}
	if w := cfg.webhook; w != nil {
		c, err := webhook.NewClient(webhook.ClientConfig{
			CallbackURL: w.callbackURL, SigningSecret: w.signingSecret, RetryFor: w.retryFor,
		}, log)
		if err != nil {
			return nil, err
		}
		sources[webhook.Source] = c
	}
	var chatraGroups map[string]string
	if c := cfg.chatra; c != nil {
		if chatraGroups, err = chatra.ParseGroups(c.groups); err != nil {
			return nil, fmt.Errorf("CHATRA_GROUPS: %w", err)
		}
		client, err := chatra.NewClient(chatra.ClientConfig{
			APIURL: c.apiURL, PublicKey: c.publicKey, SecretKey: c.secretKey,
			TeamName: c.agentName, TeamEmail: c.agentEmail, RetryFor: c.retryFor, Sent: a.st,
		}, log)
		if err != nil {
			return nil, err
		}
		sources[chatra.Source] = client
	}
	var gladlyCfg gladly.Config
	var gladlyClient *gladly.Client
	if g := cfg.gladly; g != nil {
		gladlyCfg = gladly.Config{
			BaseURL: g.baseURL, AgentEmail: g.agentEmail, APIToken: g.apiToken, AgentID: g.agentID,
			AIInboxID: g.aiInboxID, HandoffInboxID: g.handoffInboxID, AccountID: g.accountID,
			WebhookUser: g.webhookUser, WebhookPassword: g.webhookPassword,
			SLA: g.sla, CloseTopicIDs: g.closeTopicIDs, RetryFor: g.retryFor,
			Transcript: a.st, Permalink: desk.Permalink, // the hand-off note
		}
		if gladlyClient, err = gladly.NewClient(gladlyCfg, log); err != nil {
			return nil, err
		}
		sources[gladly.Source] = gladlyClient
	}
	// The website widget's outbound side; its inbound side, which calls the service, is
	// made once the service is.
	var widgetFeedStore widgetFeed
	if cfg.widget != nil {
		widgetFeedStore = widgetFeed{a.st.WidgetFeed(store.WidgetFeedConfig{})}
		sources[widget.Source] = widget.NewDelivery(widgetFeedStore, log)
	}
	// The sinks. Vitally's is always there: admins may set it up in the admin panel.
	vitallySink, err := vitally.New(vitally.Config{
		Store:     a.st,
		Env:       vitally.Env{APIURL: cfg.vitallyURL, Secret: cfg.vitallySecret, Mark: a.st.Mark},
		Permalink: desk.Permalink,
		Log:       log,
		Observe:   a.metrics.vitallySynced,
	})
	if err != nil {
		return nil, err
	}
	sinks := []tickets.Sink{vitallySink}
	a.runners = append(a.runners, vitallySink.Prepare) // makes the environment's Vitally object and traits
	// AI enrichment: the service records what it suggests.
	var enrichers []tickets.Enricher
	if c := cfg.ai; c != nil {
		aiSink, err := ai.New(ai.Config{
			BaseURL: c.baseURL, APIKey: c.apiKey, Model: c.model, Timeout: c.timeout, Temperature: c.temperature,
			Store: a.st, Log: log,
		})
		if err != nil {
			return nil, err
		}
		enrichers = append(enrichers, aiSink)
	}
	svc, err := tickets.New(tickets.Config{
		Store: a.st, Desk: desk, Sources: sources, Sinks: sinks, Enrichers: enrichers,
		Initial: cfg.initial, RemindAfter: cfg.priorityWindow, RatingWindow: cfg.ratingWindow,
		Observer: a.metrics,
	})
	if err != nil {
		return nil, err
	}
	a.svc = svc
	if c := cfg.widget; c != nil {
		if a.widget, err = widget.New(*c, a.svc, widgetFeedStore, log); err != nil {
			return nil, err
		}
		a.runners = append(a.runners, a.widget.Run)
	}
	routes := map[string]http.Handler{}
	if w := cfg.webhook; w != nil {
		h, err := webhook.NewHandler(webhook.HandlerConfig{Token: w.token}, a.svc, log)
		if err != nil {
			return nil, err
		}
		routes[webhook.Path] = a.metrics.route("webhook", h) // it answers other methods itself (405, in JSON)
	}
	if a.widget != nil {
		for pattern, h := range a.widget.Routes() {
			routes[pattern] = a.metrics.route("widget", h)
		}
	}
	if gladlyClient != nil {
		h, err := gladly.NewHandler(gladlyCfg, a.st, log)
		if err != nil {
			return nil, err
		}
		routes[gladly.Path] = a.metrics.route("gladly", h)
	}
	if c := cfg.chatra; c != nil {
		h, err := chatra.NewHandler(chatra.HandlerConfig{
			Token: c.webhookToken, Groups: chatraGroups, DefaultLabel: c.defaultLabel, Sent: a.st,
		}, a.svc, log)
		if err != nil {
			return nil, err
		}
		routes[chatra.PathPrefix+"{token}"] = a.metrics.route("chatra", h)
	}
	botCfg := bot.Config{Admins: cfg.admins, VitallyFromEnv: cfg.vitallyURL != "", Metrics: a.metrics, Epochs: a.st}
	if cfg.publicURL != "" {
		if botCfg.Files, err = bot.NewFiles(api, a.st, cfg.publicURL, 0, log); err != nil {
			return nil, err
		}
		routes["GET /files/{token}"] = a.metrics.route("files", botCfg.Files)
		if gladlyClient != nil {
			// Customers' files Gladly keeps: signed links here, resolved through Gladly's API.
			files := botCfg.Files
			if err := files.Place(gladly.Source, gladly.FileLinkTTL, gladlyClient.Attachment); err != nil {
				return nil, err
			}
			gladlyCfg.FileLink = func(ctx context.Context, ref string) (string, error) {
				return files.LinkTo(ctx, gladly.Source, ref)
			}
		}
	} else {
		log.Warn("PUBLIC_URL is not set: customers get Slack's own links to agents' files, which need a Slack login")
	}
	if a.bot, err = bot.New(botCfg, api, a.svc, a.st, log); err != nil {
		return nil, err
	}
	// Each Outbox keeps a blocking read and a lease renewal per partition, plus a trimmer.
	obRDB := cfg.redis.NewClient(len(a.svc.Handlers()) * (2*store.Partitions + 1))
	a.closers = append(a.closers, obRDB.Close)
	obStore, err := store.New(obRDB, storeCfg)
	if err != nil {
		return nil, err
	}
	consumer := consumerName()
	if a.outboxes, err = newOutboxes(obStore, a.svc, consumer, a.metrics, log); err != nil {
		return nil, err
	}
	if gladlyClient != nil {
		// Gladly's webhook only queues its events; this worker does the work, in order per
		// conversation, with retries (Gladly must have its answer within 15 seconds).
		p, err := gladly.NewProcessor(gladlyCfg, gladlyClient, a.svc, log)
		if err != nil {
			return nil, err
		}
		group := "inbound:" + gladly.Source
		ob, err := store.NewOutbox(obStore, group, p.Process, store.OutboxConfig{
			Consumer: consumer, Inbound: true, MaxAttempts: sourceMaxAttempts, Observe: a.metrics.outboxObserver(group),
		}, log)
		if err != nil {
			return nil, err
		}
		a.outboxes[group] = ob
	}
	groups := slices.Sorted(maps.Keys(a.outboxes))
	a.metrics.watchOutboxes(groups, a.st.OutboxStats)
	if a.ln, err = net.Listen("tcp", cfg.httpAddr); err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	a.closers = append(a.closers, func() error { return ignoreClosed(a.ln.Close()) })
	routes["GET /metrics"] = a.metrics.handler(log)
	checks := []readyCheck{{name: "redis", fn: a.st.Ping}, {name: "slack", fn: func(context.Context) error {
		if !a.bot.Connected() {
			return errors.New("socket mode is not connected")
		}
		return nil
	}}}
	if cfg.readyMaxOutboxAge > 0 {
		checks = append(checks, outboxReady(groups, a.st.OutboxStats, cfg.readyMaxOutboxAge))
	}
	a.srv = newHTTPServer(log, routes, checks...)
	return a, nil
}

// close releases the connections build opened, latest first.
func (a *app) close() {
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

// serve runs every part until ctx is done or one fails; then it stops them all, lets
// work in flight finish and returns (nil after a clean stop).
func (a *app) serve(ctx context.Context) error {
	log := a.log
	log.Info("listening", zap.String("addr", a.ln.Addr().String()),
		zap.String("redis", string(a.cfg.redis.Kind)+" "+a.cfg.redis.Addr()), zap.String("redis_prefix", a.cfg.redisPrefix),
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

// newOutboxes makes an outbox worker for every consumer group of svc, named after this
// process so that the entries of a worker that died can be told apart and claimed by the
// others. Events a worker gives up on are reported back to svc; every handler call is
// counted in m.
func newOutboxes(st *store.Redis, svc *tickets.Service, consumer string, m *metrics, log *zap.Logger) (map[string]*store.Outbox, error) {
	handlers, interests := svc.Handlers(), svc.Interests()
	obs := make(map[string]*store.Outbox, len(handlers))
	for group, h := range handlers {
		cfg := store.OutboxConfig{Consumer: consumer, Observe: m.outboxObserver(group), Wants: interests[group],
			GaveUp: func(ctx context.Context, ev tickets.Event, cause error) error {
				return svc.GaveUp(ctx, group, ev, cause)
			}}
		if group == tickets.GroupSource {
			// Sources bound their retries by time (e.g. WEBHOOK_RETRY_FOR) and say when to
			// give up; the count is only a backstop.
			cfg.MaxAttempts = sourceMaxAttempts
		}
		if strings.HasPrefix(group, tickets.SinkGroupPrefix) {
			cfg.MaxAttempts = sinkMaxAttempts
		}
		ob, err := store.NewOutbox(st, group, h, cfg, log)
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", group, err)
		}
		obs[group] = ob
	}
	return obs, nil
}

// consumerName names this process's outbox workers: host, pid and a random part that tells
// apart two instances in one process (tests) or a restarted process with the same pid.
func consumerName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "frontdesk"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:6])
}
