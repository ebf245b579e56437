package chatra

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/internal/setting/settingtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// goodConfig is a valid configuration of the connector, switched on.
func goodConfig() Config {
	return Config{
		WebhookToken: testToken,
		PublicKey:    testPublic,
		SecretKey:    testSecret,
		APIURL:       DefaultAPIURL,
		AgentName:    "Support",
		AgentEmail:   teamEmail,
		Groups:       "Hs7bXe2QdN4mRw8Ka=Delivery Team",
		DefaultLabel: "Website",
		RetryFor:     time.Hour,
	}
}

// secrets are the values no error may quote.
var secrets = []string{testToken, testPublic, testSecret, "chatra_short", "chatra/7Hq2xLw9pZkR4mTb", "pk:4Gm8Qw2Zx", "sk_live"}

// TestConfig_Tags: the variables and defaults are today's, and the defaults are the
// ones the Client would take.
func TestConfig_Tags(t *testing.T) {
	want := map[string][2]string{
		"WebhookToken": {"CHATRA_WEBHOOK_TOKEN", ""},
		"PublicKey":    {"CHATRA_PUBLIC_KEY", ""},
		"SecretKey":    {"CHATRA_SECRET_KEY", ""},
		"APIURL":       {"CHATRA_API_URL", DefaultAPIURL},
		"AgentName":    {"CHATRA_AGENT_NAME", "Support"},
		"AgentEmail":   {"CHATRA_AGENT_EMAIL", ""},
		"Groups":       {"CHATRA_GROUPS", ""},
		"DefaultLabel": {"CHATRA_DEFAULT_LABEL", ""},
		"RetryFor":     {"CHATRA_RETRY_FOR", "1h"},
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
	var c ClientConfig
	c.setDefaults()
	if c.APIURL != DefaultAPIURL || c.TeamName != "Support" || c.RetryFor != time.Hour {
		t.Errorf("the Client's defaults %q %q %s differ from Config's", c.APIURL, c.TeamName, c.RetryFor)
	}
}

func TestConfig_Validate(t *testing.T) {
	if err := goodConfig().Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	off := Config{APIURL: DefaultAPIURL, AgentName: "Support", RetryFor: time.Hour}
	if err := off.Validate(); err != nil {
		t.Errorf("an off connector with only the defaults: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		key  string // the variable the error must start with
	}{
		{"ShortToken", func(c *Config) { c.WebhookToken = "chatra_short" }, "CHATRA_WEBHOOK_TOKEN"},
		{"TokenWithSlash", func(c *Config) { c.WebhookToken = "chatra/7Hq2xLw9pZkR4mTb" }, "CHATRA_WEBHOOK_TOKEN"},
		{"TokenWithSpace", func(c *Config) { c.WebhookToken = testToken + " " }, "CHATRA_WEBHOOK_TOKEN"},
		{"NoPublicKey", func(c *Config) { c.PublicKey = "" }, "CHATRA_PUBLIC_KEY"},
		{"PublicKeyWithColon", func(c *Config) { c.PublicKey = "pk:4Gm8Qw2Zx" }, "CHATRA_PUBLIC_KEY"},
		{"NoSecretKey", func(c *Config) { c.SecretKey = "" }, "CHATRA_SECRET_KEY"},
		{"SecretKeyWithNewline", func(c *Config) { c.SecretKey = testSecret + "\n" }, "CHATRA_SECRET_KEY"},
		{"NoAPIURL", func(c *Config) { c.APIURL = "" }, "CHATRA_API_URL"},
		{"RelativeAPIURL", func(c *Config) { c.APIURL = "/api/" }, "CHATRA_API_URL"},
		{"APIURLWithQuery", func(c *Config) { c.APIURL = "https://app.chatra.io/api/?x=1" }, "CHATRA_API_URL"},
		{"BlankAgentName", func(c *Config) { c.AgentName = "  " }, "CHATRA_AGENT_NAME"},
		{"NoAgentEmail", func(c *Config) { c.AgentEmail = "" }, "CHATRA_AGENT_EMAIL"},
		{"AgentEmailNotEmail", func(c *Config) { c.AgentEmail = "support" }, "CHATRA_AGENT_EMAIL"},
		{"GroupsWithoutEquals", func(c *Config) { c.Groups = "g1=Support,sk_live" }, "CHATRA_GROUPS"},
		{"GroupsRepeated", func(c *Config) { c.Groups = "g1=A,g1=B" }, "CHATRA_GROUPS"},
		{"ZeroRetryFor", func(c *Config) { c.RetryFor = 0 }, "CHATRA_RETRY_FOR"},
		{"NegativeRetryFor", func(c *Config) { c.RetryFor = -time.Minute }, "CHATRA_RETRY_FOR"},
		// Off, with a key that means nothing without CHATRA_WEBHOOK_TOKEN.
		{"OffWithPublicKey", func(c *Config) { c.WebhookToken, c.SecretKey = "", "" }, "CHATRA_PUBLIC_KEY"},
		{"OffWithSecretKey", func(c *Config) { c.WebhookToken, c.PublicKey = "", "" }, "CHATRA_SECRET_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodConfig()
			tt.edit(&c)
			settingtest.OneProblem(t, c.Validate(), tt.key, secrets...)
		})
	}
	t.Run("OffIgnoresTheRest", func(t *testing.T) {
		// Off, the other variables are not looked at: they may keep a value for later.
		c := Config{AgentEmail: "support", Groups: "x", RetryFor: -1}
		if err := c.Validate(); err != nil {
			t.Errorf("Validate = %v", err)
		}
	})
	t.Run("AllAtOnce", func(t *testing.T) {
		err := Config{WebhookToken: "chatra_short", PublicKey: "pk:4Gm8Qw2Zx", APIURL: "ftp://x", AgentName: " ",
			AgentEmail: "support", Groups: "=x", RetryFor: -1}.Validate()
		settingtest.Names(t, err, []string{"CHATRA_WEBHOOK_TOKEN", "CHATRA_PUBLIC_KEY", "CHATRA_SECRET_KEY", "CHATRA_API_URL",
			"CHATRA_AGENT_NAME", "CHATRA_AGENT_EMAIL", "CHATRA_GROUPS", "CHATRA_RETRY_FOR"}, secrets...)
		if n := len(settingtest.Problems(err)); n != 8 {
			t.Errorf("%d problems reported, want 8: %q", n, err)
		}
	})
}

func TestConnect(t *testing.T) {
	t.Run("Off", func(t *testing.T) {
		c, err := Connect(Config{APIURL: DefaultAPIURL, AgentName: "Support", RetryFor: time.Hour}, Deps{Sent: newFakeSeen()})
		if c != nil || err != nil {
			t.Errorf("Connect = %v, %v; want nil, nil", c, err)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		cfg := goodConfig()
		cfg.Groups = "g1"
		c, err := Connect(cfg, Deps{Sent: newFakeSeen()})
		if c != nil {
			t.Errorf("Connect = %v; want nil", c)
		}
		settingtest.OneProblem(t, err, "CHATRA_GROUPS", secrets...)
	})
	t.Run("NoSent", func(t *testing.T) {
		if c, err := Connect(goodConfig(), Deps{}); c != nil || err == nil {
			t.Errorf("Connect without Deps.Sent = %v, %v; want an error", c, err)
		}
	})
	t.Run("On", func(t *testing.T) {
		ctx := context.Background()
		api := newFakeChatra(t)
		seen := newFakeSeen()
		cfg := goodConfig()
		cfg.APIURL = api.APIURL()
		c, err := Connect(cfg, Deps{Sent: seen, Log: zaptest.NewLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "chatra" {
			t.Errorf("Name = %q", c.Name)
		}
		if _, ok := c.Source.(*Client); !ok {
			t.Errorf("Source = %T, want *Client", c.Source)
		}
		if c.Sink != nil || c.Enricher != nil || len(c.Runners) != 0 || c.Inbound == nil {
			t.Errorf("parts: %+v", c)
		}

		tk := newTickets(t, "Website", "Delivery Team")
		in, err := c.Inbound(tk.Service)
		if err != nil {
			t.Fatal(err)
		}
		pattern := PathPrefix + "{token}"
		if len(in.Routes) != 1 || in.Routes[pattern] == nil || in.Queue != nil || len(in.Runners) != 0 {
			t.Fatalf("inbound: %+v", in)
		}
		mux := http.NewServeMux()
		mux.Handle(pattern, in.Routes[pattern])

		// The route takes the token and maps the group as configured.
		post(t, mux, testdata(t, "chat_started.json"))
		if all := tk.all(); len(all) != 1 || all[0].Team.Label != "Delivery Team" {
			t.Fatalf("tickets %+v, want one in Delivery Team", all)
		}
		// The Source sends with the keys and notes the id in Sent; the route, given the
		// same memory, knows Chatra's echo of it without receivedFrom.
		tkt := &tickets.Ticket{ID: "1", Number: 1, Source: Source, ConversationID: lena}
		if err := c.Source.Deliver(ctx, tkt, agentReply("It left today with DHL."), "1/m1"); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		if ids := api.IDs(); len(ids) != 1 {
			t.Fatalf("Chatra took %d messages, want 1", len(ids))
		} else if _, ok := seen.has(sentScope, ids[0]); !ok {
			t.Error("the id Chatra answered with is not noted in Deps.Sent")
		}
		if res := post(t, mux, api.Echo(0, false)); res.Added != 0 {
			t.Errorf("the echo without receivedFrom: %+v, want nothing added", res)
		}
		if _, err := c.Inbound(nil); err == nil {
			t.Error("Inbound(nil) made a handler")
		}
	})
}
