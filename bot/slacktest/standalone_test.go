package slacktest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Helpers of this file and of limits_test.go and follow_test.go are prefixed sa, so that
// they stay apart from the package's other test helpers.

func saAPI(sim *Sim) *slack.Client {
	return slack.New(sim.BotToken, slack.OptionAPIURL(sim.APIURL()), slack.OptionAppLevelToken(sim.AppToken))
}

// saApp runs a Socket Mode client against sim until the test ends; handle answers each
// events_api and interactive envelope (nil: ack at once).
func saApp(t *testing.T, sim *Sim, handle func(api *slack.Client, sm *socketmode.Client, e socketmode.Event)) {
	t.Helper()
	api := saAPI(sim)
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-sm.Events:
				if e.Type != socketmode.EventTypeEventsAPI && e.Type != socketmode.EventTypeInteractive {
					continue
				}
				if handle == nil {
					_ = sm.Ack(*e.Request)
					continue
				}
				handle(api, sm, e)
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// saEventually polls cond for up to 5 s.
func saEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStandalone_RecordsWhatWouldFailATest(t *testing.T) {
	sim := NewStandalone(WithTimeout(50 * time.Millisecond))
	defer sim.Close()
	ch := sim.AddChannel("tickets", false, sim.Bot())

	// The app calls a method the simulator does not know.
	res, err := http.PostForm(sim.APIURL()+"chat.scheduleMessage", url.Values{"token": {sim.BotToken}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// An Expect* call times out: it returns nil instead of stopping the goroutine.
	if m := ch.ExpectMessage("never posted"); m != nil {
		t.Errorf("ExpectMessage = %v, want nil after its timeout", m)
	}
	got := sim.Problems()
	if len(got) != 2 || !strings.Contains(got[0], "chat.scheduleMessage") || !strings.Contains(got[1], "never posted") {
		t.Errorf("Problems() = %q, want the unknown method, then the expectation", got)
	}
}

func TestStandalone_CloseChecksWhatWasLeft(t *testing.T) {
	sim := NewStandalone()
	ch := sim.AddChannel("tickets", false, sim.Bot())
	if _, _, err := saAPI(sim).PostMessage(ch.ID, slack.MsgOptionText("left unconsumed", false)); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	got := sim.Problems()
	if len(got) != 1 || !strings.Contains(got[0], "left unconsumed") {
		t.Errorf("Problems() after Close = %q, want the unconsumed message", got)
	}
	sim.Close() // twice is fine
}

func TestStandalone_DiscardUnexpected(t *testing.T) {
	sim := NewStandalone()
	sim.DiscardUnexpected()
	ch := sim.AddChannel("tickets", false, sim.Bot())
	if _, _, err := saAPI(sim).PostMessage(ch.ID, slack.MsgOptionText("nobody looks", false)); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	if got := sim.Problems(); got != nil {
		t.Errorf("Problems() = %q, want none", got)
	}
}

// A standalone simulator runs a whole story with a real Socket Mode client, as a load
// driver does: posts, acks, clicks.
func TestStandalone_Story(t *testing.T) {
	sim := NewStandalone()
	defer sim.Close()
	sim.DiscardUnexpected()
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("tickets", false, sim.Bot(), alice)
	var clicks sync.WaitGroup
	clicks.Add(1)
	saApp(t, sim, func(api *slack.Client, sm *socketmode.Client, e socketmode.Event) {
		_ = sm.Ack(*e.Request)
		if cb, ok := e.Data.(slack.InteractionCallback); ok && cb.Type == slack.InteractionTypeBlockActions {
			_, _, _, _ = api.UpdateMessage(cb.Channel.ID, cb.Message.Timestamp, slack.MsgOptionText("picked", false))
			clicks.Done()
		}
	})
	api := saAPI(sim)
	_, _, err := api.PostMessage(ch.ID, slack.MsgOptionText("card", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("a", slack.NewButtonBlockElement("pick", "1", slack.NewTextBlockObject("plain_text", "Pick", false, false)))))
	if err != nil {
		t.Fatal(err)
	}
	msgs := ch.MessagesAfter("")
	if len(msgs) != 1 {
		t.Fatalf("MessagesAfter = %d messages", len(msgs))
	}
	if ack := alice.Click(msgs[0], "Pick"); ack.EnvelopeID == "" {
		t.Fatal("the click was not acked")
	}
	clicks.Wait()
	saEventually(t, "the card updated", func() bool { return msgs[0].Text() == "picked" })
	if got := sim.Problems(); got != nil {
		t.Errorf("Problems() = %q", got)
	}
}

func TestStandalone_ProblemsOfATestSimulator(t *testing.T) {
	sim := New(t)
	if got := sim.Problems(); got != nil {
		t.Errorf("Problems() of a test's simulator = %q, want nil", got)
	}
}

// Many clients at once against a standalone simulator whose limits are switched on and
// off meanwhile: for the race detector.
func TestStandalone_Concurrent(t *testing.T) {
	sim := NewStandalone()
	defer sim.Close()
	sim.DiscardUnexpected()
	ch := sim.AddChannel("busy", false, sim.Bot())
	api := saAPI(sim)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 20 {
				_, _, err := api.PostMessage(ch.ID, slack.MsgOptionText("hi", false))
				var rl *slack.RateLimitedError
				if err != nil && !errors.As(err, &rl) {
					t.Errorf("client %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			sim.SetRealLimits(i%2 == 0)
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()
	if got := sim.Problems(); got != nil {
		t.Errorf("Problems() = %q", got)
	}
}

// ClientConnections counts the connections a client opens: one kept alive, or one per
// call without keep-alive.
func TestStandalone_ClientConnections(t *testing.T) {
	sim := NewStandalone()
	defer sim.Close()
	if n := sim.ClientConnections(); n != 0 {
		t.Fatalf("ClientConnections at start = %d", n)
	}
	call := func(hc *http.Client) {
		t.Helper()
		res, err := hc.PostForm(sim.APIURL()+"auth.test", url.Values{"token": {sim.BotToken}})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body) // read to the end, so the connection can be reused
		res.Body.Close()
	}
	kept := &http.Client{Transport: &http.Transport{}}
	for range 5 {
		call(kept)
	}
	if n := sim.ClientConnections(); n != 1 {
		t.Errorf("5 calls on a kept-alive connection: ClientConnections = %d, want 1", n)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		call(fresh)
	}
	if n := sim.ClientConnections(); n != 4 {
		t.Errorf("3 more calls without keep-alive: ClientConnections = %d, want 4", n)
	}
	rec := &recorder{}
	plain := New(rec)
	defer plain.Close()
	if n := plain.ClientConnections(); n != 0 || len(plain.Problems()) != 1 {
		t.Errorf("on a simulator made by New: %d, problems %q", n, plain.Problems())
	}
}
