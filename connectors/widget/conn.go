package widget

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"
)

// Websocket close codes beyond RFC 6455's, 4000 + the HTTP status they stand for.
const (
	closeBadHello     = 4400 // the first frame was not a good hello
	closeUnauthorized = 4401 // the token is bad or expired: get a new session
	closeOrigin       = 4403
	closeTooMany      = 4429 // too many sockets for this visitor
)

const (
	helloTimeout = 10 * time.Second // to send the hello after connecting
	writeTimeout = 10 * time.Second // for one frame to go out
	workTimeout  = 20 * time.Second // for the ticket service to take one message
	readBatch    = 100              // feed items read at a time
)

// conn is one visitor's websocket. Its reader (the handler's goroutine) takes frames;
// its writer goroutine alone writes, as gorilla/websocket wants: feed items when woken,
// answers queued on out, pings.
type conn struct {
	w       *Widget
	ws      *websocket.Conn
	visitor string
	origin  string
	ip      string
	log     *zap.Logger

	wake     chan struct{} // the feed may have new items (cap 1)
	out      chan []byte   // answers to frames
	done     chan struct{} // closed by shutdown: the process stops
	stopOnce sync.Once
	writerUp chan struct{} // closed when the writer returns
	last     string        // the seq of the last item sent (writer only)
	// registered: the hub knows c by its visitor (set and read under the hub's lock).
	registered bool
}

func (c *conn) wakeUp() {
	select {
	case c.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

func (c *conn) shutdown() { c.stopOnce.Do(func() { close(c.done) }) }

// send queues frame v for the writer; false once the writer is gone.
func (c *conn) send(v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	select {
	case c.out <- b:
		return true
	case <-c.writerUp:
		return false
	}
}

// The frames the server sends.
type (
	readyFrame struct {
		Type  string `json:"type"` // "ready"
		Token string `json:"token"`
	}
	itemFrame struct {
		Type string          `json:"type"` // "item"
		Seq  string          `json:"seq"`
		Item json.RawMessage `json:"item"`
	}
	ackFrame struct {
		Type string `json:"type"` // "ack"
		ID   string `json:"id,omitempty"`
		Seq  string `json:"seq,omitempty"`
	}
	errorFrame struct {
		Type       string `json:"type"` // "error"
		ID         string `json:"id,omitempty"`
		Error      string `json:"error"`
		Message    string `json:"message"`
		RetryAfter int64  `json:"retry_after,omitempty"`
	}
)

// writeLoop writes until the reader stops (stop), the process stops (done) or a write
// fails; then it closes the socket, which ends the reader too.
func (c *conn) writeLoop(stop <-chan struct{}) {
	defer close(c.writerUp)
	defer c.ws.Close()
	ping := time.NewTicker(c.w.lim.PingInterval)
	defer ping.Stop()
	for {
		var err error
		select {
		case <-stop:
			return
		case <-c.done:
			c.closeWith(websocket.CloseGoingAway, "server stopping")
			return
		case b := <-c.out:
			err = c.write(websocket.TextMessage, b)
		case <-c.wake:
			err = c.flush()
		case <-ping.C:
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout))
		}
		if err != nil {
			c.log.Debug("socket closed", zap.Error(err))
			return
		}
	}
}

func (c *conn) write(typ int, b []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(typ, b)
}

// closeWith sends a close frame (best effort); the caller closes the socket.
func (c *conn) closeWith(code int, reason string) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

// flush sends every feed item after the last one sent. A feed failure closes the socket
// (1011): the script reconnects and resumes from the last item it got.
func (c *conn) flush() error {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), workTimeout)
		entries, err := c.w.feed.Read(ctx, c.visitor, c.last, readBatch)
		cancel()
		if err != nil {
			c.log.Warn("read the feed", zap.Error(err))
			c.closeWith(websocket.CloseInternalServerErr, "try again")
			return err
		}
		for _, e := range entries {
			b, err := json.Marshal(itemFrame{Type: "item", Seq: e.Seq, Item: json.RawMessage(e.Data)})
			if err != nil { // data that is not JSON: skip it rather than stall the feed
				c.log.Error("feed item is not JSON", zap.String("seq", e.Seq))
				c.last = e.Seq
				continue
			}
			if err := c.write(websocket.TextMessage, b); err != nil {
				return err
			}
			c.last = e.Seq
		}
		if len(entries) < readBatch {
			return nil
		}
	}
}

// readLoop takes the visitor's frames until the socket fails or closes.
func (c *conn) readLoop() {
	pongWait := 2 * c.w.lim.PingInterval
	extend := func() { _ = c.ws.SetReadDeadline(time.Now().Add(pongWait)) }
	c.ws.SetPongHandler(func(string) error { extend(); return nil })
	extend()
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		extend()
		f, err := parseFrame(b, c.w.lim.MaxMessageBytes)
		if err != nil {
			id := ""
			if f != nil && f.Type == frameMessage && validClientID(f.ID) {
				id = f.ID
			}
			c.refuse(id, err)
			continue
		}
		c.take(f)
	}
}

// take acts on one frame after the hello.
func (c *conn) take(f *frame) {
	if f.Type == frameHello {
		c.refuse("", badFrame("hello was said already"))
		return
	}
	if ok, wait := c.w.ips.Allow(c.ip); !ok {
		c.refuseRate(f.ID, wait)
		return
	}
	if ok, wait := c.w.visitors.Allow(c.visitor); !ok {
		c.refuseRate(f.ID, wait)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), workTimeout)
	defer cancel()
	switch f.Type {
	case frameMessage:
		seq, err := c.w.message(ctx, c.visitor, c.origin, f)
		if err != nil {
			c.refuse(f.ID, err)
			return
		}
		c.log.Debug("message taken", zap.String("id", f.ID), zap.Int("bytes", len(f.Text)))
		c.send(ackFrame{Type: "ack", ID: f.ID, Seq: seq})
	case frameRate:
		if err := c.w.rate(ctx, c.visitor, f); err != nil {
			c.refuse("", err)
			return
		}
		c.send(ackFrame{Type: "ack"})
	}
}

func (c *conn) refuse(id string, err error) {
	fe, ok := serviceError(err)
	if !ok {
		c.log.Error("frame failed", zap.String("id", id), zap.Error(err))
	} else {
		c.log.Debug("frame refused", zap.String("id", id), zap.String("error", fe.Code))
	}
	c.send(errorFrame{Type: "error", ID: id, Error: fe.Code, Message: fe.Msg})
}

func (c *conn) refuseRate(id string, wait time.Duration) {
	c.log.Debug("rate limited", zap.String("id", id))
	c.send(errorFrame{Type: "error", ID: id, Error: "rate_limited",
		Message: "you are sending messages too fast; please wait a moment", RetryAfter: retryAfter(wait)})
}
