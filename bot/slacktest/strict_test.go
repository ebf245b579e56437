package slacktest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestStrictnessCatchesWhatTheTestDidNotExpect(t *testing.T) {
	ctx := context.Background()
	ft := &fakeTB{TB: t}
	sim := New(ft)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)
	for _, text := range []string{"New chat from Ann", "New chat from Bob"} {
		_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText(text, false))
		must(t, err)
	}
	_, err := api.PostEphemeralContext(ctx, ch.ID, alice.ID, slack.MsgOptionText("only admins", false))
	must(t, err)
	ch.ExpectMessage("from Bob")

	ft.cleanup()
	errs := ft.errors()
	if len(errs) != 1 || !strings.Contains(errs[0], `message in #tickets: "New chat from Ann"`) ||
		!strings.Contains(errs[0], `ephemeral in #tickets: "only admins"`) || strings.Contains(errs[0], "Bob") {
		t.Errorf("failures %q", errs)
	}
}

func TestStrictnessEscapeHatches(t *testing.T) {
	ctx := context.Background()
	for _, relax := range []func(*Sim){
		func(s *Sim) { s.Ignore("reminder") },
		func(s *Sim) { s.DiscardUnexpected() },
	} {
		ft := &fakeTB{TB: t}
		sim := New(ft)
		ch := sim.AddChannel("tickets", false, sim.Bot())
		relax(sim)
		_, _, err := newAPI(sim).PostMessageContext(ctx, ch.ID, slack.MsgOptionText("reminder: ticket 4 waits", false))
		must(t, err)
		ft.cleanup()
		if errs := ft.errors(); len(errs) != 0 {
			t.Errorf("failures %q", errs)
		}
	}
}

func TestExpectTimesOutListingWhatIsThere(t *testing.T) {
	ft := &fakeTB{TB: t}
	sim := New(ft, WithTimeout(50*time.Millisecond))
	ch := sim.AddChannel("tickets", false, sim.Bot())
	_, _, err := newAPI(sim).PostMessageContext(context.Background(), ch.ID, slack.MsgOptionText("Pending", false))
	must(t, err)
	inGoroutine(func() { ch.ExpectMessage("Processing") })
	errs := ft.errors()
	if len(errs) != 1 || !strings.Contains(errs[0], `message ["Processing"] in #tickets`) || !strings.Contains(errs[0], `"Pending"`) {
		t.Errorf("failures %q", errs)
	}
	sim.DiscardUnexpected()
	ft.cleanup()
}

func TestUnackedEventsFailTheTest(t *testing.T) {
	ft := &fakeTB{TB: t}
	sim := New(ft, WithAckDeadline(50*time.Millisecond))
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("c", false, sim.Bot(), alice)
	c := startClient(t, sim, func(socketmode.Event, *socketmode.Client) {}) // never acks
	alice.Post(ch, "hello")
	c.next(t)
	ft.cleanup()
	if errs := ft.errors(); len(errs) != 1 || !strings.Contains(errs[0], "never acked 1 envelope") {
		t.Errorf("failures %q", errs)
	}
}
