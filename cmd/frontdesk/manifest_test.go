package main

import (
	"os"
	"slices"
	"testing"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"
)

// TestManifest decodes manifest.yaml strictly into slack-go's Manifest, so a misspelt or
// misplaced field fails here rather than in Slack's app settings, and checks what
// Frontdesk relies on.
func TestManifest(t *testing.T) {
	f, err := os.Open("../../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var m slack.Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}

	if !m.Settings.SocketModeEnabled {
		t.Error("socket_mode_enabled is off; Frontdesk connects over Socket Mode")
	}
	if m.Settings.Interactivity == nil || !m.Settings.Interactivity.IsEnabled {
		t.Error("interactivity is off; Pick buttons and shortcuts need it")
	}
	if !m.Features.AppHome.HomeTabEnabled {
		t.Error("the App Home tab is off; the admin panel button lives there")
	}
	for id, typ := range map[string]slack.ShortcutType{
		"live_chat_control": slack.MessageShortcut,
		"frontdesk_admin":   slack.GlobalShortcut,
	} {
		if !slices.ContainsFunc(m.Features.Shortcuts, func(s slack.Shortcut) bool { return s.CallbackID == id && s.Type == typ }) {
			t.Errorf("no %s shortcut with callback_id %s", typ, id)
		}
	}
	var events []string
	if m.Settings.EventSubscriptions != nil {
		events = m.Settings.EventSubscriptions.BotEvents
	}
	for _, ev := range []string{"message.channels", "message.groups", "member_joined_channel", "app_home_opened"} {
		if !slices.Contains(events, ev) {
			t.Errorf("bot event %s is not subscribed", ev)
		}
	}
	for _, scope := range []string{
		"chat:write", "channels:read", "channels:history", "channels:manage", "groups:read",
		"groups:history", "groups:write", "users:read", "im:write", "reactions:write", "commands",
	} {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, scope) {
			t.Errorf("bot scope %s is missing", scope)
		}
	}
}
