package tickets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

func TestSettings_Validate(t *testing.T) {
	ok := func() Settings { return Settings{TicketingChannels: []Team{support, technical}} }
	for _, tc := range []struct {
		name   string
		change func(s *Settings)
		want   string // "" = valid
	}{
		{name: "Valid", change: func(*Settings) {}},
		{name: "ValidWithEverything", change: func(s *Settings) {
			s.DefaultTeam, s.PriorityGroup, s.ShowAgentName = "C2", []AgentID{"U1", "U2"}, true
			s.Templates = Templates{Picked: "Hi, {agent} here"}
		}},
		{name: "NoChannels", change: func(s *Settings) { s.TicketingChannels = nil }, want: "at least one"},
		{name: "EmptyChannel", change: func(s *Settings) { s.TicketingChannels[0].ChannelID = " " }, want: "no channel id"},
		{name: "EmptyLabel", change: func(s *Settings) { s.TicketingChannels[0].Label = "" }, want: "no label"},
		{name: "LongLabel", change: func(s *Settings) { s.TicketingChannels[0].Label = strings.Repeat("a", 81) }, want: "longer than 80"},
		{name: "DuplicateChannel", change: func(s *Settings) { s.TicketingChannels[1].ChannelID = "C1" }, want: "listed twice"},
		{name: "DuplicateLabel", change: func(s *Settings) { s.TicketingChannels[1].Label = "support team" }, want: "used twice"},
		{name: "UnknownDefault", change: func(s *Settings) { s.DefaultTeam = "C9" }, want: "not a ticketing channel"},
		{name: "EmptyPriorityUser", change: func(s *Settings) { s.PriorityGroup = []AgentID{""} }, want: "empty user id"},
		{name: "DuplicatePriorityUser", change: func(s *Settings) { s.PriorityGroup = []AgentID{"U1", "U1"} }, want: "twice"},
		{name: "LongTemplate", change: func(s *Settings) { s.Templates.Ended = strings.Repeat("x", MaxTemplateBytes+1) }, want: "ended message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok()
			tc.change(&s)
			err := s.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, ErrInvalid)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestSettings_Render(t *testing.T) {
	tk := &Ticket{Number: 135, Team: technical}
	s := Settings{}
	equal(t, "hidden name", s.Render("{agent} of {team} on {ticket}", tk, alice), "an agent of Technical Team on #135")
	s.ShowAgentName = true
	equal(t, "shown name", s.Render("{agent} of {team}", tk, alice), "Alice of Technical Team")
	equal(t, "no name known", s.Render("{agent}", tk, Agent{ID: "U1"}), "an agent")
	equal(t, "defaults fill empty templates", TemplatesOf(&s), DefaultTemplates)
}

func TestService_Settings(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	got, err := h.svc.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "initial settings while none saved", got.TicketingChannels, []Team{support, technical})
	got.TicketingChannels[0].Label = "mutated"
	again, _ := h.svc.Settings(ctx)
	equal(t, "initial settings are not shared", again.TicketingChannels[0], support)

	bad := Settings{TicketingChannels: []Team{{ChannelID: "C1"}}}
	wantErr(t, h.svc.UpdateSettings(ctx, bad), ErrInvalid)
	if _, err := h.store.LoadSettings(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("invalid settings were saved (LoadSettings: %v)", err)
	}
	next := Settings{TicketingChannels: []Team{technical}, ShowAgentName: true}
	if err := h.svc.UpdateSettings(ctx, next); err != nil {
		t.Fatal(err)
	}
	got, _ = h.svc.Settings(ctx)
	equal(t, "saved settings win", *got, next)
}

func TestNew(t *testing.T) {
	st := storetest.NewMemory()
	log := &calls{}
	for name, cfg := range map[string]Config{
		"no store":         {},
		"nil source":       {Store: st, Sources: map[string]Source{"webhook": nil}},
		"unnamed source":   {Store: st, Sources: map[string]Source{"": fakeSource{log}}},
		"nil sink":         {Store: st, Sinks: []Sink{nil}},
		"duplicate sinks":  {Store: st, Sinks: []Sink{fakeSink{log, "a"}, fakeSink{log, "a"}}},
		"invalid settings": {Store: st, Initial: Settings{TicketingChannels: []Team{{ChannelID: "C1"}}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// Settings printed in any way never show a sink's settings, which may hold a secret.
func TestSettings_PrintingHidesSinkSettings(t *testing.T) {
	st := Settings{TicketingChannels: []Team{support},
		Sinks: SinkSettings{"crm": json.RawMessage(`{"secret":"hunter2"}`)}}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(format, st)
		if strings.Contains(got, "hunter2") || strings.Contains(got, "104 117") || !strings.Contains(got, "crm:(20 bytes)") {
			t.Errorf("%s: %s", format, got)
		}
	}
}

func TestRenderReply(t *testing.T) {
	tk := &Ticket{Number: 135, Customer: Customer{Name: "Carol"}}
	if got := RenderReply("Hi {customer_name}, {agent_name} here about {ticket}. {other}", tk, Agent{Name: "Dan"}); got != "Hi Carol, Dan here about #135. {other}" {
		t.Errorf("%q", got)
	}
	if got := RenderReply("Hi {customer_name}, {agent_name}", &Ticket{}, Agent{}); got != "Hi there, your agent" {
		t.Errorf("without names: %q", got)
	}
}
