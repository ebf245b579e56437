package vitally

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

const (
	acmeURL    = "https://acme.rest.vitally.io"
	euURL      = "https://rest.vitally-eu.io"
	verySecret = "sk_live_very_secret"
)

func TestSettings_Validate(t *testing.T) {
	for _, ok := range []Settings{
		{},
		{APIURL: acmeURL, Secret: "sk_live", PushNew: true, UpdateExisting: true},
		{APIURL: euURL + "/", Secret: "Basic c2s6", Object: "Live chats"},
		{APIURL: "http://127.0.0.1:9999"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for name, bad := range map[string]Settings{
		"not a url":      {APIURL: "acme"},
		"ftp":            {APIURL: "ftp://acme.rest.vitally.io"},
		"credentials":    {APIURL: "https://u:p@acme.rest.vitally.io"},
		"query":          {APIURL: acmeURL + "/?x=1"},
		"fragment":       {APIURL: acmeURL + "/#x"},
		"long url":       {APIURL: "https://" + strings.Repeat("a", 600) + ".io"},
		"control secret": {Secret: "abc\ndef"},
		"long secret":    {Secret: strings.Repeat("s", 1001)},
		"long object":    {Object: strings.Repeat("o", 101)},
		"control object": {Object: "a\tb"},
	} {
		err := bad.Validate()
		if !errors.Is(err, tickets.ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
		if bad.Secret != "" && err != nil && strings.Contains(err.Error(), bad.Secret) {
			t.Errorf("%s: the error quotes the secret: %v", name, err)
		}
	}
}

func TestSettings_StringHidesTheSecret(t *testing.T) {
	v := Settings{APIURL: acmeURL, Secret: verySecret}
	for _, s := range []string{v.String(), fmt.Sprintf("%v %+v %#v %s", v, v, v, v), fmt.Sprint([]Settings{v}), fmt.Sprintf("%#v", &v)} {
		if strings.Contains(s, "very_secret") {
			t.Errorf("the secret shows in %q", s)
		}
	}
	if got := v.ObjectName(); got != DefaultObject {
		t.Errorf("ObjectName = %q, want %q", got, DefaultObject)
	}
	if got := (Settings{Object: "  Chats "}).ObjectName(); got != "Chats" {
		t.Errorf("ObjectName = %q, want Chats", got)
	}
}

// The settings' JSON is the one earlier versions saved under "vitally" (the store moves
// it to Sinks["vitally"] as it is): the same names, and the same fields left out.
func TestSettings_JSONIsTheSavedShape(t *testing.T) {
	since := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	full := `{"api_url":"https://acme.rest.vitally.io","secret":"sk","object":"Chats","push_new":true,` +
		`"update_existing":true,"since":"2026-11-21T09:00:00Z","from_panel":true}`
	for _, c := range []struct {
		v    Settings
		want string
	}{
		{Settings{}, `{"push_new":false,"update_existing":false}`},
		{Settings{APIURL: acmeURL, Secret: "sk", Object: "Chats", PushNew: true, UpdateExisting: true, Since: since, FromPanel: true}, full},
	} {
		raw, err := json.Marshal(c.v)
		if err != nil || string(raw) != c.want {
			t.Errorf("Marshal = %s, %v\nwant      %s", raw, err, c.want)
		}
		back, err := decodeSettings(raw)
		if err != nil || back != c.v {
			t.Errorf("decoded back %v, %v, want %v", back, err, c.v)
		}
	}
	for _, none := range []json.RawMessage{nil, {}, json.RawMessage(`null`), json.RawMessage(`{}`)} {
		if v, err := decodeSettings(none); err != nil || v != (Settings{}) {
			t.Errorf("decode %q = %v, %v, want none", none, v, err)
		}
	}
}

// keep is KeepSettings of a fresh Sink, with prev and next as Settings; prev nil means
// none saved.
func keep(t *testing.T, s *Sink, prev *Settings, next Settings, now time.Time) (Settings, error) {
	t.Helper()
	var p json.RawMessage
	if prev != nil {
		p = vitallyJSON(t, *prev)
	}
	raw, err := s.KeepSettings(p, vitallyJSON(t, next), now)
	if err != nil {
		return Settings{}, err
	}
	got, err := decodeSettings(raw)
	if err != nil {
		t.Fatalf("KeepSettings returned what does not decode: %v", err)
	}
	return got, nil
}

// The admin panel never shows the secret back: an empty one keeps the saved one while the
// URL stays the same. Since moves only when pushing new tickets is switched on.
func TestKeepSettings(t *testing.T) {
	s, err := New(Config{}, Deps{Store: newMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	tick := func() time.Time { now = now.Add(time.Minute); return now }
	must := func(v Settings, err error) Settings {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	v := must(keep(t, s, nil, Settings{APIURL: acmeURL, Secret: "sk1", PushNew: true, UpdateExisting: true, FromPanel: true}, tick()))
	if v.Since != now || v.Secret != "sk1" || !v.FromPanel || !v.UpdateExisting {
		t.Fatalf("first save: %+v (since %v), want Since %v and everything kept", v, v.Since, now)
	}
	since := v.Since
	v = must(keep(t, s, &v, Settings{APIURL: acmeURL + "/", PushNew: true, Object: "Chats"}, tick()))
	if v.Secret != "sk1" || v.Since != since || v.Object != "Chats" {
		t.Errorf("empty secret, same URL (a slash more), pushing stays on: %+v, since %v, want the secret and Since %v", v, v.Since, since)
	}
	v = must(keep(t, s, &v, Settings{APIURL: acmeURL}, tick()))
	if v.Since != since {
		t.Errorf("pushing off: Since %v, want %v kept", v.Since, since)
	}
	v = must(keep(t, s, &v, Settings{APIURL: acmeURL, PushNew: true}, tick()))
	if v.Since != now || !v.Since.After(since) {
		t.Errorf("pushing on again: Since %v, want %v", v.Since, now)
	}
	v = must(keep(t, s, &v, Settings{APIURL: acmeURL, Secret: "sk2", PushNew: true}, tick()))
	if v.Secret != "sk2" {
		t.Errorf("a new secret: %+v, want it saved", v)
	}
	v = must(keep(t, s, &v, Settings{APIURL: euURL, PushNew: true}, tick()))
	if v.Secret != "" {
		t.Errorf("a new URL took the old secret: %+v", v)
	}
	// Pushing on with no Since saved (settings from before Since, or the environment's
	// set-up alone): the save starts it.
	v = must(keep(t, s, &Settings{APIURL: acmeURL, Secret: "sk1", PushNew: true}, Settings{APIURL: acmeURL, PushNew: true}, tick()))
	if v.Since != now || v.Secret != "sk1" {
		t.Errorf("pushing on without a Since saved: %+v, since %v, want %v", v, v.Since, now)
	}

	t.Run("refused", func(t *testing.T) {
		saved := vitallyJSON(t, Settings{APIURL: acmeURL, Secret: verySecret, PushNew: true, Since: t0})
		for name, next := range map[string]json.RawMessage{
			"bad URL":          vitallyJSON(t, Settings{APIURL: "nope", Secret: verySecret}),
			"control secret":   vitallyJSON(t, Settings{APIURL: acmeURL, Secret: verySecret + "\n"}),
			"not JSON":         json.RawMessage(`{"api_url":"` + acmeURL + `","secret":"` + verySecret + `"`),
			"a field's type":   json.RawMessage(`{"secret":"` + verySecret + `","push_new":"yes"}`),
			"not an object":    json.RawMessage(`"` + verySecret + `"`),
			"long object":      vitallyJSON(t, Settings{Object: strings.Repeat("o", 101)}),
			"URL too long":     vitallyJSON(t, Settings{APIURL: acmeURL + "/" + strings.Repeat("a", 500)}),
			"carried, but bad": vitallyJSON(t, Settings{APIURL: acmeURL, Object: "a\x00b"}),
		} {
			kept, err := s.KeepSettings(saved, next, now)
			if !errors.Is(err, tickets.ErrInvalid) || kept != nil {
				t.Errorf("%s: KeepSettings = %s, %v, want ErrInvalid", name, kept, err)
			}
			if err != nil && strings.Contains(err.Error(), "very_secret") {
				t.Errorf("%s: the error quotes the secret: %v", name, err)
			}
		}
	})
	t.Run("unreadable saved settings are replaced", func(t *testing.T) {
		core, logs := observer.New(zapcore.DebugLevel)
		s, err := New(Config{}, Deps{Store: newMemStore(), Log: zap.New(core)})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.KeepSettings(json.RawMessage(`{"secret":"`+verySecret+`",`), vitallyJSON(t, Settings{APIURL: acmeURL, Secret: "sk3", PushNew: true}), now)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := decodeSettings(raw); v.Secret != "sk3" || v.Since != now {
			t.Errorf("kept %+v, want the new settings with Since now", v)
		}
		noSecretLogged(t, logs, 1)
	})
}

// noSecretLogged checks that n entries were logged and none of them holds the secret.
func noSecretLogged(t *testing.T, logs *observer.ObservedLogs, n int) {
	t.Helper()
	all := logs.TakeAll()
	if len(all) != n {
		t.Errorf("%d log entries, want %d: %v", len(all), n, all)
	}
	for _, e := range all {
		if text := fmt.Sprint(e.Message, e.ContextMap()); strings.Contains(text, "very_secret") {
			t.Errorf("the log has the secret: %s", text)
		}
	}
}

// Through the ticket service: an admin's save goes through KeepSettings, so the secret
// is kept while the URL stays the same, and Since is set when pushing is switched on.
func TestKeepSettings_ThroughTheService(t *testing.T) {
	ctx := context.Background()
	sink, err := New(Config{}, Deps{Store: newMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := storetest.NewService(t, func(c *tickets.Config) { c.Sinks = append(c.Sinks, sink) })
	base, err := svc.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	save := func(v Settings) (Settings, error) {
		t.Helper()
		st := *base
		st.Sinks = map[string]json.RawMessage{Name: vitallyJSON(t, v)}
		if err := svc.UpdateSettings(ctx, st); err != nil {
			return Settings{}, err
		}
		got, err := svc.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return vitallyIn(t, got), nil
	}
	v, err := save(Settings{APIURL: acmeURL, Secret: "sk1", PushNew: true, UpdateExisting: true, FromPanel: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Since.IsZero() || v.Secret != "sk1" {
		t.Fatalf("first save: %+v, since %v: want the secret and a Since", v, v.Since)
	}
	since := v.Since
	if v, err = save(Settings{APIURL: acmeURL, PushNew: true, UpdateExisting: true, FromPanel: true}); err != nil {
		t.Fatal(err)
	}
	if v.Secret != "sk1" || v.Since != since {
		t.Errorf("saved again without the secret: %+v, since %v; want the secret kept and Since %v", v, v.Since, since)
	}
	if _, err := save(Settings{APIURL: "nope"}); !errors.Is(err, tickets.ErrInvalid) {
		t.Errorf("a bad URL: %v, want ErrInvalid", err)
	}
	got, _ := svc.Settings(ctx)
	if v := vitallyIn(t, got); v.APIURL != acmeURL || v.Secret != "sk1" {
		t.Errorf("a refused save changed the settings: %+v", v)
	}
}

// Saved settings the sink cannot decode count as none, and are logged when first seen,
// without their content; readable ones in between make the next unreadable ones logged
// again.
func TestUnreadableSettings(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	core, logs := observer.New(zapcore.DebugLevel)
	sink, err := newSink(Config{}, Deps{Store: w.tk, Log: zap.New(core), Observe: func(outcome, reason string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.observed = append(w.observed, outcome+"/"+reason)
	}}, options{now: func() time.Time { return w.clock }})
	if err != nil {
		t.Fatal(err)
	}
	w.sink = sink
	unreadable := func(raw string) {
		w.tk.mu.Lock()
		defer w.tk.mu.Unlock()
		w.clock = w.clock.Add(settingsTTL)
		w.tk.settings = &tickets.Settings{Sinks: map[string]json.RawMessage{Name: json.RawMessage(raw)}}
	}
	unreadable(`{"api_url":"` + w.fake.URL + `","secret":"` + verySecret + `","push_new":"yes"}`)
	w.mustChange(ticket(1, "carol@acme.com"), tickets.EventOpened)
	unreadable(`{"api_url":"` + w.fake.URL + `","secret":"` + verySecret)
	w.mustChange(ticket(2, "carol@acme.com"), tickets.EventOpened)
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("unreadable settings made %d requests", n)
	}
	if got, want := w.outcomes(), []string{Skipped + "/" + ReasonNotConfigured, Skipped + "/" + ReasonNotConfigured}; !slices.Equal(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	noSecretLogged(t, logs, 1)

	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	tk := ticket(3, "carol@acme.com")
	w.mustChange(tk, tickets.EventOpened)
	if _, ok := w.instance(tk); !ok {
		t.Error("readable settings again: not synced")
	}
	unreadable(`[`)
	w.mustChange(ticket(4, "carol@acme.com"), tickets.EventOpened)
	noSecretLogged(t, logs, 1)
}
