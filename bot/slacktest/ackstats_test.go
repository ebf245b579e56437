package slacktest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/socketmode"
)

func TestAckStats(t *testing.T) {
	sim := New(t, WithAckDeadline(100*time.Millisecond))
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", false, sim.Bot(), alice)
	queued := alice.Post(ch, "before any connection")
	if st := sim.AckStats(); st.Queued != 1 || st.Written != 0 {
		t.Errorf("before a connection: %+v", st)
	}
	var n atomic.Int32
	c := startClient(t, sim, func(e socketmode.Event, sc *socketmode.Client) {
		switch n.Add(1) {
		case 2:
			time.Sleep(150 * time.Millisecond) // late
		case 3:
			return // never acked on this connection
		}
		_ = sc.Ack(*e.Request)
	})
	c.hello(t)
	c.next(t)
	sim.ExpectAck(queued.Envelope())
	alice.Post(ch, "late")
	c.next(t)
	lost := alice.Post(ch, "lost")
	c.next(t)
	deadline := time.Now().Add(5 * time.Second)
	for sim.AckStats().Acked < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for sim.AckStats().Overdue < 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := sim.AckStats()
	if st.Written != 3 || st.Acked != 2 || st.Late != 1 || st.Unacked != 1 || st.Overdue != 1 ||
		st.Dropped != 0 || st.Queued != 0 || st.Max < 150*time.Millisecond {
		t.Errorf("stats %+v", st)
	}
	sim.DropConnections() // "lost" is redelivered and acked on the new connection
	c.next(t)
	again := sim.LastEnvelope()
	if again.EventID != lost.Envelope().EventID {
		t.Fatalf("last envelope is not the redelivery of %q", "lost")
	}
	sim.ExpectAck(again)
	if st := sim.AckStats(); st.Written != 4 || st.Acked != 3 || st.Dropped != 1 || st.Unacked != 0 {
		t.Errorf("after the drop: %+v", st)
	}
}

func TestAckStats_LateAckOfADroppedEnvelope(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", false, sim.Bot(), alice)
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
	first := dial()
	read(first) // hello
	alice.Post(ch, "in flight")
	old := read(first)["envelope_id"]
	sim.DropConnections()
	second := dial()
	read(second) // hello
	again := read(second)["envelope_id"]
	// The app acks the first delivery late, over the new connection, then the redelivery.
	must(t, second.WriteJSON(map[string]any{"envelope_id": old}))
	must(t, second.WriteJSON(map[string]any{"envelope_id": again}))
	deadline := time.Now().Add(5 * time.Second)
	for len(sim.Acks()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := sim.AckStats(); st.Written != 2 || st.Acked != 1 || st.Dropped != 1 || st.Late != 0 || st.Unacked != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestRetryDelay(t *testing.T) {
	sim := New(t, WithRetryDelay(300*time.Millisecond))
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
	posted := time.Now() // before the first write
	lost := alice.Post(ch, "lost")
	c.next(t)
	sim.DropConnections()
	c.hello(t)
	later := alice.Post(ch, "posted after the drop")
	if msg, _ := messageEvent(t, c.next(t)); msg.Text != "posted after the drop" {
		t.Fatalf("first after the drop: %q, want the later message before the retry", msg.Text)
	}
	e := c.next(t)
	msg, id := messageEvent(t, e)
	if msg.Text != "lost" || id != lost.Envelope().EventID || e.Request.RetryAttempt != 1 {
		t.Errorf("retry %q %+v", msg.Text, e.Request)
	}
	if took := time.Since(posted); took < 300*time.Millisecond {
		t.Errorf("retried %v after the first write, want at least 300ms", took)
	}
	sim.ExpectAck(later.Envelope())
}
