package slacktest

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestLatency(t *testing.T) {
	sim := New(t, WithLatency(120*time.Millisecond))
	ch := sim.AddChannel("slow", false, sim.Bot())
	api := newAPI(sim)
	start := time.Now()
	_, _, err := api.PostMessageContext(context.Background(), ch.ID, slack.MsgOptionText("late", false))
	must(t, err)
	if took := time.Since(start); took < 120*time.Millisecond {
		t.Errorf("a call took %v with 120ms of latency", took)
	}
	ch.ExpectMessage("late")

	sim.SetLatency(0)
	start = time.Now()
	_, err = api.AuthTestContext(context.Background())
	must(t, err)
	if took := time.Since(start); took >= 120*time.Millisecond {
		t.Errorf("a call took %v after SetLatency(0)", took)
	}
}
