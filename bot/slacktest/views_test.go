package slacktest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func modal(title string, lines ...string) slack.ModalViewRequest {
	var blocks []slack.Block
	for _, l := range lines {
		blocks = append(blocks, slack.NewSectionBlock(text(l), nil, nil))
	}
	return slack.ModalViewRequest{Type: slack.VTModal, Title: text(title), Blocks: slack.Blocks{BlockSet: blocks}}
}

func TestViewsOpenTriggers(t *testing.T) {
	ctx := context.Background()
	sim := New(t, WithTriggerTTL(50*time.Millisecond))
	alice := sim.AddUser("alice")
	api := newAPI(sim)

	trig := triggerFor(sim, alice)
	resp, err := api.OpenViewContext(ctx, trig, modal("Live Chat Control", "Transfer or end"))
	must(t, err)
	if resp.View.ID == "" || resp.View.Hash == "" || resp.View.Title.Text != "Live Chat Control" || resp.View.RootViewID != resp.View.ID {
		t.Errorf("view %+v", resp.View)
	}
	v := alice.ExpectView("Transfer or end")
	if v.ID != resp.View.ID || v.Title() != "Live Chat Control" || !v.IsOpen() {
		t.Errorf("ExpectView = %s %q", v.ID, v.Title())
	}

	_, err = api.OpenViewContext(ctx, trig, modal("Again"))
	wantSlackError(t, err, "exchanged_trigger_id")
	_, err = api.OpenViewContext(ctx, "123.456.789", modal("Unknown"))
	wantSlackError(t, err, "invalid_trigger_id")
	late := triggerFor(sim, alice)
	time.Sleep(80 * time.Millisecond)
	_, err = api.OpenViewContext(ctx, late, modal("Late"))
	wantSlackError(t, err, "expired_trigger_id")
	_, err = api.OpenViewContext(ctx, triggerFor(sim, alice), modal(strings.Repeat("t", 25)))
	wantSlackError(t, err, "invalid_arguments")
}

func TestViewsUpdateAndPush(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	api := newAPI(sim)
	req := modal("Admin panel", "Loading…")
	req.ExternalID = "admin-alice"
	opened, err := api.OpenViewContext(ctx, triggerFor(sim, alice), req)
	must(t, err)

	updated, err := api.UpdateViewContext(ctx, modal("Admin panel", "Ticketing channels"), "", opened.View.Hash, opened.View.ID)
	must(t, err)
	v := alice.ExpectView("Ticketing channels") // matches the modal as it is now
	if updated.View.ID != opened.View.ID || updated.View.Hash == opened.View.Hash {
		t.Errorf("update kept id %s, hash %s → %s", updated.View.ID, opened.View.Hash, updated.View.Hash)
	}
	_, err = api.UpdateViewContext(ctx, modal("Admin panel", "stale"), "", opened.View.Hash, opened.View.ID)
	wantSlackError(t, err, "hash_conflict")
	_, err = api.UpdateViewContext(ctx, modal("Admin panel", "Priority group"), "admin-alice", "", "")
	must(t, err)
	v.ExpectUpdate("Priority group")
	_, err = api.UpdateViewContext(ctx, modal("x"), "", "", "V404")
	wantSlackError(t, err, "not_found")

	for i := range 2 {
		pushed, err := api.PushViewContext(ctx, triggerFor(sim, alice), modal("Step", "step "+string(rune('2'+i))))
		must(t, err)
		if pushed.View.RootViewID != opened.View.ID {
			t.Errorf("root %s, want %s", pushed.View.RootViewID, opened.View.ID)
		}
		alice.ExpectView("step")
	}
	_, err = api.PushViewContext(ctx, triggerFor(sim, alice), modal("Step", "step 4"))
	wantSlackError(t, err, "push_limit_reached")
}

func TestViewsPublish(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	api := newAPI(sim)
	home := func(line string) slack.HomeTabViewRequest {
		return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(text(line), nil, nil)}}}
	}
	first, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: alice.ID, View: home("Welcome")})
	must(t, err)
	alice.ExpectHome("Welcome")
	stale := first.View.Hash
	second, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: alice.ID, View: home("Hello again"), Hash: &stale})
	must(t, err)
	if second.View.ID != first.View.ID {
		t.Errorf("home view id changed: %s → %s", first.View.ID, second.View.ID)
	}
	alice.ExpectHome("Hello again")
	_, err = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: alice.ID, View: home("x"), Hash: &stale})
	wantSlackError(t, err, "hash_conflict")
	_, err = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U404", View: home("x")})
	wantSlackError(t, err, "user_not_found")
}
