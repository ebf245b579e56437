package widget

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/keyrate"
)

func retryAfter(d time.Duration) int64 { return keyrate.RetryAfterSeconds(d) }

// serveSocket upgrades an allowed origin's request to the visitor's websocket. The
// first frame must be a hello with the visitor's token and the seq of the last item the
// script has; the server answers ready (with a fresh token), then every item after that
// seq, then each new one as it comes. See docs/widget.md for the frames.
func (w *Widget) serveSocket(rw http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if !w.allowedOrigin(origin) {
		writeError(rw, http.StatusForbidden, "origin_not_allowed")
		return
	}
	ip := w.clientIP(r)
	if ok, wait := w.ips.Allow(ip); !ok {
		rw.Header().Set("Retry-After", strconv.FormatInt(retryAfter(wait), 10))
		writeError(rw, http.StatusTooManyRequests, "rate_limited")
		return
	}
	up := websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  4096,
		CheckOrigin:      func(r *http.Request) bool { return w.allowedOrigin(r.Header.Get("Origin")) },
	}
	ws, err := up.Upgrade(rw, r, nil)
	if err != nil {
		return // Upgrade answered the request
	}
	ws.SetReadLimit(maxFrameBytes)
	c := &conn{w: w, ws: ws, origin: origin, ip: ip, log: w.log,
		wake: make(chan struct{}, 1), out: make(chan []byte, 16), done: make(chan struct{}), writerUp: make(chan struct{})}
	if !w.hub.enter(c) {
		c.closeWith(websocket.CloseGoingAway, "server stopping")
		_ = ws.Close()
		return
	}
	defer w.hub.leave(c)
	code, reason := w.hello(c)
	if code != 0 {
		c.closeWith(code, reason)
		_ = ws.Close()
		return
	}
	c.log = w.log.With(zap.String("visitor", c.visitor))
	if !w.hub.add(c) {
		c.closeWith(closeTooMany, "too many connections")
		_ = ws.Close()
		return
	}
	defer w.hub.remove(c)
	// ready goes out first, before the writer starts, then the items after the hello's seq.
	ready, _ := json.Marshal(readyFrame{Type: "ready", Token: w.signer.issue(c.visitor, w.now())})
	if err := c.write(websocket.TextMessage, ready); err != nil {
		_ = ws.Close()
		return
	}
	stop := make(chan struct{})
	go c.writeLoop(stop)
	c.wakeUp()
	c.log.Debug("socket open")
	c.readLoop()
	close(stop)
	<-c.writerUp
	c.log.Debug("socket closed")
}

// hello reads and checks the first frame; on success it sets c's visitor and last seq,
// else it returns the close code and reason.
func (w *Widget) hello(c *conn) (int, string) {
	_ = c.ws.SetReadDeadline(time.Now().Add(helloTimeout))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return closeBadHello, "no hello"
	}
	f, err := parseFrame(b, w.lim.MaxMessageBytes)
	if err != nil || f.Type != frameHello { // f may be nil
		return closeBadHello, "the first frame must be a hello"
	}
	visitor, err := w.signer.verify(f.Token, w.now())
	if err != nil {
		w.log.Debug("socket refused: bad token")
		return closeUnauthorized, "unauthorized"
	}
	c.visitor, c.last = visitor, f.After
	return 0, ""
}
