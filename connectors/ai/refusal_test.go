package ai

import (
	"errors"
	"math"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/frontdeskhq/frontdesk/connectors/ai/aitest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// A temperature is sent only when one is configured, as configured.
func TestTemperature(t *testing.T) {
	for _, c := range []struct {
		name string
		temp *float64
		want string // as sent; "" for none
	}{
		{"unset", nil, ""},
		{"zero", ptr(0.0), "0"},
		{"some", ptr(0.2), "0.2"},
		{"the default", ptr(1.0), "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, Config{Temperature: c.temp})
			if err := w.changed(tickets.EventOpened); err != nil {
				t.Fatal(err)
			}
			reqs := w.fake.Requests()
			if len(reqs) != 1 || reqs[0].Temperature != c.want {
				t.Fatalf("requests %+v, want one with temperature %q", reqs, c.want)
			}
			if len(w.sugg.got()) != 1 {
				t.Error("no suggestion")
			}
		})
	}
}

// A reasoning model that takes no temperature but its default still suggests: none is
// sent.
func TestReasoningModelSuggests(t *testing.T) {
	for _, m := range []aitest.Model{aitest.DefaultTemperatureOnly, aitest.NoTemperature} {
		w := newWorld(t, Config{})
		w.fake.SetModel(m)
		if err := w.changed(tickets.EventOpened); err != nil {
			t.Fatalf("model %d: %v", m, err)
		}
		if len(w.sugg.got()) != 1 {
			t.Errorf("model %d: no suggestion", m)
		}
		if len(w.tickets.synced()) != 0 {
			t.Errorf("model %d: an AI status was recorded: %+v", m, w.tickets.synced())
		}
	}
}

// A configured temperature the model refuses: a permanent error naming the parameter,
// one error log saying what to change, and the ticket's AI status saying it too.
func TestRefusedTemperature(t *testing.T) {
	for _, c := range []struct {
		name  string
		model aitest.Model
		temp  float64
		code  string
	}{
		{"default only", aitest.DefaultTemperatureOnly, 0, "unsupported_value"},
		{"none at all", aitest.NoTemperature, 1, "unsupported_parameter"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, Config{Temperature: ptr(c.temp)})
			w.fake.SetModel(c.model)
			err := w.changed(tickets.EventOpened)
			if !tickets.IsPermanent(err) {
				t.Fatalf("err %v, want a permanent one", err)
			}
			var rp *refusedParam
			if !errors.As(err, &rp) || rp.param != "temperature" || rp.code != c.code {
				t.Fatalf("err %v, want a refusal of temperature (%s)", err, c.code)
			}
			for _, want := range []string{"answered 400", c.code, "does not support the parameter temperature"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "Only the default") || strings.Contains(err.Error(), "with this model") {
				t.Errorf("the provider's message is in %q", err)
			}
			if n := len(w.fake.Requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if len(w.sugg.got()) != 0 {
				t.Error("Suggest was called")
			}

			logs := w.logs.FilterMessageSnippet("refused a parameter").All()
			if len(logs) != 1 || logs[0].Level != zapcore.ErrorLevel {
				t.Fatalf("logs: %s", w.logText())
			}
			f := logs[0].ContextMap()
			if f["param"] != "temperature" || f["code"] != c.code || !strings.Contains(f["reason"].(string), "unset AI_TEMPERATURE") {
				t.Errorf("log fields %v", f)
			}
			if len(w.logs.FilterMessageSnippet("check the AI settings").All()) != 0 {
				t.Errorf("logged as a plain refusal too: %s", w.logText())
			}

			synced := w.tickets.synced()
			if len(synced) != 1 {
				t.Fatalf("SetSync calls %+v, want 1", synced)
			}
			s := synced[0]
			if s.id != "T1" || s.sink != Name || s.status.Synced || !s.status.Failing() || s.status.At != t0 ||
				s.status.LastEvent != "ev-ticket.opened" {
				t.Errorf("status %+v", s)
			}
			for _, want := range []string{"refused the parameter temperature", c.code, "unset AI_TEMPERATURE"} {
				if !strings.Contains(s.status.Reason, want) {
					t.Errorf("reason %q lacks %q", s.status.Reason, want)
				}
			}
			w.assertNoSecrets(t, err)
		})
	}
}

// A status that cannot be recorded makes the refusal retryable: agents must hear of it.
// A ticket gone meanwhile does not.
func TestRefusalStatusErrors(t *testing.T) {
	w := newWorld(t, Config{Temperature: ptr(0.0)})
	w.fake.SetModel(aitest.DefaultTemperatureOnly)
	boom := errors.New("redis down")
	w.tickets.syncErr = boom
	if err := w.changed(tickets.EventOpened); !errors.Is(err, boom) || tickets.IsPermanent(err) {
		t.Errorf("err %v, want %v, retryable", err, boom)
	}
	w.tickets.syncErr = tickets.ErrNotFound
	if err := w.changed(tickets.EventOpened); !tickets.IsPermanent(err) {
		t.Errorf("ticket gone: err %v, want the refusal", err)
	}
}

