package outbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	r := &store.Redis{}
	h := func(ctx context.Context, ev tickets.Event) error { return nil }
	o, err := New(r, "desk", h, Config{Consumer: "c"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := o.cfg; c.Block != 2*time.Second || c.Batch != 100 || c.LeaseTTL != 15*time.Second ||
		c.RetryBase != 200*time.Millisecond || c.RetryMax != time.Minute || c.MaxAttempts != 20 ||
		c.ShutdownGrace != 10*time.Second || c.StartID != "0" || c.TrimEvery != time.Minute ||
		c.AckDelay != 100*time.Millisecond {
		t.Errorf("defaults = %+v", c)
	}
	for name, cfg := range map[string]Config{
		"NoConsumer":   {},
		"NegBlock":     {Consumer: "c", Block: -1},
		"RetryMaxLow":  {Consumer: "c", RetryBase: time.Second, RetryMax: time.Millisecond},
		"NegBatch":     {Consumer: "c", Batch: -1},
		"NegAttempts":  {Consumer: "c", MaxAttempts: -1},
		"NegGrace":     {Consumer: "c", ShutdownGrace: -1},
		"NegAckDelay":  {Consumer: "c", AckDelay: -1},
		"NegBusy":      {Consumer: "c", BusyLinger: -1, BusyGap: time.Millisecond},
		"NegBusyGap":   {Consumer: "c", BusyLinger: time.Millisecond, BusyGap: -1},
		"TinyLeaseTTL": {Consumer: "c", LeaseTTL: time.Microsecond},
	} {
		if _, err := New(r, "desk", h, cfg, nil); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(nil, "desk", h, Config{Consumer: "c"}, nil); err == nil {
		t.Error("New without a store succeeded")
	}
	if _, err := New(r, "", h, Config{Consumer: "c"}, nil); err == nil {
		t.Error("New without a group succeeded")
	}
	if _, err := New(r, "desk", nil, Config{Consumer: "c"}, nil); err == nil || !strings.Contains(err.Error(), "handler") {
		t.Error("New without a handler succeeded")
	}
}

func TestWorker_Backoff(t *testing.T) {
	t.Parallel()
	o := &Worker{cfg: Config{RetryBase: 100 * time.Millisecond, RetryMax: time.Second}}
	for attempt, max := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 20 {
			if d := o.backoff(attempt, errors.New("x")); d < max/2 || d > max {
				t.Errorf("backoff(%d) = %v, want within [%v, %v]", attempt, d, max/2, max)
			}
		}
	}
	if d := o.backoff(1, &tickets.RetryAfterError{After: 42 * time.Second}); d != 42*time.Second {
		t.Errorf("backoff with Retry-After 42s = %v", d)
	}
}
