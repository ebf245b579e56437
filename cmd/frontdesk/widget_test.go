package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
)

const (
	widgetSecret = "widget-secret-0123456789-0123456789-abcdef"
	widgetOrigin = "http://shop.example.test"
)

// widgetVars turns the widget on for widgetOrigin.
func widgetVars() map[string]string {
	return map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": widgetOrigin}
}

// visitor is a website visitor's script, in Go: it holds the token, talks over the
// websocket and keeps every frame the server sends, in order.
type visitor struct {
	t      *testing.T
	addr   string // Frontdesk's host:port
	token  string
	after  string // the seq of the last item seen, for a reconnect
	ws     *websocket.Conn
	mu     sync.Mutex
	items  []map[string]any
	next   int // items before next were consumed by expect
	acks   map[string]string
	errs   []map[string]any
	closed error // why the socket closed, once it has
}

// newVisitor gets a new visitor's token from Frontdesk at addr.
func newVisitor(t *testing.T, addr string) *visitor {
	t.Helper()
	v := &visitor{t: t, addr: addr, acks: map[string]string{}}
	status, body := widgetSession(t, addr, widgetOrigin)
	if status != http.StatusCreated || body["token"] == "" {
		t.Fatalf("new session: %d %v", status, body)
	}
	v.token = body["token"].(string)
	return v
}

// widgetSession POSTs to the session endpoint from origin.
func widgetSession(t *testing.T, addr, origin string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+widget.SessionPath, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	if origin != "" && res.StatusCode < 300 && res.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Errorf("session answer lets origin %q read it, want %q", res.Header.Get("Access-Control-Allow-Origin"), origin)
	}
	return res.StatusCode, body
}

// dial opens a websocket from origin and says hello with token; it returns the socket
// and the first frame, or the close error.
func dialWidget(t *testing.T, addr, origin, token, after string) (*websocket.Conn, map[string]any, error) {
	t.Helper()
	h := http.Header{}
	h.Set("Origin", origin)
	ws, res, err := websocket.DefaultDialer.Dial("ws://"+addr+widget.SocketPath, h)
	if err != nil {
		if res != nil {
			return nil, nil, fmt.Errorf("dial: %d", res.StatusCode)
		}
		return nil, nil, err
	}
	hello, _ := json.Marshal(map[string]string{"type": "hello", "token": token, "after": after})
	if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
		ws.Close()
		return nil, nil, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(hangGuard))
	var first map[string]any
	if err := ws.ReadJSON(&first); err != nil {
		ws.Close()
		return nil, nil, err
	}
	_ = ws.SetReadDeadline(time.Time{})
	return ws, first, nil
}

// connect opens the visitor's websocket, resuming after the last item seen.
func (v *visitor) connect() {
	v.t.Helper()
	ws, ready, err := dialWidget(v.t, v.addr, widgetOrigin, v.token, v.after)
	if err != nil {
		v.t.Fatalf("connect: %v", err)
	}
	if ready["type"] != "ready" || ready["token"] == "" {
		v.t.Fatalf("first frame %v, want ready with a token", ready)
	}
	v.token = ready["token"].(string)
	v.mu.Lock()
	v.ws, v.closed = ws, nil
	v.mu.Unlock()
	v.t.Cleanup(func() { ws.Close() })
	go v.read(ws)
}

func (v *visitor) read(ws *websocket.Conn) {
	for {
		var f map[string]any
		err := ws.ReadJSON(&f)
		v.mu.Lock()
		if err != nil {
			v.closed = err
			v.mu.Unlock()
			return
		}
		switch f["type"] {
		case "item":
			it, _ := f["item"].(map[string]any)
			it["seq"] = f["seq"]
			v.items = append(v.items, it)
		case "ack":
			id, _ := f["id"].(string)
			v.acks[id], _ = f["seq"].(string)
		case "error":
			v.errs = append(v.errs, f)
		}
		v.mu.Unlock()
	}
}

func (v *visitor) send(f map[string]any) {
	v.t.Helper()
	b, _ := json.Marshal(f)
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		v.t.Fatalf("send: %v", err)
	}
}

