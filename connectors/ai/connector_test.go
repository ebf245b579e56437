package ai

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/frontdeskhq/frontdesk/connectors/internal/setting/settingtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// The values no error may quote: the key, and a URL with credentials in it.
const (
	aiKey     = "sk-connector-key-0123456789"
	secretURL = "https://user:hunter2@gateway.example.com/v1"
)

func goodAIConfig() Config {
	return Config{BaseURL: "https://api.openai.com/v1", APIKey: aiKey, Model: "gpt-5-mini", Timeout: DefaultTimeout}
}

// The tags are what the environment reader goes by: each field's variable and default.
func TestConfigFromEnvironment(t *testing.T) {
	t.Setenv("AI_BASE_URL", "https://api.openai.com/v1")
	t.Setenv("AI_API_KEY", aiKey)
	t.Setenv("AI_MODEL", "gpt-5-mini")
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, goodAIConfig()) {
		t.Errorf("read %+v, want %+v (AI_TIMEOUT's default is DefaultTimeout, AI_TEMPERATURE unset is nil)", c, goodAIConfig())
	}
	t.Setenv("AI_TEMPERATURE", "0.2")
	t.Setenv("AI_TIMEOUT", "5s")
	if err := envconfig.Process("", &c); err != nil {
		t.Fatal(err)
	}
	if c.Temperature == nil || *c.Temperature != 0.2 || c.Timeout != 5*time.Second {
		t.Errorf("read %+v", c)
	}
	if !c.Enabled() || c.Validate() != nil {
		t.Errorf("Enabled %v, Validate %v", c.Enabled(), c.Validate())
	}
}

func TestValidate(t *testing.T) {
	if err := goodAIConfig().Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"URL without the key", func(c *Config) { c.APIKey = "" }, "AI_BASE_URL"},
		{"key without the URL", func(c *Config) { c.BaseURL = " " }, "AI_BASE_URL"},
		{"model alone", func(c *Config) { c.BaseURL, c.APIKey = "", "" }, "AI_BASE_URL"},
		{"temperature without AI", func(c *Config) { *c = Config{Temperature: ptr(0.2)} }, "AI_TEMPERATURE"},
		{"relative URL", func(c *Config) { c.BaseURL = "/v1" }, "AI_BASE_URL"},
		{"other scheme", func(c *Config) { c.BaseURL = "ftp://user:hunter2@gateway.example.com/v1" }, "AI_BASE_URL"},
		{"query", func(c *Config) { c.BaseURL = secretURL + "?key=" + aiKey }, "AI_BASE_URL"},
		{"fragment", func(c *Config) { c.BaseURL = secretURL + "#x" }, "AI_BASE_URL"},
		{"key on two lines", func(c *Config) { c.APIKey = aiKey + "\nX-Other: 1" }, "AI_API_KEY"},
		{"zero timeout", func(c *Config) { c.Timeout = 0 }, "AI_TIMEOUT"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "AI_TIMEOUT"},
		{"temperature below 0", func(c *Config) { c.Temperature = ptr(-0.1) }, "AI_TEMPERATURE"},
		{"temperature above 2", func(c *Config) { c.Temperature = ptr(2.5) }, "AI_TEMPERATURE"},
		{"temperature NaN", func(c *Config) { c.Temperature = ptr(math.NaN()) }, "AI_TEMPERATURE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goodAIConfig()
			tc.edit(&c)
			settingtest.OneProblem(t, c.Validate(), tc.want, aiKey, "hunter2")
		})
	}
	t.Run("off", func(t *testing.T) {
		if err := (Config{Timeout: -time.Second}).Validate(); err != nil {
			t.Errorf("off with a stray AI_TIMEOUT: %v, want nil", err)
		}
		if (Config{BaseURL: "https://api.openai.com/v1", Model: "m"}).Enabled() {
			t.Error("two of three turn AI on")
		}
	})
	t.Run("every problem", func(t *testing.T) {
		c := Config{BaseURL: secretURL + "?q", APIKey: aiKey + "\r\nX-Other: 1", Model: "m", Timeout: 0, Temperature: ptr(3.0)}
		settingtest.Names(t, c.Validate(), []string{"AI_BASE_URL", "AI_API_KEY", "AI_TIMEOUT", "AI_TEMPERATURE"}, aiKey, "hunter2")
	})
}

func TestConnect(t *testing.T) {
	deps := Deps{Store: &memStore{}}
	t.Run("off", func(t *testing.T) {
		for _, cfg := range []Config{{}, {Model: "m"}} {
			if c, err := Connect(cfg, deps); c != nil || err != nil {
				t.Errorf("Connect(%+v) = %v, %v, want nil, nil", cfg, c, err)
			}
		}
	})
	t.Run("invalid", func(t *testing.T) {
		cfg := goodAIConfig()
		cfg.Timeout = 0
		if c, err := Connect(cfg, deps); c != nil || err == nil || !strings.HasPrefix(err.Error(), "AI_TIMEOUT: ") {
			t.Errorf("Connect = %v, %v, want nil and Validate's error", c, err)
		}
		if c, err := Connect(goodAIConfig(), Deps{}); c != nil || err == nil {
			t.Errorf("without a store: %v, %v, want an error", c, err)
		}
	})
	t.Run("on", func(t *testing.T) {
		c, err := Connect(goodAIConfig(), deps)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != Name || c.Source != nil || c.Sink != nil || len(c.Runners) != 0 || c.Inbound != nil {
			t.Fatalf("connector %+v", c)
		}
		s, ok := c.Enricher.(*Sink)
		if !ok || s.Name() != Name {
			t.Fatalf("Enricher is %T, want the *Sink", c.Enricher)
		}
		if _, ok := c.Enricher.(tickets.EventFilter); !ok {
			t.Error("the enricher does not filter events")
		}
	})
}
