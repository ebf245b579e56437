package store

import (
	"context"
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
