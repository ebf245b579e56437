package main

import (
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/frontdeskhq/frontdesk/bot"
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
		bot.ShortcutControl:      slack.MessageShortcut,
		bot.ShortcutAdmin:        slack.GlobalShortcut,
		bot.ShortcutSavedReply:   slack.MessageShortcut,
		bot.ShortcutCreateTicket: slack.MessageShortcut,
	} {
		if !slices.ContainsFunc(m.Features.Shortcuts, func(s slack.Shortcut) bool { return s.CallbackID == id && s.Type == typ }) {
			t.Errorf("no %s shortcut with callback_id %s", typ, id)
		}
	}
	if !slices.ContainsFunc(m.Features.SlashCommands, func(c slack.ManifestSlashCommand) bool { return c.Command == bot.CommandFrontdesk }) {
		t.Errorf("no slash command %s", bot.CommandFrontdesk)
	}
	// Exactly what the code uses: nothing missing, nothing more.
	var events []string
	if m.Settings.EventSubscriptions != nil {
		events = m.Settings.EventSubscriptions.BotEvents
	}
	if got, want := slices.Sorted(slices.Values(events)), slices.Sorted(slices.Values(bot.Events)); !slices.Equal(got, want) {
		t.Errorf("bot events = %v, want %v", got, want)
	}
	if got, want := slices.Sorted(slices.Values(m.OAuthConfig.Scopes.Bot)), slices.Sorted(maps.Keys(bot.Scopes)); !slices.Equal(got, want) {
		t.Errorf("bot scopes = %v, want %v", got, want)
	}
}
