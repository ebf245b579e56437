package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

const testOrigin = "https://shop.example.com"

// hangGuard bounds every wait; the tests wait for conditions, never for time.
const hangGuard = 20 * time.Second

// The teams of the ticket service: "Billing" is not the default team, so that the
// widget's label shows in the ticket's team.
var teams = []tickets.Team{{ChannelID: "C_SUPPORT", Label: "Support"}, {ChannelID: "C_BILLING", Label: "Billing"}}

// rig is a widget served over HTTP with its Run going, on the real ticket service over
// storetest's in-memory store and an in-memory feed.
type rig struct {
	w    *Widget
	tk   *tickets.Service
	mem  *storetest.Memory
	feed *memFeed
	srv  *httptest.Server
	stop func()
}

// rigConfig is what a test may change of the widget it gets: the operator's settings
// and the limits.
type rigConfig struct {
	Config
	limits
	uploads Uploads // on, in memory, unless a test turns it off
}

// testPublicURL is the PUBLIC_URL of the rigs' widgets.
const testPublicURL = "https://desk.example.com"

func newRig(t *testing.T, mod func(*rigConfig)) *rig {
	t.Helper()
	cfg := rigConfig{Config: Config{Secret: strings.Repeat("s", 32), AllowedOrigins: []string{testOrigin}},
		uploads: Uploads{Store: newMemFiles(), PublicURL: testPublicURL}}
	if mod != nil {
		mod(&cfg)
	}
	r := &rig{feed: newMemFeed()}
	r.tk, r.mem = storetest.NewService(t, func(c *tickets.Config) { c.Initial.TicketingChannels = teams })
	var err error
	if r.w, err = newWidget(cfg.Config, cfg.limits, r.tk, r.feed, cfg.uploads, zaptest.NewLogger(t)); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range r.w.Routes() {
		mux.Handle(p, h)
	}
	r.srv = httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.w.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done }
	t.Cleanup(func() {
		r.stop()
		r.srv.Close()
		heldMu.Lock()
		clear(held) // a closed socket's address may be reused
		heldMu.Unlock()
	})
	return r
}

// open returns visitor's open ticket, failing the test without one.
func (r *rig) open(t *testing.T, visitor string) *tickets.Ticket {
	t.Helper()
	tk, err := r.mem.FindOpen(context.Background(), Source, visitor)
	if err != nil {
		t.Fatalf("visitor %s has no open ticket: %v", visitor, err)
	}
	return tk
}

