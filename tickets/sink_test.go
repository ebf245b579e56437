package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestVitally_Validate(t *testing.T) {
	for _, ok := range []Vitally{
		{},
		{APIURL: "https://acme.rest.vitally.io", Secret: "sk_live", PushNew: true, UpdateExisting: true},
		{APIURL: "https://rest.vitally-eu.io/", Secret: "Basic c2s6", Object: "Live chats"},
		{APIURL: "http://127.0.0.1:9999"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for name, bad := range map[string]Vitally{
		"not a url":      {APIURL: "acme"},
		"ftp":            {APIURL: "ftp://acme.rest.vitally.io"},
		"credentials":    {APIURL: "https://u:p@acme.rest.vitally.io"},
		"query":          {APIURL: "https://acme.rest.vitally.io/?x=1"},
		"long url":       {APIURL: "https://" + strings.Repeat("a", 600) + ".io"},
		"control secret": {Secret: "abc\ndef"},
		"long secret":    {Secret: strings.Repeat("s", 1001)},
		"long object":    {Object: strings.Repeat("o", 101)},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
	}
}

func TestVitally_StringHidesTheSecret(t *testing.T) {
	v := Vitally{APIURL: "https://acme.rest.vitally.io", Secret: "sk_live_very_secret"}
	for _, s := range []string{v.String(), fmt.Sprintf("%v %+v %#v", v, v, v), fmt.Sprint(Settings{Vitally: v})} {
		if strings.Contains(s, "very_secret") {
			t.Errorf("the secret shows in %q", s)
		}
	}
	equal(t, "object name default", v.ObjectName(), DefaultVitallyObject)
}

// The admin panel never shows the secret back: an empty one keeps the saved one while the
// URL stays the same. Since moves only when pushing new tickets is switched on.
func TestService_UpdateSettingsVitally(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	base := Settings{TicketingChannels: []Team{support}}
	save := func(v Vitally) Vitally {
		t.Helper()
		st := base
		st.Vitally = v
		if err := h.svc.UpdateSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		got, err := h.svc.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got.Vitally
	}
	url := "https://acme.rest.vitally.io"
	v := save(Vitally{APIURL: url, Secret: "sk1", PushNew: true, UpdateExisting: true})
	if v.Since.IsZero() {
		t.Fatal("switching pushing on set no Since")
	}
	since := v.Since
	v = save(Vitally{APIURL: url, PushNew: true, Object: "Chats"})
	equal(t, "empty secret keeps the saved one", v.Secret, "sk1")
	equal(t, "Since kept while pushing stays on", v.Since, since)
	v = save(Vitally{APIURL: url})
	equal(t, "Since kept while off", v.Since, since)
	v = save(Vitally{APIURL: url, PushNew: true})
	if !v.Since.After(since) {
		t.Errorf("switching pushing on again: Since %v, want after %v", v.Since, since)
	}
	v = save(Vitally{APIURL: "https://rest.vitally-eu.io", PushNew: true})
	equal(t, "a new URL does not take the old secret", v.Secret, "")

	st := base
	st.Vitally = Vitally{APIURL: "nope"}
	wantErr(t, h.svc.UpdateSettings(ctx, st), ErrInvalid)
}

func TestSyncNews(t *testing.T) {
	ok := SyncStatus{Synced: true}
	no := SyncStatus{Reason: "no account"}
	partial := SyncStatus{Synced: true, Reason: "traits missing: Product"}
	for _, c := range []struct {
		prev *SyncStatus
		next SyncStatus
		want bool
	}{
		{nil, ok, false}, {nil, no, true}, {&ok, ok, false}, {&ok, no, true}, {&no, no, false},
		{&no, ok, true}, {&no, SyncStatus{Reason: "other"}, true}, {&ok, partial, true}, {&partial, ok, true},
	} {
		if got := SyncNews(c.prev, c.next); got != c.want {
			t.Errorf("SyncNews(%+v, %+v) = %v", c.prev, c.next, got)
		}
	}
}

func TestService_CheckSetup(t *testing.T) {
	checker := &checkingSink{}
	h := newHarness(t, func(c *Config) { c.Sinks = append(c.Sinks, checker) })
	reports, err := h.svc.CheckSetup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Sink != "checker" || reports[0].OK() || checker.saw == nil {
		t.Fatalf("reports = %+v", reports)
	}
}

type checkingSink struct{ saw *Settings }

func (*checkingSink) Name() string { return "checker" }
func (*checkingSink) TicketChanged(context.Context, *Ticket, Event, string) error {
	return nil
}
func (c *checkingSink) CheckSetup(_ context.Context, st *Settings) SetupReport {
	c.saw = st
	return SetupReport{Configured: true, Problems: []string{"create the object"}}
}

// A sink that wants some events only gets those; the rest are acknowledged without
// reading the ticket (here the store is down, and nothing fails).
func TestHandlers_SinkFilter(t *testing.T) {
	picky := &pickySink{}
	h := newHarness(t, func(c *Config) { c.Sinks = append(c.Sinks, picky) })
	tk := h.open(t, "c1", "", "Hello")
	handler := h.svc.Handlers()[SinkGroupPrefix+"picky"]
	h.store.Fail(errors.New("redis is down"))
	if err := handler(context.Background(), Event{ID: "e1", Type: EventMessage, TicketID: tk.ID}); err != nil {
		t.Errorf("an unwanted event: %v", err)
	}
	if err := handler(context.Background(), Event{ID: "e2", Type: EventClosed, TicketID: tk.ID}); err == nil {
		t.Error("a wanted event did not read the ticket")
	}
	h.store.Fail(nil)
	if err := handler(context.Background(), Event{ID: "e3", Type: EventClosed, TicketID: tk.ID}); err != nil || picky.got != 1 {
		t.Errorf("wanted event: %v, sink called %d times", err, picky.got)
	}
}

type pickySink struct{ got int }

func (*pickySink) Name() string             { return "picky" }
func (*pickySink) Wants(typ EventType) bool { return typ == EventClosed }
func (p *pickySink) TicketChanged(context.Context, *Ticket, Event, string) error {
	p.got++
	return nil
}
