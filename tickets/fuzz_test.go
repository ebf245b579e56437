package tickets_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// FuzzSettingsJSON: settings as they are read back from Redis (JSON anyone with access
// to Redis could have written) are validated without panicking, and settings that
// validate can be used and survive a round trip.
func FuzzSettingsJSON(f *testing.F) {
	good, _ := json.Marshal(Settings{
		TicketingChannels: []Team{support, technical}, DefaultTeam: "C2", PriorityGroup: []AgentID{"U1"},
		Templates:  Templates{Picked: "Hi, {agent} of {team} on {ticket}"},
		Categories: []Category{{Name: "Product", Values: []string{"A", "B"}}},
		Sinks:      map[string]json.RawMessage{"crm": json.RawMessage(`{"url":"https://crm.example.com","secret":"s"}`)},
	})
	f.Add(good)
	f.Add([]byte(`{"ticketing_channels":[{"channel_id":"C1","label":""}]}`))
	f.Add([]byte(`{"categories":[{"name":"a:b","values":[]}],"sinks":{"crm":{"url":"ftp://x"},"":1}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var st Settings
		if json.Unmarshal(raw, &st) != nil {
			return
		}
		if st.Validate() != nil {
			return
		}
		if _, ok := st.Default(); !ok {
			t.Fatal("valid settings have no default team")
		}
		tpl := TemplatesOf(&st)
		tk := &Ticket{Number: 1, Team: st.TicketingChannels[0]}
		_ = st.Render(tpl.Picked, tk, Agent{ID: "U1", Name: "A"})
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var back Settings
		if err := json.Unmarshal(again, &back); err != nil || back.Validate() != nil {
			t.Fatalf("valid settings do not survive a round trip: %v", err)
		}
		if !reflect.DeepEqual(back.TicketingChannels, st.TicketingChannels) {
			t.Fatal("teams changed in a round trip")
		}
	})
}

// FuzzCustomerText: what customers type gives a sane default title and is a rating only
// when it is one.
func FuzzCustomerText(f *testing.F) {
	for _, s := range []string{"", "5", "⭐⭐⭐", "Hello\nworld", "👋", strings.Repeat("word ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		title := DeriveTitle(s)
		if len(title) > MaxTitleDerived || strings.ContainsAny(title, "\n\r") || !utf8.ValidString(title) {
			t.Fatalf("DeriveTitle(%q) = %q", s, title)
		}
		if r, ok := ParseRating(s); ok && (r < 1 || r > 5) {
			t.Fatalf("ParseRating(%q) = %d", s, r)
		}
	})
}

// FuzzParseWeek: whatever an admin types as business hours either is refused with an
// error or gives ranges within a day, which the business-time arithmetic takes.
func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"Mon-Fri 09:00-17:00", "Fri-Mon 22:00-06:00; Sat 10:00-14:00, 15:00-24:00", "24/7", "Mon 9-17", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		week, err := ParseWeek(s)
		if err != nil {
			return
		}
		for d, spans := range week {
			for _, sp := range spans {
				if sp.From < 0 || sp.From >= 24*60 || sp.To <= 0 || sp.To > 24*60 || sp.From == sp.To {
					t.Fatalf("%q: day %d has %+v", s, d, sp)
				}
			}
		}
		h := Hours{Zone: "Europe/Berlin", Week: week}
		if h.Validate() == nil {
			from := time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC)
			if due, ok := h.Add(from, 90*time.Minute); !ok || h.Between(from, due) != 90*time.Minute {
				t.Fatalf("%q: Add = %s %v, Between back = %s", s, due, ok, h.Between(from, due))
			}
		}
	})
}
