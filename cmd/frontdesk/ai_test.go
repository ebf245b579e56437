package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/ai"
	"github.com/frontdeskhq/frontdesk/connectors/ai/aitest"
)

// aiWorld is a world with AI enrichment on, against a fake endpoint playing model.
func aiWorld(t *testing.T, model aitest.Model, vars map[string]string) (*world, *aitest.Server) {
	t.Helper()
	fake := aitest.New("ai-key")
	t.Cleanup(fake.Close)
	fake.SetModel(model)
	env := map[string]string{"AI_BASE_URL": fake.BaseURL(), "AI_API_KEY": "ai-key", "AI_MODEL": "gpt-5-mini"}
	for k, v := range vars {
		env[k] = v
	}
	return newWorld(t, env), fake
}

// TestAI_ReasoningModelEnriches: an endpoint whose model refuses any temperature but its
// default (OpenAI's GPT-5 family) still enriches: Frontdesk sends none unless
// AI_TEMPERATURE is set.
func TestAI_ReasoningModelEnriches(t *testing.T) {
	t.Parallel()
	w, fake := aiWorld(t, aitest.DefaultTemperatureOnly, nil)
	tk := w.d.open(t, "ai-r1", "Support Team", "Carol", "my campaign emails bounce!!")
	card := w.support.ExpectMessage("Ticket #")
	card.ExpectUpdate("Emails bounce", "Urgency:", "High")
	reqs := fake.Requests()
	if len(reqs) != 1 || reqs[0].Temperature != "" || reqs[0].Refused {
		t.Errorf("requests %+v, want one without a temperature", reqs)
	}
	if strays := fake.Strays(); len(strays) > 0 {
		t.Errorf("the fake refused %q", strays)
	}
	got, err := w.d.Service().Get(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := got.Syncs[ai.Name]; ok {
		t.Errorf("AI status %+v, want none", s)
	}
	w.sim.DiscardUnexpected()
}

// TestAI_RefusedTemperatureIsShown: with AI_TEMPERATURE set and a model that refuses it,
// the log and the ticket's AI status (under its card) name the parameter and say to unset
// AI_TEMPERATURE; the call is not retried.
func TestAI_RefusedTemperatureIsShown(t *testing.T) {
	t.Parallel()
	w, fake := aiWorld(t, aitest.DefaultTemperatureOnly, map[string]string{"AI_TEMPERATURE": "0"})
	const said = "my campaign emails bounce!!"
	tk := w.d.open(t, "ai-r2", "Support Team", "Carol", said)
	card := w.support.ExpectMessage("Ticket #")
	card.ExpectReply("AI enrichment: not synced", "refused the parameter temperature", "unsupported_value", "unset AI_TEMPERATURE")

	got, err := w.d.Service().Get(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Syncs[ai.Name]; s.Synced || !strings.Contains(s.Reason, "unset AI_TEMPERATURE") {
		t.Errorf("AI status %+v", s)
	}
	if got.Title == "Emails bounce" || got.Urgency != "" || len(got.AITags) > 0 {
		t.Errorf("suggestions recorded: title %q, urgency %q, AI tags %q", got.Title, got.Urgency, got.AITags)
	}
	// The outbox gives the event up at once: a permanent refusal.
	waitFor(t, func() bool { return strings.Contains(w.d.logs.String(), "giving up on outbox entry") })
	logs := w.d.logs.String()
	for _, want := range []string{"the AI endpoint refused a parameter", `"param":"temperature"`, `"code":"unsupported_value"`, "unset AI_TEMPERATURE"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q", want)
		}
	}
	for _, bad := range []string{said, "Only the default", "with this model"} {
		if strings.Contains(logs, bad) {
			t.Errorf("the logs show %q", bad)
		}
	}
	time.Sleep(300 * time.Millisecond) // time for a retry, were there one
	reqs := fake.Requests()
	if len(reqs) != 1 || reqs[0].Temperature != "0" || !reqs[0].Refused {
		t.Errorf("requests %+v, want one, with temperature 0, refused", reqs)
	}
	w.sim.DiscardUnexpected()
}
