//go:build demo

package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/frontdeskhq/frontdesk/internal/app"
)

//go:embed demo
var demoFiles embed.FS

var siteTemplate = template.Must(template.ParseFS(demoFiles, "demo/site.html"))

// Default addresses of the demo: its pages, and Frontdesk's own HTTP server (the widget
// script and its endpoints). Either falls back to a spare port when taken.
const (
	demoPagesAddr     = "127.0.0.1:8080"
	demoFrontdeskAddr = "127.0.0.1:8081"
)

// demoOptions are `frontdesk demo`'s flags and what a test needs besides.
type demoOptions struct {
	addr, frontdeskAddr string // "" for the defaults
	redis               string // how to find Redis: auto, existing, server, embedded
	verbose             bool   // Frontdesk logs at info rather than warn
	getenv              func(string) string
	// ready, when set, is told once everything is up.
	ready func(demoInfo)
}

// demoInfo is the running demo, for its banner and for tests.
type demoInfo struct {
	siteURL, slackURL, frontdeskURL string
	redis                           *demoRedis
	world                           *demoWorld
}

// demo runs `frontdesk demo [flags]`: Frontdesk, the Slack simulator, a Redis and the two
// pages, on this machine with nothing else configured, until ctx ends.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := demoOptions{getenv: getenv}
	fs.StringVar(&o.addr, "addr", "", "where to serve the demo website and the Slack view (default "+demoPagesAddr+", or a spare port)")
	fs.StringVar(&o.frontdeskAddr, "frontdesk-addr", "", "Frontdesk's own HTTP address (default "+demoFrontdeskAddr+", or a spare port)")
	fs.StringVar(&o.redis, "redis", redisAuto, "which Redis: auto (REDIS_URL if it answers, else a redis-server of its own, else embedded), existing, server or embedded")
	fs.BoolVar(&o.verbose, "verbose", false, "show Frontdesk's info logs, not only warnings")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // the usage is printed
	} else if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo takes no arguments besides its flags, got %q", fs.Args())
	}
	return runDemo(ctx, o, stdout, stderr)
}

// listenDemo listens on addr, or on def and failing that a spare loopback port when addr
// is "".
func listenDemo(addr, def string) (net.Listener, error) {
	if addr != "" {
		return net.Listen("tcp", addr)
	}
	if ln, err := net.Listen("tcp", def); err == nil {
		return ln, nil
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// runDemo starts everything, prints where to go, and runs until ctx ends; then it stops
// Frontdesk, the pages, the simulator and Redis (deleting the demo's keys from a Redis
// that was there before) and returns nil.
func runDemo(ctx context.Context, o demoOptions, stdout, stderr io.Writer) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	dir, rmDir, err := tempDir()
	if err != nil {
		return err
	}
	defer rmDir()
	if o.redis == "" {
		o.redis = redisAuto
	}
	r, err := startDemoRedis(ctx, o.redis, o.getenv("REDIS_URL"), dir, func(why string) { say("Redis: %s.", why) })
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if cerr := r.close(cctx); cerr != nil {
			say("Could not delete the demo's keys under %s: %v", r.prefix, cerr)
		}
	}()
	if r.kind == redisEmbedded {
		say("WARNING: the demo runs on %s.", r.about)
	}

	w := newDemoWorld()
	defer w.sim.Close()

	pagesLn, err := listenDemo(o.addr, demoPagesAddr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	defer pagesLn.Close()
	if ip := pagesLn.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		say("WARNING: the Slack view has no login and %s is not a loopback address: anyone who reaches it can act in the demo workspace.", ip)
	}
	// Frontdesk listens itself (build); it is told a port found free here.
	fdLn, err := listenDemo(o.frontdeskAddr, demoFrontdeskAddr)
	if err != nil {
		return fmt.Errorf("--frontdesk-addr: %w", err)
	}
	fdAddr := fdLn.Addr().String()
	fdLn.Close()

	info := demoInfo{redis: r, world: w,
		siteURL:      "http://" + pagesLn.Addr().String() + "/",
		slackURL:     "http://" + pagesLn.Addr().String() + "/slack/",
		frontdeskURL: "http://" + fdAddr,
	}
	env := w.env()
	for k, v := range map[string]string{
		"REDIS_URL": r.url, "REDIS_PREFIX": r.prefix, "HTTP_ADDR": fdAddr, "PUBLIC_URL": info.frontdeskURL,
		"LOG_FORMAT": "console", "LOG_LEVEL": "warn",
		"WIDGET_SECRET": rand.Text() + rand.Text(), "WIDGET_ALLOWED_ORIGINS": demoOrigins(pagesLn.Addr()),
		"WIDGET_TITLE": "Chat with Acme", "WIDGET_GREETING": "Hi! Ask us anything — a person answers from Slack.",
	} {
		env[k] = v
	}
	if o.verbose {
		env["LOG_LEVEL"] = "info"
	}
	if r.kind == redisEmbedded {
		// miniredis does not report a stream group's lag, which the outbox age check reads.
		env["READY_MAX_OUTBOX_AGE"] = "0"
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}
	log := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	defer func() { _ = log.Sync() }()
	a, err := app.Build(&cfg.Config, log)
	if err != nil {
		return err
	}
	defer a.Close()

	pages := demoPages(w, info.frontdeskURL+"/widget.js")
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Serve(gctx) })
	g.Go(func() error { return servePages(gctx, pages, pagesLn) })
	g.Go(func() error {
		if err := waitConnected(gctx, a); err != nil {
			return nil // stopping before it was up
		}
		banner(stdout, info)
		if o.ready != nil {
			o.ready(info)
		}
		return nil
	})
	err = g.Wait()
	if ps := w.problems(5); ps != "" {
		say("The Slack simulator noticed:\n\t%s", ps)
	}
	say("Demo stopped.")
	return err
}

