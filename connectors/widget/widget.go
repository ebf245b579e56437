package widget

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/keyrate"
)

// Widget is the website chat: its HTTP routes for visitors, and the tickets.Source (and
// RatingCarrier) of widget tickets. It is safe for concurrent use.
type Widget struct {
	cfg      Config
	tk       Tickets
	feed     Feed
	log      *zap.Logger
	signer   signer
	origins  []string
	visitors *keyrate.Limits // messages per visitor
	ips      *keyrate.Limits // messages, connections and sessions per IP address
	sessions *keyrate.Limits // new visitors per IP address
	hub      *hub
	script   *script
	now      func() time.Time
}

// New returns the widget for cfg, handing visitors' chats to tk and keeping what they
// see in feed.
func New(cfg Config, tk Tickets, feed Feed, log *zap.Logger) (*Widget, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if tk == nil || feed == nil {
		return nil, errors.New("widget: New needs the ticket service and a feed")
	}
	if log == nil {
		log = zap.NewNop()
	}
	sc, err := newScript(cfg)
	if err != nil {
		return nil, err
	}
	return &Widget{
		cfg: cfg, tk: tk, feed: feed, log: log.Named("widget"),
		signer:   signer{key: []byte(cfg.Secret), ttl: cfg.TokenTTL},
		origins:  slices.Clone(cfg.AllowedOrigins),
		visitors: keyrate.New(cfg.VisitorRate, cfg.VisitorBurst, cfg.MaxTracked),
		ips:      keyrate.New(cfg.IPRate, cfg.IPBurst, cfg.MaxTracked),
		sessions: keyrate.New(cfg.SessionRate, cfg.SessionBurst, cfg.MaxTracked),
		hub:      newHub(cfg.MaxConnsPerVisitor),
		script:   sc,
		now:      time.Now,
	}, nil
}

// Routes returns the widget's HTTP handlers by Go 1.22 pattern, to mount on the server.
func (w *Widget) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + ScriptPath:      http.HandlerFunc(w.serveScript),
		"POST " + SessionPath:    http.HandlerFunc(w.serveSession),
		"OPTIONS " + SessionPath: http.HandlerFunc(w.servePreflight),
		"GET " + SocketPath:      http.HandlerFunc(w.serveSocket),
	}
}

// Run listens for new feed items of every visitor, for this process's websockets, until
// ctx is done; then it closes every websocket ("going away": the scripts reconnect,
// to another replica if this one stops) and returns nil. A broken subscription is
// retried.
func (w *Widget) Run(ctx context.Context) error {
	defer w.hub.closeAll()
	backoff := 100 * time.Millisecond
	for {
		err := w.feed.Listen(ctx, w.hub.wakeAll, w.hub.notify)
		if ctx.Err() != nil {
			return nil
		}
		w.log.Warn("listening for feed items failed; trying again", zap.Error(err), zap.Duration("in", backoff))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// clientIP is the address rates are counted by: the peer's (put Frontdesk behind a
// proxy that keeps it, or the limit is shared by every visitor behind the proxy).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
