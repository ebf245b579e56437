package widget

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/keyrate"
)

// Widget is the website chat's inbound side: its HTTP routes for visitors, whose chats it
// hands to the ticket service, and the live feed of their websockets. Its Delivery (the
// embedded outbound side) is a tickets.Source too. It is safe for concurrent use. Connect
// makes it, in the connector's Inbound.
type Widget struct {
	*Delivery
	cfg      Config
	lim      limits
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
	uploads  Uploads // where visitors' files go; off when incomplete
	now      func() time.Time
}

// newWidget returns the widget for cfg within lim, handing visitors' chats to tk,
// keeping what they see in feed and the files they attach as up says.
func newWidget(cfg Config, lim limits, tk Tickets, feed Feed, up Uploads, log *zap.Logger) (*Widget, error) {
	if !cfg.Enabled() {
		return nil, errors.New("WIDGET_SECRET: required: it keys the visitors' tokens")
	}
	cfg, lim = cfg.withDefaults(), lim.withDefaults()
	if err := errors.Join(cfg.Validate(), lim.validate()); err != nil {
		return nil, err
	}
	if tk == nil || feed == nil {
		return nil, errors.New("widget: the widget needs the ticket service and a feed")
	}
	if log == nil {
		log = zap.NewNop()
	}
	sc, err := newScript(cfg, lim, up.on())
	if err != nil {
		return nil, err
	}
	return &Widget{
		Delivery: NewDelivery(feed, log),
		cfg:      cfg, lim: lim, tk: tk, feed: feed, log: log.Named("widget"),
		signer:   signer{key: []byte(cfg.Secret), ttl: lim.TokenTTL},
		origins:  slices.Clone(cfg.AllowedOrigins),
		visitors: keyrate.New(lim.VisitorRate, lim.VisitorBurst, lim.MaxTracked),
		ips:      keyrate.New(lim.IPRate, lim.IPBurst, lim.MaxTracked),
		sessions: keyrate.New(lim.SessionRate, lim.SessionBurst, lim.MaxTracked),
		hub:      newHub(lim.MaxConnsPerVisitor),
		script:   sc,
		uploads:  up,
		now:      time.Now,
	}, nil
}

// Routes returns the widget's HTTP handlers by Go 1.22 pattern, to mount on the server.
func (w *Widget) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + ScriptPath:          http.HandlerFunc(w.serveScript),
		"POST " + SessionPath:        http.HandlerFunc(w.serveSession),
		"OPTIONS " + SessionPath:     http.HandlerFunc(w.servePreflight),
		"GET " + SocketPath:          http.HandlerFunc(w.serveSocket),
		"POST " + FilesPath:          http.HandlerFunc(w.serveUpload),
		"GET " + FilesPath + "/{id}": http.HandlerFunc(w.serveFile),
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

// clientIP is the address rates are counted by: the peer's, unless the peer is one of
// Config.TrustedProxies. Then X-Forwarded-For is read from its right end, where the
// nearest proxy wrote, and the first address that is not itself a trusted proxy is the
// visitor's. Addresses further left were written by the visitor's side and are never
// believed; a malformed hop ends the walk at the last trusted address.
func (w *Widget) clientIP(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := ap.Addr().Unmap()
	if !w.trusted(addr) {
		return addr.String()
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		addr = hop
		if !w.trusted(addr) {
			break
		}
	}
	return addr.String()
}

// trusted reports whether a is one of Config.TrustedProxies.
func (w *Widget) trusted(a netip.Addr) bool {
	for _, p := range w.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// maxForwardedHops bounds how much of X-Forwarded-For is read.
const maxForwardedHops = 32

// forwardedFor is the hops of every X-Forwarded-For header, in order; only the last
// maxForwardedHops are kept (the walk starts at the right end).
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	if len(hops) > maxForwardedHops {
		hops = hops[len(hops)-maxForwardedHops:]
	}
	return hops
}

// parseHop reads one X-Forwarded-For entry: an address, or an address with a port
// ("192.0.2.1:4711", "[2001:db8::1]:4711"), as some proxies write.
func parseHop(h string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(h); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
