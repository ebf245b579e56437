package tickets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// A sink's own settings go through its SettingsKeeper on every save: it checks them and
// carries over what the admin did not send again; a save that leaves them out keeps them,
// and settings for a sink with none are refused.
func TestService_UpdateSettingsSinks(t *testing.T) {
	ctx := context.Background()
	keeper := &keepingSink{}
	h := newHarness(t, func(c *Config) { c.Sinks = append(c.Sinks, keeper) })
	base := Settings{TicketingChannels: []Team{support}}
	save := func(sinks map[string]json.RawMessage) (map[string]json.RawMessage, error) {
		t.Helper()
		st := base
		st.Sinks = sinks
		if err := h.svc.UpdateSettings(ctx, st); err != nil {
			return nil, err
		}
		got, err := h.svc.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got.Sinks, nil
	}
	got, err := save(map[string]json.RawMessage{"keeper": json.RawMessage(`{"secret":"s1","n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "first save", string(got["keeper"]), `{"secret":"s1","n":1}`)
	got, err = save(map[string]json.RawMessage{"keeper": json.RawMessage(`{"n":2}`)})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "the keeper carried the secret over", string(got["keeper"]), `{"secret":"s1","n":2}`)
	equal(t, "the keeper saw what was saved", string(keeper.prev), `{"secret":"s1","n":1}`)
	got, err = save(nil)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "left out, kept", string(got["keeper"]), `{"secret":"s1","n":2}`)

	_, err = save(map[string]json.RawMessage{"keeper": json.RawMessage(`{"n":-1}`)})
	wantErr(t, err, ErrInvalid)
	_, err = save(map[string]json.RawMessage{"nobody": json.RawMessage(`{}`)})
	wantErr(t, err, ErrInvalid)
	got, _ = save(nil)
	equal(t, "refused saves changed nothing", string(got["keeper"]), `{"secret":"s1","n":2}`)
	if _, ok := got["nobody"]; ok {
		t.Error("settings for no sink were saved")
	}
}

// keepingSink keeps {"secret", "n"}: n must not be negative, and a save without a secret
// keeps the saved one.
type keepingSink struct{ prev json.RawMessage }

type kept struct {
	Secret string `json:"secret,omitempty"`
	N      int    `json:"n"`
}

func (*keepingSink) Name() string                                                { return "keeper" }
func (*keepingSink) TicketChanged(context.Context, *Ticket, Event, string) error { return nil }
func (k *keepingSink) KeepSettings(prev, next json.RawMessage, _ time.Time) (json.RawMessage, error) {
	k.prev = prev
	var p, n kept
	if prev != nil {
		if err := json.Unmarshal(prev, &p); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(next, &n); err != nil || n.N < 0 {
		return nil, fmt.Errorf("%w: n must be a number of 0 or more", ErrInvalid)
	}
	if n.Secret == "" {
		n.Secret = p.Secret
	}
	return json.Marshal(n)
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
