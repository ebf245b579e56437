package slacktest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// saLimited reports whether err is Slack's 429, and its Retry-After.
func saLimited(err error) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	return 0, false
}

func saPost(api *slack.Client, ch *Channel) error {
	_, _, err := api.PostMessage(ch.ID, slack.MsgOptionText("hello", false))
	return err
}

func TestLimits_PostOneASecondPerChannel(t *testing.T) {
	sim := NewLimited(t)
	sim.DiscardUnexpected()
	a := sim.AddChannel("team-a", false, sim.Bot())
	b := sim.AddChannel("team-b", false, sim.Bot())
	api := saAPI(sim)
	for i := range 10 {
		if err := saPost(api, a); err != nil {
			t.Fatalf("post %d with the limits off: %v", i, err)
		}
	}

	sim.SetRealLimits(true)
	burst := RealLimits().PostBurst
	for i := range burst {
		if err := saPost(api, a); err != nil {
			t.Fatalf("post %d of the burst: %v", i, err)
		}
	}
	err := saPost(api, a)
	if wait, ok := saLimited(err); !ok || wait != time.Second {
		t.Fatalf("a post over the channel's burst = %v, want 429 with Retry-After 1s", err)
	}
	if err := saPost(api, b); err != nil {
		t.Errorf("another channel is limited too: %v", err)
	}
	calls := sim.Calls("chat.postMessage")
	limited := 0
	for _, c := range calls {
		if c.Error == "ratelimited" {
			limited++
			if c.Params["channel"] != a.ID || c.Params["text"] != "hello" {
				t.Errorf("the refused call is recorded with %v", c.Params)
			}
		}
	}
	if limited != 1 || len(calls) != 10+burst+2 {
		t.Errorf("calls recorded: %d, %d of them ratelimited; want %d, 1", len(calls), limited, 10+burst+2)
	}
	if n := len(a.Messages()); n != 10+burst {
		t.Errorf("%d messages in the channel, want %d: the refused one must not be posted", n, 10+burst)
	}

	// About a second later the channel takes a post again.
	time.Sleep(1100 * time.Millisecond)
	if err := saPost(api, a); err != nil {
		t.Errorf("a post a second later: %v", err)
	}

	sim.SetRealLimits(false)
	for i := range 10 {
		if err := saPost(api, a); err != nil {
			t.Fatalf("post %d after the limits went off: %v", i, err)
		}
	}
}

func TestLimits_Tiers(t *testing.T) {
	sim := NewLimited(t)
	sim.SetRealLimits(true)
	api := saAPI(sim)
	// conversations.create is Tier 2: 20 a minute, so a token every 3 s, 3 at once.
	for i := range 3 {
		if _, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "c" + itoa(i)}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "c3"})
	if wait, ok := saLimited(err); !ok || wait != 3*time.Second {
		t.Fatalf("a fourth create = %v, want 429 with Retry-After 3s", err)
	}
	// Tier 4 methods have their own buckets.
	for i := range 16 {
		if _, err := api.AuthTest(); err != nil {
			t.Fatalf("auth.test %d: %v", i, err)
		}
	}
	if _, err := api.AuthTest(); err == nil {
		t.Fatal("the 17th auth.test at once was taken, want 429")
	}
}

func TestLimits_Custom(t *testing.T) {
	sim := NewLimited(t)
	sim.DiscardUnexpected()
	chans := []*Channel{
		sim.AddChannel("one", false, sim.Bot()),
		sim.AddChannel("two", false, sim.Bot()),
		sim.AddChannel("three", false, sim.Bot()),
	}
	// The workspace-wide limit binds before the per-channel one; it refills at 10 a second.
	sim.SetLimits(&Limits{PostPerSecond: 100, PostBurst: 100, PostWorkspacePerMinute: 600, PostWorkspaceBurst: 2})
	api := saAPI(sim)
	for _, ch := range chans[:2] {
		if err := saPost(api, ch); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := saLimited(saPost(api, chans[2])); !ok {
		t.Fatal("a third post in the workspace at once was taken, want 429")
	}
	time.Sleep(150 * time.Millisecond)
	if err := saPost(api, chans[2]); err != nil {
		t.Errorf("after the bucket refilled: %v", err)
	}
	// A method no tier lists is not limited.
	for i := range 10 {
		if _, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "c" + itoa(i)}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	sim.SetLimits(nil)
	for range 5 {
		if err := saPost(api, chans[0]); err != nil {
			t.Fatal(err)
		}
	}
}

// On a simulator made by New the model cannot be installed: SetRealLimits says so.
func TestLimits_NeedsALimitedSimulator(t *testing.T) {
	rec := &recorder{}
	sim := New(rec)
	defer sim.Close()
	sim.SetRealLimits(true)
	if got := sim.Problems(); len(got) != 1 || !strings.Contains(got[0], "NewStandalone or NewLimited") {
		t.Errorf("Problems() = %q", got)
	}
}