// says sends a message and waits for the server to take it.
func (v *visitor) says(id, text string) {
	v.t.Helper()
	v.send(map[string]any{"type": "message", "id": id, "text": text})
	v.wait("the ack of "+id, func() bool { _, ok := v.acks[id]; return ok })
}

// wait waits, within hangGuard, for cond (called with v.mu held).
func (v *visitor) wait(what string, cond func() bool) {
	v.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		v.mu.Lock()
		ok, closed := cond(), v.closed
		v.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("never got %s (socket closed: %v; errors: %v; items: %v)", what, closed, v.errs, v.items)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// expect waits for the next items to be of kind with text containing each of want, in
// order, and returns the last.
func (v *visitor) expect(kind, text string) map[string]any {
	v.t.Helper()
	v.wait(kind+" "+text, func() bool { return v.next < len(v.items) })
	v.mu.Lock()
	defer v.mu.Unlock()
	it := v.items[v.next]
	v.next++
	if it["kind"] != kind || !strings.Contains(fmt.Sprint(it["text"]), text) {
		v.t.Fatalf("item %d is %v, want %s %q", v.next-1, it, kind, text)
	}
	v.after = it["seq"].(string)
	return it
}

// nothingMore fails when the visitor got items not yet expected.
func (v *visitor) nothingMore() {
	v.t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.next < len(v.items) {
		v.t.Errorf("the visitor also got %v", v.items[v.next:])
	}
}

// closeCode waits for the socket to close and returns its close code.
func (v *visitor) closeCode() int {
	v.t.Helper()
	v.wait("the socket closed", func() bool { return v.closed != nil })
	var ce *websocket.CloseError
	if errors.As(v.closed, &ce) {
		return ce.Code
	}
	return 0
}

// TestWidget_Story: a visitor's first message opens a ticket with a card; an agent picks
// it and answers; the visitor sees "agent joined" and the reply live, the transfer to
// another team and that team's pick, the chat's end and the rating question, and rates it.
func TestWidget_Story(t *testing.T) {
	t.Parallel()
	vars := widgetVars()
	vars["RATING_WINDOW"] = "1h"
	w := newWorld(t, vars)
	addr := w.d.Addr().String()

	v := newVisitor(t, addr)
	v.connect()
	v.says("m1", "Hello from the website")
	v.expect("visitor", "Hello from the website")
	card := w.support.ExpectMessage("Ticket #", "Website visitor", "Hello from the website", "Pending")
	dm := w.priya.ExpectDM("Ticket #")
	v.says("m2", "<img src=x onerror=alert(1)>")
	v.expect("visitor", "<img src=x onerror=alert(1)>")
	card.ExpectReply("&lt;img src=x onerror=alert(1)&gt;") // Slack's escaping: text, not markup

	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active", "picked")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello from the website")
	inbox.ExpectMessage("&lt;img src=x")
	v.expect("accepted", "You are now chatting with an agent")
	w.alice.Post(inbox, "Hi! How can I help?")
	reply := v.expect("message", "Hi! How can I help?")
	if _, ok := reply["agent"]; ok {
		t.Errorf("the reply names its agent with show-agent-name off: %v", reply)
	}

	// Alice passes the chat to Billing, where Dan picks it.
	hi := w.alice.Post(inbox, "Let me pass you to Billing.")
	v.expect("message", "Let me pass you to Billing.")
	hi.ExpectReaction("white_check_mark")
	w.alice.Shortcut(hi, "live_chat_control")
	view := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(view, map[string]any{"lcc_action": "Transfer to another team", "lcc_team": "Billing"}); len(ack.Errors()) > 0 {
		t.Fatalf("transfer refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Transferred to Billing")
	dm.ExpectUpdate("Transferred to Billing")
	card2 := w.billing.ExpectMessage("Ticket #", "Website visitor", "Pending")
	dm2 := w.priya.ExpectDM("Ticket #")
	inbox.ExpectMessage("Transferred to Billing")
	if it := v.expect("transferred", ""); it["team"] != "Billing" {
		t.Errorf("transferred item %v, want team Billing", it)
	}
	w.dan.Click(card2, "Pick")
	inbox.ExpectMember(w.dan)
	card2.ExpectUpdate("Processing by")
	dm2.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Active", "picked")
	v.expect("accepted", "Billing")

	last := w.dan.Post(inbox, "All done, bye!")
	v.expect("message", "All done, bye!")
	last.ExpectReaction("white_check_mark")
	w.dan.Shortcut(last, "live_chat_control")
	view = w.dan.ExpectView("Live Chat Control")
	if ack := w.dan.Submit(view, map[string]any{"lcc_action": "End the live chat", "lcc_reason": "solved"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card2.ExpectUpdate("Closed by")
	dm2.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	ended := v.expect("ended", "ended")
	if q, _ := ended["rating_question"].(string); q == "" {
		t.Fatalf("the ended item asks for no rating: %v", ended)
	}
	v.send(map[string]any{"type": "rate", "rating": 5})
	v.expect("rated", "")
	card2.ExpectUpdate("Rating:", "5/5")
	dm2.ExpectUpdate("5/5")
	inbox.ExpectMessage("rated the chat", "5/5")
	v.nothingMore()
	// Visitors' text and tokens never reach the logs.
	logs := w.d.logs.String()
	for _, secret := range []string{"Hello from the website", "All done", v.token, strings.Split(v.token, ".")[3]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs show %q", secret)
		}
	}
}

// TestWidget_SessionIsolation: a visitor reads only their own chat. Another visitor's
// socket never gets their items; a token forged, signed with another secret, or made of
// the other visitor's id is refused (4401) and changes nothing.
func TestWidget_SessionIsolation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, widgetVars())
	addr := w.d.Addr().String()
	alice := newVisitor(t, addr)
	alice.connect()
	alice.says("a1", "alice's secret question")
	alice.expect("visitor", "alice's secret question")
	w.support.ExpectMessage("Ticket #", "alice's secret question")
	w.priya.ExpectDM("alice's secret question")

	// Another visitor sees only their own items: had they alice's, those would come first.
	bob := newVisitor(t, addr)
	bob.connect()
	bob.says("b1", "bob here")
	bob.expect("visitor", "bob here")
	bob.nothingMore()
	w.support.ExpectMessage("Ticket #", "bob here")
	w.priya.ExpectDM("bob here")

	// Tokens that are not the server's: each closes with 4401 before any item.
	parts := strings.Split(alice.token, ".") // v1.<visitor>.<issued>.<mac>
	bobParts := strings.Split(bob.token, ".")
	forged := []string{
		parts[1], // the bare visitor id
		strings.Join([]string{parts[0], parts[1], parts[2], bobParts[3]}, "."),                // bob's signature on alice's id
		strings.Join([]string{parts[0], bobParts[1], parts[2], parts[3]}, "."),                // alice's signature on bob's id
		strings.Join([]string{parts[0], parts[1], "99999999999", parts[3]}, "."),              // another issue time
		strings.Join([]string{parts[0], parts[1], parts[2], parts[3][:len(parts[3])-2]}, "."), // cut signature
	}
	for _, tok := range forged {
		ws, first, err := dialWidget(t, addr, widgetOrigin, tok, "")
		if err == nil {
			ws.Close()
			t.Fatalf("token %q got %v, want the socket closed", tok, first)
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4401 {
			t.Errorf("token %q: %v, want close 4401", tok, err)
		}
	}
	// Signed with another secret: same answer.
	other := newWorld(t, map[string]string{"WIDGET_SECRET": strings.Repeat("z", 40), "WIDGET_ALLOWED_ORIGINS": widgetOrigin})
	stranger := newVisitor(t, other.d.Addr().String())
	if _, _, err := dialWidget(t, addr, widgetOrigin, stranger.token, ""); err == nil || !strings.Contains(err.Error(), "4401") {
		t.Errorf("a token of another install: %v, want close 4401", err)
	}
	alice.nothingMore()
}

// TestWidget_Origins: only the allowed origins get a session or a socket.
func TestWidget_Origins(t *testing.T) {
	t.Parallel()
	w := newWorld(t, widgetVars())
	addr := w.d.Addr().String()
	for _, origin := range []string{"http://evil.example.test", "", "null", widgetOrigin + ".evil.test", strings.ToUpper(widgetOrigin)} {
		if status, body := widgetSession(t, addr, origin); status != http.StatusForbidden || body["error"] != "origin_not_allowed" {
			t.Errorf("session from %q: %d %v, want 403 origin_not_allowed", origin, status, body)
		}
	}
	v := newVisitor(t, addr)
	if _, _, err := dialWidget(t, addr, "http://evil.example.test", v.token, ""); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("a socket from another origin: %v, want 403", err)
	}
	// The script itself is for any page (a <script> sends no Origin); it works only
	// where the socket is allowed.
	res, err := http.Get("http://" + addr + widget.ScriptPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("GET %s: %d %s", widget.ScriptPath, res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestWidget_ReconnectAfterRestart: Frontdesk stops mid-chat (the socket closes with
// 1001) and starts again on the same address; the visitor reconnects after the last item
// it got and gets what came since, once, and a message resent because its ack was lost is
// relayed once.
func TestWidget_ReconnectAfterRestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, widgetVars())
	addr := w.d.Addr().String()
	w.vars["HTTP_ADDR"] = addr
	v := newVisitor(t, addr)
	v.connect()
	v.says("r1", "before the restart")
	v.expect("visitor", "before the restart")
	card := w.support.ExpectMessage("Ticket #", "before the restart")
	dm := w.priya.ExpectDM("before the restart")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active", "picked")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("before the restart")
	v.expect("accepted", "")
	w.alice.Post(inbox, "first reply").ExpectReaction("white_check_mark")
	v.expect("message", "first reply")

	w.d.stop(t)
	if code := v.closeCode(); code != websocket.CloseGoingAway {
		t.Errorf("the socket closed with %d, want %d (going away)", code, websocket.CloseGoingAway)
	}
	w.sim.ExpectConnections(0)
	w.d = startDesk(t, w.sim, w.src, w.vars)

	v.connect() // resumes after "first reply"
	w.alice.Post(inbox, "second reply").ExpectReaction("white_check_mark")
	v.expect("message", "second reply")
	v.says("r1", "before the restart") // a resend: already taken
	v.says("r2", "after the restart")
	v.expect("visitor", "after the restart")
	inbox.ExpectMessage("after the restart")
	v.nothingMore()
	n := 0
	for _, m := range inbox.Messages() {
		if strings.Contains(m.Text(), "before the restart") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the inbox shows the resent message %d times, want 1", n)
	}
}

func TestLoadConfig_Widget(t *testing.T) {
	c, err := loadConfig(environment(map[string]string{
		"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": "https://www.example.com/, http://localhost:3000",
		"WIDGET_TITLE": "Help", "WIDGET_COLOR": "#0F766E", "WIDGET_PRECHAT": "true", "WIDGET_LABEL": "Billing",
		"WIDGET_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7, fd00::/8, ::ffff:198.51.100.0/120",
	}))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Connectors.Widget
	if !w.Enabled() || w.Secret != widgetSecret || strings.Join(w.AllowedOrigins, " ") != "https://www.example.com http://localhost:3000" ||
		w.Title != "Help" || w.Color != "#0F766E" || w.Greeting != widget.DefaultGreeting || !w.PreChat || w.Label != "Billing" {
		t.Fatalf("widget config %+v", w)
	}
	if fmt.Sprint(w.TrustedProxies) != "[10.0.0.0/8 192.0.2.7/32 fd00::/8 198.51.100.0/24]" {
		t.Errorf("trusted proxies %v", w.TrustedProxies)
	}
	if off, _ := loadConfig(environment(nil)); off.Connectors.Widget.Enabled() {
		t.Error("the widget is on without WIDGET_SECRET")
	}
	for name, tc := range map[string]struct {
		vars map[string]string
		key  string
	}{
		"short secret":          {map[string]string{"WIDGET_SECRET": "short-secret", "WIDGET_ALLOWED_ORIGINS": widgetOrigin}, "WIDGET_SECRET"},
		"no origins":            {map[string]string{"WIDGET_SECRET": widgetSecret}, "WIDGET_ALLOWED_ORIGINS"},
		"origin with a path":    {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": "https://example.com/shop"}, "WIDGET_ALLOWED_ORIGINS"},
		"wildcard origin":       {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": "*"}, "WIDGET_ALLOWED_ORIGINS"},
		"colour":                {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": widgetOrigin, "WIDGET_COLOR": "blue"}, "WIDGET_COLOR"},
		"origins, no secret":    {map[string]string{"WIDGET_ALLOWED_ORIGINS": widgetOrigin}, "WIDGET_ALLOWED_ORIGINS"},
		"prechat not a bool":    {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": widgetOrigin, "WIDGET_PRECHAT": "maybe"}, "WIDGET_PRECHAT"},
		"greeting too long":     {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": widgetOrigin, "WIDGET_GREETING": strings.Repeat("g", 501)}, "WIDGET_GREETING"},
		"proxy not an address":  {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": widgetOrigin, "WIDGET_TRUSTED_PROXIES": "proxy.internal"}, "WIDGET_TRUSTED_PROXIES"},
		"every address trusted": {map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": widgetOrigin, "WIDGET_TRUSTED_PROXIES": "10.0.0.1, 0.0.0.0/0"}, "WIDGET_TRUSTED_PROXIES"},
		"secret never quoted":   {map[string]string{"WIDGET_SECRET": "secret-value-1234", "WIDGET_ALLOWED_ORIGINS": ""}, "WIDGET_SECRET"},
	} {
		_, err := loadConfig(environment(tc.vars))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: %v, want an error naming %s", name, err, tc.key)
			continue
		}
		if s := tc.vars["WIDGET_SECRET"]; s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
}

// TestWidget_TwoReplicas: two Frontdesk replicas on one Redis; the visitor has a socket on
// each. Whichever replica's outbox delivers a reply, and whichever socket a message is sent
// on, both sockets show the same items in the same order: the feed and its one Pub/Sub
// subscription per process carry them across.
func TestWidget_TwoReplicas(t *testing.T) {
	t.Parallel()
	vars := widgetVars()
	vars["SHOW_AGENT_NAME"] = "true"
	w := newWorld(t, vars)
	b := startDesk(t, w.sim, w.src, w.vars)
	w.sim.ExpectConnections(2)
	onA := newVisitor(t, w.d.Addr().String())
	onA.connect()
	onB := &visitor{t: t, addr: b.Addr().String(), token: onA.token, acks: map[string]string{}}
	onB.connect()

	onA.says("a1", "sent through replica A")
	onB.says("b1", "sent through replica B")
	card := w.support.ExpectMessage("Ticket #", "sent through replica A")
	dm := w.priya.ExpectDM("Ticket #")
	card.ExpectReply("sent through replica B")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active", "picked")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("sent through replica A")
	inbox.ExpectMessage("sent through replica B")
	for i := range 3 {
		w.alice.Post(inbox, fmt.Sprintf("reply %d", i)).ExpectReaction("white_check_mark")
	}
	for _, v := range []*visitor{onA, onB} {
		v.expect("visitor", "sent through replica A")
		v.expect("visitor", "sent through replica B")
		v.expect("accepted", "")
		for i := range 3 {
			if it := v.expect("message", fmt.Sprintf("reply %d", i)); it["agent"] != "Alice" {
				t.Errorf("with show-agent-name on, reply %d names %v, want Alice", i, it["agent"])
			}
		}
		v.nothingMore()
	}
	if fmt.Sprint(onA.items) != fmt.Sprint(onB.items) {
		t.Errorf("the replicas' sockets differ:\nA: %v\nB: %v", onA.items, onB.items)
	}
}
