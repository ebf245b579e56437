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

	// A replica of the earlier version, in a rolling upgrade or after a rollback, reads
	// the settings where it always did, and what it saves back (without "sinks") is read.
	raw, err := c.Get(ctx, r.keys.settings()).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var earlier struct {
		TicketingChannels []tickets.Team  `json:"ticketing_channels"`
		Vitally           json.RawMessage `json:"vitally"`
	}
	if err := json.Unmarshal(raw, &earlier); err != nil || string(earlier.Vitally) != `{"api_url":"https://acme.rest.vitally.io","secret":"sk2"}` {
		t.Fatalf("an earlier version reads Vitally's settings as %s (%v) in %s", earlier.Vitally, err, raw)
	}
	earlier.Vitally = json.RawMessage(`{"api_url":"https://acme.rest.vitally.io","secret":"sk3"}`)
	b, _ := json.Marshal(earlier)
	c.Set(ctx, r.keys.settings(), b, 0)
	back, err := r.LoadSettings(ctx)
	if err != nil || string(back.Sinks["vitally"]) != string(earlier.Vitally) {
		t.Errorf("after an earlier version's save: %s, %v; want %s", back.Sinks["vitally"], err, earlier.Vitally)
	}
}
