package vitally

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/frontdeskhq/frontdesk/connectors/internal/setting/settingtest"
)

// envSecret is a good VITALLY_SECRET; no error may quote it.
const envSecret = "Basic c2tfbGl2ZV9zZWNyZXRfMTIzNDU2Nzg5MDo="

func goodEnv() Config {
	return Config{APIURL: "https://acme.rest.vitally.io", Secret: envSecret}
}

// noMark is a Deps.Mark for tests that never reach it.
func noMark(context.Context, string, time.Time) (time.Time, error) { return time.Time{}, nil }

// The tags are what the environment reader goes by.
func TestConfigFromEnvironment(t *testing.T) {
	t.Setenv("VITALLY_API_URL", "https://acme.rest.vitally.io")
	t.Setenv("VITALLY_SECRET", envSecret)
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		t.Fatal(err)
	}
	if c != goodEnv() || !c.Enabled() || c.Validate() != nil {
		t.Errorf("read %v: Enabled %v, Validate %v", c.APIURL, c.Enabled(), c.Validate())
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{{}, goodEnv(), {APIURL: "https://rest.vitally-eu.io/resources/", Secret: "sk_live_1"}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", c.APIURL, err)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"URL without the secret", func(c *Config) { c.Secret = "" }, "VITALLY_API_URL"},
		{"secret without the URL", func(c *Config) { c.APIURL = "" }, "VITALLY_API_URL"},
		{"not a URL", func(c *Config) { c.APIURL = "acme" }, "VITALLY_API_URL"},
		{"URL with a query", func(c *Config) { c.APIURL = "https://acme.rest.vitally.io?key=x" }, "VITALLY_API_URL"},
		{"URL with credentials", func(c *Config) { c.APIURL = "https://user:" + envSecret + "@acme.rest.vitally.io" }, "VITALLY_API_URL"},
		{"URL too long", func(c *Config) { c.APIURL = "https://acme.rest.vitally.io/" + strings.Repeat("a", 500) }, "VITALLY_API_URL"},
		{"secret on two lines", func(c *Config) { c.Secret = envSecret + "\nX-Other: 1" }, "VITALLY_SECRET"},
		{"secret too long", func(c *Config) { c.Secret = envSecret + strings.Repeat("x", 1000) }, "VITALLY_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goodEnv()
			tc.edit(&c)
			settingtest.OneProblem(t, c.Validate(), tc.want, envSecret)
		})
	}
	t.Run("every problem", func(t *testing.T) {
		err := Config{APIURL: "acme", Secret: envSecret + "\x00"}.Validate()
		settingtest.Names(t, err, []string{"VITALLY_API_URL", "VITALLY_SECRET"}, envSecret)
	})
}

func TestConnect(t *testing.T) {
	store := newMemStore()
	t.Run("always on", func(t *testing.T) {
		for _, cfg := range []Config{{}, goodEnv()} {
			c, err := Connect(cfg, Deps{Store: store, Mark: noMark})
			if err != nil {
				t.Fatalf("%s: %v", cfg.APIURL, err)
			}
			if c.Name != Name || c.Source != nil || c.Enricher != nil || c.Inbound != nil || len(c.Runners) != 1 {
				t.Fatalf("connector %+v", c)
			}
			if s, ok := c.Sink.(*Sink); !ok || s.Name() != Name {
				t.Fatalf("Sink is %T, want the *Sink", c.Sink)
			}
		}
	})
	t.Run("the runner is Prepare", func(t *testing.T) {
		// Without the environment's set-up, Prepare has nothing to make.
		c, err := Connect(Config{}, Deps{Store: store})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Runners[0](context.Background()); err != nil {
			t.Errorf("the runner: %v", err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for name, tc := range map[string]struct {
			cfg  Config
			deps Deps
		}{
			"half set":                    {Config{APIURL: "https://acme.rest.vitally.io"}, Deps{Store: store, Mark: noMark}},
			"bad URL":                     {Config{APIURL: "acme", Secret: envSecret}, Deps{Store: store, Mark: noMark}},
			"no store":                    {Config{}, Deps{}},
			"environment set-up, no mark": {goodEnv(), Deps{Store: store}},
		} {
			t.Run(name, func(t *testing.T) {
				c, err := Connect(tc.cfg, tc.deps)
				if c != nil || err == nil {
					t.Errorf("Connect = %v, %v, want nil and an error", c, err)
				}
				settingtest.NoSecret(t, err, envSecret)
			})
		}
	})
}