// demoOrigins allows the pages' origin as browsers name it: the address it listens on,
// and localhost for a loopback address.
func demoOrigins(addr net.Addr) string {
	tcp := addr.(*net.TCPAddr)
	port := strconv.Itoa(tcp.Port)
	origins := []string{"http://" + net.JoinHostPort(tcp.IP.String(), port)}
	if tcp.IP.IsLoopback() {
		origins = append(origins, "http://localhost:"+port, "http://127.0.0.1:"+port)
	}
	if tcp.IP.IsUnspecified() {
		origins = append(origins, "http://localhost:"+port, "http://127.0.0.1:"+port)
	}
	return strings.Join(origins, ",")
}

// demoPages serves the demo website at / and the Slack view under /slack/.
func demoPages(w *demoWorld, widgetURL string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = siteTemplate.Execute(rw, map[string]string{"WidgetURL": widgetURL, "SlackURL": "/slack/"})
	})
	mux.Handle("GET /slack", http.RedirectHandler("/slack/", http.StatusFound))
	mux.Handle("/slack/", http.StripPrefix("/slack", w.page()))
	return mux
}

// servePages serves h on ln until ctx ends; the Slack view's long polls end with it.
func servePages(ctx context.Context, h http.Handler, ln net.Listener) error {
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second,
		BaseContext: func(net.Listener) context.Context { return base }}
	go func() {
		<-ctx.Done()
		cancel()
		sctx, stop := context.WithTimeout(context.Background(), 3*time.Second)
		defer stop()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("demo pages: %w", err)
	}
	return nil
}

// waitConnected waits until Frontdesk's Socket Mode connection is up.
func waitConnected(ctx context.Context, a *app.App) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for !a.Connected() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// banner tells people where to go and what to do.
func banner(out io.Writer, info demoInfo) {
	fmt.Fprintf(out, `
Frontdesk demo is running. Open these two pages side by side:

  1. A website with the chat widget:   %s
  2. The Slack workspace (simulated):  %s

On the website, open the chat bubble (bottom right) and write a message. It becomes a
ticket card in #support-tickets: click Pick (you are Alex, an agent). The inbox channel
for the chat opens; what you write there reaches the visitor at once, and their answers
appear in it. A thread reply is an internal note. Run Live Chat Control (⚡ on any
message of the inbox channel) to transfer the chat to Billing or end it; switch to
Morgan (an admin) for the admin panel.

Redis: %s.
Frontdesk itself: %s (health at /healthz, metrics at /metrics).
Press Ctrl-C to stop.

`, info.siteURL, info.slackURL, info.redis.about, info.frontdeskURL)
}