// The next answer clears a refusal's status; a ticket without one gets none.
func TestAnswerClearsRefusal(t *testing.T) {
	w := newWorld(t, Config{})
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Fatal(err)
	}
	if s := w.tickets.synced(); len(s) != 0 {
		t.Fatalf("a status was recorded without a refusal: %+v", s)
	}
	w.ticket.Syncs = map[string]tickets.SyncStatus{Name: {Reason: "The AI endpoint refused the parameter temperature."}}
	if err := w.changed(tickets.EventClosed); err != nil {
		t.Fatal(err)
	}
	s := w.tickets.synced()
	if len(s) != 1 || !s[0].status.Synced || s[0].status.Failing() || s[0].sink != Name {
		t.Fatalf("SetSync calls %+v, want one clearing the refusal", s)
	}
	// An unusable answer is an answer too.
	w.fake.Answer(reply{Content: "not JSON"})
	if err := w.changed(tickets.EventClosed); err != nil {
		t.Fatal(err)
	}
	if n := len(w.tickets.synced()); n != 2 {
		t.Errorf("SetSync calls = %d, want 2", n)
	}
	// Failing to record it only logs.
	w.tickets.syncErr = errors.New("redis down")
	w.fake.Answer(reply{Content: goodContent})
	if err := w.changed(tickets.EventClosed); err != nil {
		t.Errorf("err %v, want nil", err)
	}
	if len(w.logs.FilterMessageSnippet("answers again").All()) != 1 {
		t.Errorf("logs: %s", w.logText())
	}
}

// What an error body says, read liberally; only safe names are taken from it.
func TestUnsupported(t *testing.T) {
	for _, c := range []struct {
		name      string
		body      string
		param     string
		code      string
		supported bool // not a refusal of a parameter
	}{
		{"unsupported value", aitest.UnsupportedValueBody("0"), "temperature", "unsupported_value", false},
		{"unsupported parameter", aitest.UnsupportedParameterBody(), "temperature", "unsupported_parameter", false},
		{"null code", aitest.UnsupportedParameterNoCodeBody(), "temperature", "invalid_request_error", false},
		{"code only", `{"error":{"code":"unsupported_parameter"}}`, "", "unsupported_parameter", false},
		{"message only", `{"error":{"message":"Unsupported parameter: 'top_p' is not supported with this model."}}`, "top_p", "", false},
		{"message as the error", `{"error":"Unsupported value: 'temperature' does not support 0 with this model."}`, "temperature", "", false},
		{"top-level fields", `{"object":"error","message":"temperature is not supported","type":"BadRequestError","param":"temperature","code":400}`, "temperature", "BadRequestError", false},
		{"nested name", `{"error":{"message":"Unsupported value: 'messages[0].role' does not support 'system' with this model.","type":"invalid_request_error","param":"messages[0].role","code":"unsupported_value"}}`, "messages[0].role", "unsupported_value", false},
		{"unsafe param", `{"error":{"message":"x","param":"I was charged twice","code":"unsupported_value"}}`, "", "unsupported_value", false},
		{"unsafe quote", `{"error":{"message":"Unsupported value: 'I was charged twice, order 1234' is bad"}}`, "", "", false},
		{"unsafe code", `{"error":{"param":"temperature","code":"unsupported value: sk-te***42"}}`, "", "", true},
		{"context too long", `{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`, "", "context_length_exceeded", true},
		{"plain refusal", `{"error":{"message":"response_format is not supported"}}`, "", "", true},
		{"wrong key", aitest.InvalidKeyBody("sk-te***42"), "", "invalid_api_key", true},
		{"not JSON", `<html>Bad Request</html>`, "", "", true},
		{"empty", ``, "", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := decodeError([]byte(c.body))
			if got := e.safeCode(); got != c.code {
				t.Errorf("code %q, want %q", got, c.code)
			}
			param, ok := e.unsupported()
			if ok == c.supported || param != c.param {
				t.Errorf("unsupported() = %q, %v; want %q, %v", param, ok, c.param, !c.supported)
			}
		})
	}
}

// Only a permanent refusal is a refusal of a parameter; a 5xx saying "unsupported" is
// retried as ever.
func TestRefusalOnlyWhenPermanent(t *testing.T) {
	w := newWorld(t, Config{})
	w.fake.Answer(reply{Status: 503, Body: aitest.UnsupportedParameterBody()})
	err := w.changed(tickets.EventOpened)
	var rp *refusedParam
	if err == nil || tickets.IsPermanent(err) || errors.As(err, &rp) {
		t.Errorf("err %v, want a retryable one", err)
	}
	if len(w.tickets.synced()) != 0 {
		t.Error("a status was recorded")
	}
}

func TestNewTemperature(t *testing.T) {
	ok := Config{BaseURL: "https://api.openai.com/v1", APIKey: "k", Model: "m", Timeout: DefaultTimeout}
	deps := Deps{Store: &memStore{}}
	for _, bad := range []float64{-0.1, 2.01, math.NaN(), math.Inf(1)} {
		if _, err := New(with(ok, func(c *Config) { c.Temperature = ptr(bad) }), deps); err == nil || !strings.Contains(err.Error(), "AI_TEMPERATURE") {
			t.Errorf("Temperature %v: err %v, want one naming AI_TEMPERATURE", bad, err)
		}
	}
	temp := 0.5
	s, err := New(with(ok, func(c *Config) { c.Temperature = &temp }), deps)
	if err != nil {
		t.Fatal(err)
	}
	temp = 3
	if *s.cfg.Temperature != 0.5 {
		t.Error("the sink shares the caller's temperature")
	}
}
