package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/internal/setting/settingtest"
	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

// goodConfig is a valid configuration of the connector, switched on.
func goodConfig() Config {
	return Config{
		Token:         testToken,
		CallbackURL:   "https://bot.example.com/frontdesk/events",
		SigningSecret: testSecret,
		RetryFor:      time.Hour,
	}
}

// secrets are the values no error may quote.
var secrets = []string{testToken, testSecret, "fd_short", "whsec_short", "fd_test 7Hq2"}

// TestConfig_Tags: the variables and defaults are today's, and the defaults are the
// ones the Client would take.
func TestConfig_Tags(t *testing.T) {
	want := map[string][2]string{
		"Token":         {"WEBHOOK_TOKEN", ""},
		"CallbackURL":   {"WEBHOOK_CALLBACK_URL", ""},
		"SigningSecret": {"WEBHOOK_SIGNING_SECRET", ""},
		"RetryFor":      {"WEBHOOK_RETRY_FOR", "1h"},
	}
	typ := reflect.TypeFor[Config]()
	if typ.NumField() != len(want) {
		t.Errorf("Config has %d fields, want %d", typ.NumField(), len(want))
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		w, ok := want[f.Name]
		if got := [2]string{f.Tag.Get("envconfig"), f.Tag.Get("default")}; !ok || got != w {
			t.Errorf("%s: tags %q, want %q", f.Name, got, w)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	if err := goodConfig().Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	if err := (Config{RetryFor: time.Hour}).Validate(); err != nil {
		t.Errorf("an off connector with nothing else set: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		key  string // the variable the error must start with
	}{
		{"ShortToken", func(c *Config) { c.Token = "fd_short" }, "WEBHOOK_TOKEN"},
		{"TokenWithSpace", func(c *Config) { c.Token = "fd_test 7Hq2xLw9pZ" }, "WEBHOOK_TOKEN"},
		{"NoCallbackURL", func(c *Config) { c.CallbackURL = "" }, "WEBHOOK_CALLBACK_URL"},
		{"RelativeCallbackURL", func(c *Config) { c.CallbackURL = "/frontdesk" }, "WEBHOOK_CALLBACK_URL"},
		{"FTPCallbackURL", func(c *Config) { c.CallbackURL = "ftp://bot.example.com/" }, "WEBHOOK_CALLBACK_URL"},
		{"CallbackURLWithoutHost", func(c *Config) { c.CallbackURL = "https:///frontdesk" }, "WEBHOOK_CALLBACK_URL"},
		{"NoSigningSecret", func(c *Config) { c.SigningSecret = "" }, "WEBHOOK_SIGNING_SECRET"},
		{"ShortSigningSecret", func(c *Config) { c.SigningSecret = "whsec_short" }, "WEBHOOK_SIGNING_SECRET"},
		{"ZeroRetryFor", func(c *Config) { c.RetryFor = 0 }, "WEBHOOK_RETRY_FOR"},
		{"NegativeRetryFor", func(c *Config) { c.RetryFor = -time.Minute }, "WEBHOOK_RETRY_FOR"},
		// Off, with a variable that means nothing without WEBHOOK_TOKEN.
		{"OffWithCallbackURL", func(c *Config) { c.Token, c.SigningSecret = "", "" }, "WEBHOOK_CALLBACK_URL"},
		{"OffWithSigningSecret", func(c *Config) { c.Token, c.CallbackURL = "", "" }, "WEBHOOK_SIGNING_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodConfig()
			tt.edit(&c)
			settingtest.OneProblem(t, c.Validate(), tt.key, secrets...)
		})
	}
	t.Run("AllAtOnce", func(t *testing.T) {
		err := Config{Token: "fd_short", CallbackURL: "ftp://x", SigningSecret: "whsec_short", RetryFor: -1}.Validate()
		settingtest.Names(t, err, []string{"WEBHOOK_TOKEN", "WEBHOOK_CALLBACK_URL", "WEBHOOK_SIGNING_SECRET", "WEBHOOK_RETRY_FOR"}, secrets...)
	})
	t.Run("OffWithBoth", func(t *testing.T) {
		err := Config{CallbackURL: "https://bot.example.com/", SigningSecret: testSecret, RetryFor: time.Hour}.Validate()
		settingtest.Names(t, err, []string{"WEBHOOK_CALLBACK_URL", "WEBHOOK_SIGNING_SECRET"}, secrets...)
		if n := len(settingtest.Problems(err)); n != 2 {
			t.Errorf("%d problems reported, want the 2 stray variables: %v", n, err)
		}
	})
}

func TestConnect(t *testing.T) {
	t.Run("Off", func(t *testing.T) {
		c, err := Connect(Config{RetryFor: time.Hour}, Deps{})
		if c != nil || err != nil {
			t.Errorf("Connect = %v, %v; want nil, nil", c, err)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		cfg := goodConfig()
		cfg.SigningSecret = "whsec_short"
		c, err := Connect(cfg, Deps{})
		if c != nil {
			t.Errorf("Connect = %v; want nil", c)
		}
		settingtest.OneProblem(t, err, "WEBHOOK_SIGNING_SECRET", secrets...)
	})
	t.Run("On", func(t *testing.T) {
		bot := webhooktest.New(testSecret)
		defer bot.Close()
		cfg := goodConfig()
		cfg.CallbackURL = bot.CallbackURL()
		c, err := Connect(cfg, Deps{Log: zaptest.NewLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "webhook" {
			t.Errorf("Name = %q", c.Name)
		}
		if _, ok := c.Source.(*Client); !ok {
			t.Errorf("Source = %T, want *Client", c.Source)
		}
		if c.Sink != nil || c.Enricher != nil || len(c.Runners) != 0 || c.Inbound == nil {
			t.Errorf("parts: %+v", c)
		}
		// The Source delivers to the callback URL, signed with the signing secret.
		out := tickets.Outbound{Kind: tickets.OutEnded, Text: "bye", At: time.Now()}
		if err := c.Source.Deliver(context.Background(), testTicket(), out, "ev-1"); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		if got := bot.Delivered(""); len(got) != 1 || bot.Problems() != (webhooktest.Problems{}) {
			t.Errorf("delivered %d, problems %+v", len(got), bot.Problems())
		}

		svc, _ := storetest.NewService(t)
		in, err := c.Inbound(svc)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Routes) != 1 || in.Routes[Path] == nil || Path != webhooktest.Path || in.Queue != nil || len(in.Runners) != 0 {
			t.Fatalf("inbound: %+v", in)
		}
		// The route checks the token it was given.
		r := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(`{}`))
		r.Header.Set("Authorization", "Bearer wrong-token-0123456789")
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		in.Routes[Path].ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("a wrong token: %d, want 401", w.Code)
		}
		if _, err := c.Inbound(nil); err == nil {
			t.Error("Inbound(nil) made a handler")
		}
	})
}
