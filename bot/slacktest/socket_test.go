package slacktest

import (
	"context"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// messageEvent decodes an events_api envelope the way a bot would.
func messageEvent(t *testing.T, e socketmode.Event) (*slackevents.MessageEvent, string) {
	t.Helper()
	ev, ok := e.Data.(slackevents.EventsAPIEvent)
	if !ok {
		t.Fatalf("envelope data %T", e.Data)
	}
	outer := ev.Data.(*slackevents.EventsAPICallbackEvent)
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("inner event %T", ev.InnerEvent.Data)
	}
	return msg, outer.EventID
}

func TestSocketHelloEventsAndAcks(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	c := startClient(t, sim, nil)
	hello := c.hello(t)
	if hello.Request.NumConnections != 1 || hello.Request.ConnectionInfo.AppID != AppID {
		t.Errorf("hello %+v", hello.Request)
	}

	posted := alice.Post(ch, "I need help")
	e := c.next(t)
	msg, eventID := messageEvent(t, e)
	if msg.User != alice.ID || msg.Text != "I need help" || msg.Channel != ch.ID || msg.ChannelType != "group" ||
		msg.TimeStamp != posted.TS || msg.BotID != "" || eventID == "" || e.Request.RetryAttempt != 0 {
		t.Errorf("message event %+v (event %s)", msg, eventID)
	}
	ack := sim.ExpectAck(posted.Envelope())
	if ack.EnvelopeID != e.Request.EnvelopeID || ack.Type != "events_api" || ack.Latency <= 0 {
		t.Errorf("ack %+v", ack)
	}
	if n := len(sim.AckLatencies()); n != 1 {
		t.Errorf("%d ack latencies", n)
	}

	t.Run("BotPostsComeBackWithBotID", func(t *testing.T) {
		_, _, err := newAPI(sim).PostMessageContext(context.Background(), ch.ID, slack.MsgOptionText("Hi Ann", false))
		must(t, err)
		ch.ExpectMessage("Hi Ann")
		msg, _ := messageEvent(t, c.next(t))
		if msg.BotID != BotID || msg.User != BotUserID || msg.Text != "Hi Ann" {
			t.Errorf("echo %+v", msg)
		}
	})
	t.Run("Redeliver", func(t *testing.T) {
		again := sim.Redeliver(posted.Envelope())
		e2 := c.next(t)
		_, id2 := messageEvent(t, e2)
		if e2.Request.EnvelopeID == e.Request.EnvelopeID || e2.Request.EnvelopeID != again.ID ||
			e2.Request.RetryAttempt != 1 || e2.Request.RetryReason != "timeout" || id2 != eventID {
			t.Errorf("redelivery %+v, event %s (first %s)", e2.Request, id2, eventID)
		}
		sim.ExpectAck(again)
	})
}

func TestSocketReconnects(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", false, sim.Bot(), alice)
	c := startClient(t, sim, nil)
	c.hello(t)

	sim.DropConnections()
	c.hello(t) // the client came back through apps.connections.open
	dropped := alice.Post(ch, "after the drop")
	if msg, _ := messageEvent(t, c.next(t)); msg.Text != "after the drop" {
		t.Errorf("got %q", msg.Text)
	}
	// The ack travels on its own: a refresh before it arrives would have Slack send the
	// event again on the new connection, as it should.
	sim.ExpectAck(dropped.Envelope())

	sim.Disconnect("refresh_requested")
	c.hello(t)
	alice.Post(ch, "after the refresh")
	if msg, _ := messageEvent(t, c.next(t)); msg.Text != "after the refresh" {
		t.Errorf("got %q", msg.Text)
	}
	if n := len(sim.Calls("apps.connections.open")); n != 3 {
		t.Errorf("%d apps.connections.open calls, want 3", n)
	}
}

func TestSocketRedeliversWhatADroppedConnectionDidNotAck(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", false, sim.Bot(), alice)
	var first atomic.Bool
	first.Store(true)
	c := startClient(t, sim, func(e socketmode.Event, sc *socketmode.Client) {
		if !first.CompareAndSwap(true, false) { // the first delivery is lost with its connection
			_ = sc.Ack(*e.Request)
		}
	})
	c.hello(t)
	alice.Post(ch, "lost?")
	e1 := c.next(t)
	sim.DropConnections()
	e2 := c.next(t)
	_, id1 := messageEvent(t, e1)
	_, id2 := messageEvent(t, e2)
	if e2.Request.RetryAttempt != 1 || id1 != id2 || e1.Request.EnvelopeID == e2.Request.EnvelopeID {
		t.Errorf("retry %+v", e2.Request)
	}
}

func TestSocketRoundRobin(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", false, sim.Bot(), alice)
	c1 := startClient(t, sim, nil)
	c1.hello(t)
	c2 := startClient(t, sim, nil)
	if h := c2.hello(t); h.Request.NumConnections != 2 {
		t.Errorf("second hello num_connections %d", h.Request.NumConnections)
	}
	var posts []*Message
	for range 4 {
		posts = append(posts, alice.Post(ch, "m"))
	}
	for _, c := range []*client{c1, c2} {
		c.next(t)
		c.next(t)
	}
	conns := map[int]int{}
	for _, m := range posts {
		conns[sim.ExpectAck(m.Envelope()).Conn]++
	}
	if len(conns) != 2 || slices.ContainsFunc(slices.Collect(maps.Values(conns)), func(n int) bool { return n != 2 }) {
		t.Errorf("acks per connection %v", conns)
	}
}

func TestSocketLimitsAndPings(t *testing.T) {
	sim := New(t, WithPingInterval(20*time.Millisecond))
	ctx := context.Background()
	dial := func() *websocket.Conn {
		_, url, err := newAPI(sim).StartSocketModeContext(ctx)
		must(t, err)
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		must(t, err)
		t.Cleanup(func() { ws.Close() })
		return ws
	}
	read := func(ws *websocket.Conn) map[string]any {
		var m map[string]any
		must(t, ws.SetReadDeadline(time.Now().Add(5*time.Second)))
		must(t, ws.ReadJSON(&m))
		return m
	}
	var pings atomic.Int32
	first := dial()
	first.SetPingHandler(func(string) error { pings.Add(1); return nil })
	if m := read(first); m["type"] != "hello" {
		t.Fatalf("first frame %v", m)
	}
	go func() {
		for {
			if _, _, err := first.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for range 9 {
		dial()
	}
	sim.ExpectConnections(10)
	if m := read(dial()); m["type"] != "disconnect" || m["reason"] != "too_many_websockets" {
		t.Errorf("11th connection got %v", m)
	}
	deadline := time.Now().Add(5 * time.Second)
	for pings.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if pings.Load() < 3 {
		t.Errorf("%d pings", pings.Load())
	}
}
