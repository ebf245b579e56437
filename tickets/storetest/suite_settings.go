package storetest

import (
	"encoding/json"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testSettings(t *testing.T, start starter) {
	s := start(t)
	_, err := s.LoadSettings(s.ctx)
	wantErr(t, "LoadSettings before any save", err, tickets.ErrNotFound)
	saved := tickets.Settings{
		TicketingChannels: []tickets.Team{support, tech}, DefaultTeam: tech.ChannelID, PriorityGroup: []tickets.AgentID{"U1"},
		ShowAgentName: true, Templates: tickets.Templates{Picked: "Hi, {agent} here"},
		Sinks:      map[string]json.RawMessage{"crm": json.RawMessage(`{"url":"https://crm.example.com","push":true}`)},
		Categories: []tickets.Category{{Name: "Product", Values: []string{"A", "B"}}},
	}
	mine := saved
	mine.TicketingChannels = append([]tickets.Team(nil), saved.TicketingChannels...)
	if err := s.SaveSettings(s.ctx, &mine); err != nil {
		t.Fatal(err)
	}
	mine.TicketingChannels[0].Label = "changed after the save"
	got, err := s.LoadSettings(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "loaded", *got, saved)
	got.TicketingChannels[0].Label = "changed after the load"
	again, _ := s.LoadSettings(s.ctx)
	equal(t, "loaded again", *again, saved)

	next := tickets.Settings{TicketingChannels: []tickets.Team{tech}}
	if err := s.SaveSettings(s.ctx, &next); err != nil {
		t.Fatal(err)
	}
	got, _ = s.LoadSettings(s.ctx)
	equal(t, "replaced", *got, next)
	wantErr(t, "SaveSettings(nil)", s.SaveSettings(s.ctx, nil), tickets.ErrInvalid)
}