// transcript returns the messages of visitor's open ticket.
func (r *rig) transcript(t *testing.T, visitor string) []tickets.Message {
	t.Helper()
	ms, err := r.tk.Transcript(context.Background(), r.open(t, visitor).ID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// texts returns the texts of visitor's open ticket's messages.
func (r *rig) texts(t *testing.T, visitor string) []string {
	t.Helper()
	var out []string
	for _, m := range r.transcript(t, visitor) {
		out = append(out, m.Text)
	}
	return out
}

// opened returns how many tickets were opened since it was last called, from the events
// the store appended (which it then forgets).
func (r *rig) opened() int {
	n := 0
	for _, ev := range r.mem.Drain() {
		if ev.Type == tickets.EventOpened {
			n++
		}
	}
	return n
}

// token is a new visitor's token, and the visitor.
func (r *rig) token() (string, string) {
	v := newVisitorID()
	return r.w.signer.issue(v, time.Now()), v
}

// dial connects from origin and says hello with token, returning the socket and the
// first frame (or the error that closed it).
func (r *rig) dial(origin, token, after string) (*websocket.Conn, map[string]any, error) {
	h := http.Header{}
	h.Set("Origin", origin)
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http")+SocketPath, h)
	if err != nil {
		if res != nil {
			return nil, nil, fmt.Errorf("status %d", res.StatusCode)
		}
		return nil, nil, err
	}
	b, _ := json.Marshal(map[string]string{"type": "hello", "token": token, "after": after})
	_ = ws.WriteMessage(websocket.TextMessage, b)
	f, err := readFrame(ws)
	if err != nil {
		ws.Close()
		return nil, nil, err
	}
	return ws, f, nil
}

func (r *rig) connect(t *testing.T) (*websocket.Conn, string) {
	t.Helper()
	tok, v := r.token()
	ws, f, err := r.dial(testOrigin, tok, "")
	if err != nil || f["type"] != "ready" {
		t.Fatalf("connect: %v %v", f, err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, v
}

func readFrame(ws *websocket.Conn) (map[string]any, error) {
	_ = ws.SetReadDeadline(time.Now().Add(hangGuard))
	var f map[string]any
	err := ws.ReadJSON(&f)
	return f, err
}

func send(t *testing.T, ws *websocket.Conn, f map[string]any) {
	t.Helper()
	if err := ws.WriteJSON(f); err != nil {
		t.Fatal(err)
	}
}

// held keeps, per socket, the frames read while waiting for another type.
var (
	heldMu sync.Mutex
	held   = map[*websocket.Conn][]map[string]any{}
)

// next returns the first frame of type typ, in arrival order among frames of that type
// (items, acks and errors interleave), failing on an error frame when typ is not one.
func next(t *testing.T, ws *websocket.Conn, typ string) map[string]any {
	t.Helper()
	heldMu.Lock()
	for i, f := range held[ws] {
		if f["type"] == typ {
			held[ws] = append(held[ws][:i:i], held[ws][i+1:]...)
			heldMu.Unlock()
			return f
		}
	}
	heldMu.Unlock()
	for {
		f, err := readFrame(ws)
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f["type"] == typ {
			return f
		}
		if f["type"] == "error" {
			t.Fatalf("waiting for %s: got %v", typ, f)
		}
		heldMu.Lock()
		held[ws] = append(held[ws], f)
		heldMu.Unlock()
	}
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

func post(t *testing.T, url, method, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestOrigins(t *testing.T) {
	r := newRig(t, nil)
	for _, origin := range []string{"https://evil.example.com", "", "null", "https://shop.example.com.evil.com", "http://shop.example.com"} {
		if res := post(t, r.srv.URL+SessionPath, http.MethodPost, origin); res.StatusCode != http.StatusForbidden || res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("session from %q: %d, ACAO %q; want 403 and no ACAO", origin, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		}
		if res := post(t, r.srv.URL+SessionPath, http.MethodOptions, origin); res.StatusCode != http.StatusForbidden {
			t.Errorf("preflight from %q: %d, want 403", origin, res.StatusCode)
		}
		tok, _ := r.token()
		if _, _, err := r.dial(origin, tok, ""); err == nil || err.Error() != "status 403" {
			t.Errorf("socket from %q: %v, want status 403", origin, err)
		}
	}
	res := post(t, r.srv.URL+SessionPath, http.MethodPost, testOrigin)
	if res.StatusCode != http.StatusCreated || res.Header.Get("Access-Control-Allow-Origin") != testOrigin {
		t.Errorf("session from the allowed origin: %d, ACAO %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	if res := post(t, r.srv.URL+SessionPath, http.MethodOptions, testOrigin); res.StatusCode != http.StatusNoContent ||
		res.Header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Errorf("preflight from the allowed origin: %d %v", res.StatusCode, res.Header)
	}
}

func TestHello(t *testing.T) {
	r := newRig(t, nil)
	tok, _ := r.token()
	for name, tc := range map[string]struct {
		frame map[string]any
		code  int
	}{
		"message first": {map[string]any{"type": "message", "id": "1", "text": "hi"}, closeBadHello},
		"not JSON":      {nil, closeBadHello},
		"forged token":  {map[string]any{"type": "hello", "token": tok[:len(tok)-3] + "AAA"}, closeUnauthorized},
		"bare visitor":  {map[string]any{"type": "hello", "token": newVisitorID()}, closeUnauthorized},
		"bad after":     {map[string]any{"type": "hello", "token": tok, "after": "0) OR 1"}, closeBadHello},
	} {
		h := http.Header{}
		h.Set("Origin", testOrigin)
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http")+SocketPath, h)
		if err != nil {
			t.Fatal(err)
		}
		if tc.frame == nil {
			_ = ws.WriteMessage(websocket.TextMessage, []byte("hello?"))
		} else {
			send(t, ws, tc.frame)
		}
		if f, err := readFrame(ws); closeCode(err) != tc.code {
			t.Errorf("%s: got %v, %v; want close %d", name, f, err, tc.code)
		}
		ws.Close()
	}
	if evs := r.mem.Drain(); r.feed.appends != 0 || len(evs) != 0 {
		t.Errorf("refused hellos changed things: %d appends, %d events %+v", r.feed.appends, len(evs), evs)
	}
}

func TestMessages(t *testing.T) {
	r := newRig(t, func(c *rigConfig) { c.Label = "Billing" })
	ws, v := r.connect(t)
	send(t, ws, map[string]any{"type": "message", "id": "m1", "text": "hello <b>there</b>", "name": "Ann", "email": "ann@example.com"})
	ack := next(t, ws, "ack")
	item := next(t, ws, "item")
	if ack["id"] != "m1" || ack["seq"] != item["seq"] {
		t.Fatalf("ack %v, item %v", ack, item)
	}
	if it := item["item"].(map[string]any); it["kind"] != kindVisitor || it["text"] != "hello <b>there</b>" || it["id"] != "m1" {
		t.Fatalf("item %v", it)
	}
	if n := r.opened(); n != 1 {
		t.Fatalf("%d tickets opened, want 1", n)
	}
	tk := r.open(t, v)
	if tk.Source != Source || tk.ConversationID != v || tk.Team.Label != "Billing" || tk.Customer.Name != "Ann" || tk.Customer.Email != "ann@example.com" ||
		tk.Customer.Fields["website"] != testOrigin || tk.Opening != "hello <b>there</b>" {
		t.Fatalf("ticket opened %+v", tk)
	}
	if ms := r.transcript(t, v); len(ms) != 1 || ms[0].SourceMessageID != "m1" || ms[0].Direction != tickets.FromCustomer {
		t.Fatalf("transcript %+v, want the opening message m1", ms)
	}
	// A second message goes to the open ticket; a resend (same id) is relayed once.
	send(t, ws, map[string]any{"type": "message", "id": "m2", "text": "second"})
	next(t, ws, "ack")
	send(t, ws, map[string]any{"type": "message", "id": "m2", "text": "second"})
	if ack := next(t, ws, "ack"); ack["id"] != "m2" {
		t.Fatalf("ack %v", ack)
	}
	if got := r.texts(t, v); len(got) != 2 || got[1] != "second" {
		t.Fatalf("relayed %q, want [hello second]", got)
	}
	if n := len(r.feed.all(v)); n != 2 {
		t.Fatalf("the feed has %d items, want 2", n)
	}
	// Anonymous: no name given.
	ws2, v2 := r.connect(t)
	send(t, ws2, map[string]any{"type": "message", "id": "x", "text": "hi"})
	next(t, ws2, "ack")
	if n := r.opened(); n != 1 {
		t.Fatalf("%d more tickets opened, want 1 (the anonymous visitor's)", n)
	}
	if tk := r.open(t, v2); tk.Customer.Name != anonymous || tk.Customer.Email != "" {
		t.Fatalf("anonymous ticket opened %+v", tk)
	}
}

func TestLimits(t *testing.T) {
	t.Run("MessageSize", func(t *testing.T) {
		r := newRig(t, func(c *rigConfig) { c.MaxMessageBytes = 10 })
		ws, v := r.connect(t)
		for text, code := range map[string]string{"12345678901": "message_too_long", "   ": "empty_message"} {
			send(t, ws, map[string]any{"type": "message", "id": "m", "text": text})
			if f := next(t, ws, "error"); f["error"] != code || f["id"] != "m" {
				t.Errorf("%q: %v, want %s", text, f, code)
			}
		}
		send(t, ws, map[string]any{"type": "message", "id": "ok", "text": "1234567890"})
		next(t, ws, "ack")
		if got := r.texts(t, v); len(got) != 1 {
			t.Errorf("relayed %q, want only the message within the limit", got)
		}
		// A frame beyond the read limit closes the socket.
		send(t, ws, map[string]any{"type": "message", "id": "big", "text": strings.Repeat("x", maxFrameBytes)})
		for {
			if _, err := readFrame(ws); err != nil {
				if closeCode(err) != websocket.CloseMessageTooBig {
					t.Errorf("an oversized frame: %v, want close 1009", err)
				}
				break
			}
		}
	})
	t.Run("VisitorRate", func(t *testing.T) {
		r := newRig(t, func(c *rigConfig) { c.VisitorRate, c.VisitorBurst = 0.001, 2 })
		ws, v := r.connect(t)
		for i := range 2 {
			send(t, ws, map[string]any{"type": "message", "id": fmt.Sprint("m", i), "text": "hi"})
			next(t, ws, "ack")
		}
		send(t, ws, map[string]any{"type": "message", "id": "m2", "text": "too fast"})
		f := next(t, ws, "error")
		if f["error"] != "rate_limited" || f["id"] != "m2" || f["retry_after"].(float64) < 1 {
			t.Fatalf("third message: %v, want rate_limited with retry_after", f)
		}
		if got := r.texts(t, v); len(got) != 2 {
			t.Fatalf("relayed %q, want 2 messages", got)
		}
		// Another visitor is not held up.
		ws2, _ := r.connect(t)
		send(t, ws2, map[string]any{"type": "message", "id": "o", "text": "hi"})
		next(t, ws2, "ack")
	})
	t.Run("IPRate", func(t *testing.T) {
		r := newRig(t, func(c *rigConfig) { c.IPRate, c.IPBurst = 0.001, 3 })
		for i := range 3 {
			if res := post(t, r.srv.URL+SessionPath, http.MethodPost, testOrigin); res.StatusCode != http.StatusCreated {
				t.Fatalf("session %d: %d", i, res.StatusCode)
			}
		}
		res := post(t, r.srv.URL+SessionPath, http.MethodPost, testOrigin)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("fourth session: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
		}
		tok, _ := r.token()
		if _, _, err := r.dial(testOrigin, tok, ""); err == nil || err.Error() != "status 429" {
			t.Fatalf("a socket past the IP's rate: %v, want 429", err)
		}
	})
	t.Run("IPBehindTrustedProxy", func(t *testing.T) {
		// The test server's peer is 127.0.0.1: as a trusted proxy, each visitor it
		// forwards has its own limit, and a hop the visitor forged is not believed.
		r := newRig(t, func(c *rigConfig) {
			c.SessionRate, c.SessionBurst = 0.001, 1
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		session := func(xff string) int {
			req, _ := http.NewRequest(http.MethodPost, r.srv.URL+SessionPath, nil)
			req.Header.Set("Origin", testOrigin)
			req.Header.Set("X-Forwarded-For", xff)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		for xff, want := range map[string]int{"203.0.113.1": http.StatusCreated, "203.0.113.2": http.StatusCreated} {
			if got := session(xff); got != want {
				t.Fatalf("the first new visitor from %s: %d, want %d", xff, got, want)
			}
		}
		if got := session("198.51.100.9, 203.0.113.1"); got != http.StatusTooManyRequests {
			t.Fatalf("a forged hop in front of 203.0.113.1: %d, want 429 (the limit of 203.0.113.1)", got)
		}
	})
	t.Run("NewVisitorsPerIP", func(t *testing.T) {
		r := newRig(t, func(c *rigConfig) { c.SessionRate, c.SessionBurst = 0.001, 2 })
		for i := range 2 {
			if res := post(t, r.srv.URL+SessionPath, http.MethodPost, testOrigin); res.StatusCode != http.StatusCreated {
				t.Fatalf("session %d: %d", i, res.StatusCode)
			}
		}
		if res := post(t, r.srv.URL+SessionPath, http.MethodPost, testOrigin); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("third new visitor from one address: %d, want 429", res.StatusCode)
		}
		// Visitors it has go on chatting.
		ws, _ := r.connect(t)
		send(t, ws, map[string]any{"type": "message", "id": "m", "text": "hi"})
		next(t, ws, "ack")
	})
	t.Run("ConnectionsPerVisitor", func(t *testing.T) {
		r := newRig(t, func(c *rigConfig) { c.MaxConnsPerVisitor = 1 })
		tok, _ := r.token()
		ws, f, err := r.dial(testOrigin, tok, "")
		if err != nil || f["type"] != "ready" {
			t.Fatalf("first socket: %v %v", f, err)
		}
		defer ws.Close()
		if _, _, err := r.dial(testOrigin, tok, ""); closeCode(err) != closeTooMany {
			t.Fatalf("second socket: %v, want close %d", err, closeTooMany)
		}
	})
}

func TestLiveAndResume(t *testing.T) {
	r := newRig(t, nil)
	tok, v := r.token()
	ws, f, err := r.dial(testOrigin, tok, "")
	if err != nil || f["type"] != "ready" {
		t.Fatalf("connect: %v %v", f, err)
	}
	defer ws.Close()
	if got, err := r.w.signer.verify(f["token"].(string), time.Now()); err != nil || got != v {
		t.Fatalf("ready's fresh token is for %q (%v), want %q", got, err, v)
	}
	// Items appended by anyone (the outbox, on another replica) reach the socket live.
	for i := range 3 {
		if _, _, err := r.feed.Append(context.Background(), v, fmt.Sprint("k", i), fmt.Appendf(nil, `{"kind":"message","text":"%d"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	var seqs []string
	for range 3 {
		seqs = append(seqs, next(t, ws, "item")["seq"].(string))
	}
	// A new socket that says it has the first item gets the other two, in order.
	ws2, _, err := r.dial(testOrigin, tok, seqs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	for _, want := range seqs[1:] {
		if got := next(t, ws2, "item")["seq"]; got != want {
			t.Fatalf("resumed item %v, want %v", got, want)
		}
	}
	// The process stops: sockets are told "going away" and the script reconnects.
	r.stop()
	if _, err := readFrame(ws); closeCode(err) != websocket.CloseGoingAway {
		t.Fatalf("after Run's end: %v, want close 1001", err)
	}
}

func TestRating(t *testing.T) {
	r := newRig(t, nil)
	ws, v := r.connect(t)
	send(t, ws, map[string]any{"type": "rate", "rating": 4})
	if f := next(t, ws, "error"); f["error"] != "no_chat" {
		t.Fatalf("a rating with no chat ended: %v", f)
	}
	send(t, ws, map[string]any{"type": "message", "id": "m", "text": "hi"})
	next(t, ws, "ack")
	if _, err := r.tk.End(context.Background(), r.open(t, v).ID, tickets.Agent{ID: "U_AGENT", Name: "Agent"}, "done"); err != nil {
		t.Fatal(err)
	}
	send(t, ws, map[string]any{"type": "rate", "rating": 4, "comment": "quick"})
	next(t, ws, "ack")
	for {
		it := next(t, ws, "item")["item"].(map[string]any)
		if it["kind"] == kindRated {
			if it["rating"].(float64) != 4 {
				t.Fatalf("rated item %v", it)
			}
			break
		}
	}
	tk, err := r.mem.FindLastClosed(context.Background(), Source, v)
	if err != nil {
		t.Fatalf("the visitor has no closed chat: %v", err)
	}
	if tk.CSAT == nil || tk.CSAT.Rating != 4 || tk.CSAT.Comment != "quick" {
		t.Fatalf("CSAT recorded %+v, want rating 4, comment \"quick\"", tk.CSAT)
	}
	send(t, ws, map[string]any{"type": "rate", "rating": 9})
	if f := next(t, ws, "error"); f["error"] != "bad_request" {
		t.Fatalf("rating 9: %v", f)
	}
}
