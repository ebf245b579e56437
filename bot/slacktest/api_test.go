package slacktest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestAuth(t *testing.T) {
	ctx := context.Background()
	sim := New(t)

	got, err := newAPI(sim).AuthTestContext(ctx)
	must(t, err)
	if got.UserID != BotUserID || got.BotID != BotID || got.TeamID != TeamID {
		t.Errorf("auth.test = %+v", got)
	}
	_, err = slack.New("", slack.OptionAPIURL(sim.APIURL())).AuthTestContext(ctx)
	wantSlackError(t, err, "not_authed")
	_, err = slack.New("xoxb-wrong", slack.OptionAPIURL(sim.APIURL())).AuthTestContext(ctx)
	wantSlackError(t, err, "invalid_auth")
	_, err = slack.New(sim.AppToken, slack.OptionAPIURL(sim.APIURL())).AuthTestContext(ctx)
	wantSlackError(t, err, "not_allowed_token_type")

	// apps.connections.open takes the app-level token only.
	_, _, err = newAPI(sim).StartSocketModeContext(ctx)
	must(t, err)
	botAsApp := slack.New(sim.BotToken, slack.OptionAPIURL(sim.APIURL()), slack.OptionAppLevelToken(sim.BotToken))
	_, _, err = botAsApp.StartSocketModeContext(ctx)
	wantSlackError(t, err, "not_allowed_token_type")
}

func TestRateLimitAndFailures(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	ch := sim.AddChannel("tickets", false, sim.Bot())
	api := newAPI(sim)

	sim.RateLimit("chat.postMessage", 2, 1500*time.Millisecond)
	for range 2 {
		_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("hi", false))
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
			t.Fatalf("error = %v, want RateLimitedError after 2s", err)
		}
	}
	_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("hi", false))
	must(t, err)
	ch.ExpectMessage("hi")

	sim.FailWith("chat.update", 1, http.StatusServiceUnavailable)
	_, _, _, err = api.UpdateMessageContext(ctx, ch.ID, "1.1", slack.MsgOptionText("x", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusServiceUnavailable {
		t.Fatalf("error = %v, want StatusCodeError 503", err)
	}

	calls := sim.Calls("chat.postMessage")
	if len(calls) != 3 || calls[0].Error != "ratelimited" || calls[2].Error != "" ||
		calls[2].Params["channel"] != ch.ID || calls[2].Params["text"] != "hi" {
		t.Errorf("calls %+v", calls)
	}
	if _, ok := calls[2].Params["token"]; ok {
		t.Error("the token is recorded")
	}
}

func TestUnknownMethodFailsTheTest(t *testing.T) {
	ft := &fakeTB{TB: t}
	sim := New(ft)
	resp, err := http.PostForm(sim.APIURL()+"chat.scheduleMessage", url.Values{"token": {sim.BotToken}})
	must(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `"error":"unknown_method"`) {
		t.Errorf("body %s", body)
	}
	ft.cleanup()
	if errs := ft.errors(); len(errs) != 1 || !strings.Contains(errs[0], "chat.scheduleMessage") {
		t.Errorf("test failures %q", errs)
	}
}
