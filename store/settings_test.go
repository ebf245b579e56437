package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_Settings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)

	if _, err := r.LoadSettings(ctx); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("LoadSettings before any save = %v, want ErrNotFound", err)
	}
	want := &tickets.Settings{
		TicketingChannels: []tickets.Team{support, tech},
		DefaultTeam:       tech.ChannelID,
		PriorityGroup:     []tickets.AgentID{alice.ID},
		ShowAgentName:     true,
		Templates:         tickets.Templates{Picked: "Hi, {agent} here."},
	}
	if err := r.SaveSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := r.LoadSettings(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LoadSettings = %+v, %v; want %+v", got, err, want)
	}

	c.Set(ctx, r.keys.settings(), "{not json", 0)
	if _, err := r.LoadSettings(ctx); err == nil || errors.Is(err, tickets.ErrNotFound) ||
		!strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("LoadSettings of bad JSON = %v, want a clear error", err)
	}
}

// Settings saved before the sinks' settings moved under "sinks" kept Vitally's as
// "vitally": they are read as the Vitally sink's, and a later save keeps them there.
func TestRedis_SettingsSavedBeforeSinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	const vitally = `{"api_url":"https://acme.rest.vitally.io","secret":"sk","push_new":true,"update_existing":false}`
	c.Set(ctx, r.keys.settings(), `{"ticketing_channels":[{"channel_id":"C0SUPPORT","label":"Support"}],"vitally":`+vitally+`}`, 0)
	got, err := r.LoadSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Sinks["vitally"]) != vitally {
		t.Fatalf("the Vitally sink's settings = %s, want %s", got.Sinks["vitally"], vitally)
	}
	got.Sinks["vitally"] = json.RawMessage(`{"api_url":"https://acme.rest.vitally.io","secret":"sk2"}`)
	if err := r.SaveSettings(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := r.LoadSettings(ctx)
	if err != nil || string(again.Sinks["vitally"]) != `{"api_url":"https://acme.rest.vitally.io","secret":"sk2"}` {
		t.Errorf("after a save: %s, %v; want the new settings, not the old field's", again.Sinks["vitally"], err)
	}
}
