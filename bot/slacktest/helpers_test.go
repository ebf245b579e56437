package slacktest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// newAPI is the real slack-go client pointed at the simulator, as the bot builds it.
func newAPI(sim *Sim) *slack.Client {
	return slack.New(sim.BotToken, slack.OptionAPIURL(sim.APIURL()), slack.OptionAppLevelToken(sim.AppToken))
}

// wantSlackError checks that err is Slack's {"ok":false,"error":code} as slack-go reports it.
func wantSlackError(t *testing.T, err error, code string) {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != code {
		t.Fatalf("error = %v (%T), want SlackErrorResponse %q", err, err, code)
	}
}

// check reports err without stopping: for handlers that run off the test goroutine.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// client is a running socketmode client that hands envelopes to the test.
type client struct {
	sm     *socketmode.Client
	events chan socketmode.Event // events_api and interactive, after the handler ran
	hellos chan socketmode.Event
}

// startClient runs a socketmode client until the test ends. handle answers each
// events_api and interactive envelope; nil acks at once with no payload.
func startClient(t *testing.T, sim *Sim, handle func(socketmode.Event, *socketmode.Client)) *client {
	t.Helper()
	if handle == nil {
		handle = func(e socketmode.Event, c *socketmode.Client) { _ = c.Ack(*e.Request) }
	}
	c := &client{
		sm:     socketmode.New(newAPI(sim)),
		events: make(chan socketmode.Event, 100),
		hellos: make(chan socketmode.Event, 10),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-c.sm.Events:
				switch e.Type {
				case socketmode.EventTypeHello:
					c.hellos <- e
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
					handle(e, c.sm)
					c.events <- e
				case socketmode.EventTypeErrorBadMessage: // the simulator sent something slack-go cannot decode
					t.Errorf("socketmode: %v", e.Data)
				}
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return c
}

// next waits for the next envelope the client handled.
func (c *client) next(t *testing.T) socketmode.Event {
	t.Helper()
	select {
	case e := <-c.events:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no envelope within 5s")
		return socketmode.Event{}
	}
}

// hello waits for the client's next hello.
func (c *client) hello(t *testing.T) socketmode.Event {
	t.Helper()
	select {
	case e := <-c.hellos:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no hello within 5s")
		return socketmode.Event{}
	}
}

// fakeTB records failures instead of failing, to test the simulator's own checks.
// Fatalf ends the calling goroutine, so calls that may Fatalf run in their own.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Helper()             {}
func (f *fakeTB) Logf(string, ...any) {}
func (f *fakeTB) Cleanup(fn func())   { f.cleanups = append(f.cleanups, fn) }

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errs) > 0
}

func (f *fakeTB) errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// cleanup runs the registered cleanups, last first.
func (f *fakeTB) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// inGoroutine runs f where a Fatalf may end it, and waits.
func inGoroutine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// triggerFor hands out a trigger_id for the user, as an interaction would.
func triggerFor(sim *Sim, u *User) string {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	return sim.newTrigger(u.ID)
}
