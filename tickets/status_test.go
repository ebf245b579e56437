package tickets_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// only keeps the calls of calls that start with prefix.
func only(prefix string, calls []string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c[:strings.LastIndexByte(c, ' ')]) // without the key
		}
	}
	return out
}

func TestService_SetStatusRefusals(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	tk := h.open(t, "c1", "", "help")
	h.deliver(t)
	_, err := h.svc.SetStatus(ctx, tk.ID, alice, StatusWaiting, "", time.Time{})
	wantErr(t, err, ErrNotActive)
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	before, _ := h.store.Get(ctx, tk.ID)
	for name, c := range map[string]struct {
		to   Status
		note string
		wake time.Duration
		want error
	}{
		"closed is not a status to set":  {StatusClosed, "", 0, ErrInvalid},
		"pending is not a status to set": {StatusPending, "", 0, ErrInvalid},
		"a note without a hold":          {StatusWaiting, "why", 0, ErrInvalid},
		"a wake-up without a hold":       {StatusActive, "", time.Hour, ErrInvalid},
		"a wake-up in the past":          {StatusOnHold, "", -time.Hour, ErrInvalid},
		"a wake-up too far":              {StatusOnHold, "", 100 * 24 * time.Hour, ErrInvalid},
		"a long note":                    {StatusOnHold, strings.Repeat("x", MaxHoldNoteBytes+1), 0, ErrInvalid},
		"active already":                 {StatusActive, "", 0, ErrSameStatus},
	} {
		var wake time.Time
		if c.wake != 0 {
			wake = h.clock.Add(c.wake)
		}
		if _, err := h.svc.SetStatus(ctx, tk.ID, alice, c.to, c.note, wake); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
	h.unchanged(t, before)
	_, err = h.svc.SetStatus(ctx, tk.ID, Agent{}, StatusWaiting, "", time.Time{})
	wantErr(t, err, ErrInvalid)
}

func TestService_StatusLifecycle(t *testing.T) {
	ctx := context.Background()
	obs := &observed{}
	h := newHarness(t, func(c *Config) { c.Observer = obs })
	tk := h.open(t, "c1", "", "help")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	obs.take()

	// Waiting on the customer: the card and the inbox channel show it; the customer's
	// answer makes it active again.
	if _, err := h.svc.SetStatus(ctx, tk.ID, alice, StatusWaiting, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	calls := h.deliver(t)
	equal(t, "waiting", only("desk.", calls), []string{"desk.UpdateCard 1 C1/ts1 waiting", `desk.ShowStatus 1 active→waiting cause=""`})
	equal(t, "observed", obs.take(), []string{"status Support Team active→waiting"})
	if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c1", Message{Text: "here", SourceMessageID: "m2"}); err != nil {
		t.Fatal(err)
	}
	calls = h.deliver(t)
	equal(t, "resumed", only("desk.ShowStatus", calls), []string{`desk.ShowStatus 1 waiting→active cause="customer"`})

	// On hold until a wake-up time: the timer makes it active again, once.
	wake := h.clock.Add(time.Hour)
	got, err := h.svc.SetStatus(ctx, tk.ID, alice, StatusOnHold, "  waiting for the bank  ", wake)
	if err != nil {
		t.Fatal(err)
	}
	if hold, ok := got.Hold(); !ok || hold.Note != "waiting for the bank" || !hold.WakeAt.Equal(wake) || hold.By != alice {
		t.Fatalf("Hold = %+v, %v", hold, ok)
	}
	h.deliver(t)
	if !slices.ContainsFunc(h.store.Scheduled(), func(ev Event) bool { return ev.Type == EventWake && ev.At.Equal(wake) }) {
		t.Fatalf("no wake-up timer: %+v", h.store.Scheduled())
	}
	h.store.Fire(wake)
	h.deliver(t) // the timer ends the hold
	calls = h.deliver(t)
	equal(t, "woken", only("desk.ShowStatus", calls), []string{`desk.ShowStatus 1 on_hold→active cause="wake"`})
	// A wake-up for a hold that ended does nothing.
	if _, err := h.svc.SetStatus(ctx, tk.ID, alice, StatusOnHold, "", h.clock.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	if _, err := h.svc.SetStatus(ctx, tk.ID, alice, StatusActive, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	h.store.Fire(h.clock.Add(3 * time.Hour))
	equal(t, "a stale wake-up", only("desk.ShowStatus", h.deliver(t)), nil)
	got, _ = h.svc.Get(ctx, tk.ID)
	equal(t, "changes kept", len(got.Statuses), 6)
}

func TestService_ResolutionPausesWhileWaiting(t *testing.T) {
	ctx := context.Background()
	policy := supportSLA
	policy.Targets = map[Urgency]Targets{"": {Resolution: time.Hour}}
	h := newHarness(t, withSLA(policy))
	tk := h.open(t, "c1", "", "help")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	equal(t, "timers", h.timers(), []string{"resolution warn 09:45:01"})

	// Waiting on the customer from 09:10 to 09:40: the resolution is due 30 minutes later.
	h.at(t0.Add(10 * time.Minute))
	if _, err := h.svc.SetStatus(ctx, tk.ID, alice, StatusWaiting, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	got, _ := h.svc.Get(ctx, tk.ID)
	if due := policy.DueClocks(got, h.clock); len(due) != 1 || !due[0].Paused {
		t.Fatalf("while waiting: %+v", due)
	}
	h.at(t0.Add(40 * time.Minute))
	if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c1", Message{Text: "back", SourceMessageID: "m2", At: t0.Add(40 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	if tm := h.timers(); !slices.Contains(tm, "resolution warn 10:15:01") {
		t.Errorf("timers after the pause: %q", tm)
	}
	// The first timers fire and do nothing: the clock moved.
	h.at(t0.Add(62 * time.Minute))
	h.store.Fire(t0.Add(62 * time.Minute))
	equal(t, "moved alerts", alerts(h.deliver(t)), nil)
	equal(t, "alerts", alerts(h.fireAll(t, t0.Add(91*time.Minute))), []string{
		`desk.AlertSLA 1 resolution breach=false notify=[UALICE] escalate=""`,
		`desk.AlertSLA 1 resolution breach=true notify=[UALICE] escalate="SESC"`,
	})

	// A policy that keeps the resolution running: no pause.
	policy.ResolutionRunsPaused = true
	got, _ = h.svc.Get(ctx, tk.ID)
	got.Status = StatusWaiting
	if due := policy.DueClocks(got, h.clock); len(due) != 1 || due[0].Paused || !due[0].Due.Equal(t0.Add(time.Hour+time.Second)) {
		t.Errorf("kept running: %+v", due)
	}
}

func TestService_AutoWaiting(t *testing.T) {
	ctx := context.Background()
	policy := supportSLA
	policy.AutoWaiting = true
	h := newHarness(t, withSLA(policy))
	tk := h.open(t, "c1", "", "help")
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	if _, err := h.svc.AgentMessage(ctx, "G1", Message{Direction: FromAgent, Author: alice, Text: "does this help?", SourceMessageID: "a1"}); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	got, _ := h.svc.Get(ctx, tk.ID)
	equal(t, "status after the agent's reply", got.Status, StatusWaiting)
}
