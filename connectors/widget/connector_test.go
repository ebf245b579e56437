package widget

import (
	"context"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/frontdeskhq/frontdesk/connectors/internal/setting/settingtest"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

// widgetSecret is a good WIDGET_SECRET; no error may quote it.
const widgetSecret = "widget-secret-0123456789abcdef-XYZ"

// goodConfig is a Config that passes Validate, as the environment reader fills it.
func goodConfig() Config {
	return Config{
		Secret: widgetSecret, AllowedOrigins: Origins{testOrigin, "http://localhost:3000"},
		Title: DefaultTitle, Color: DefaultColor, Greeting: DefaultGreeting, Label: "Billing",
		TrustedProxies: TrustedProxies{netip.MustParsePrefix("10.0.0.0/8")},
	}
}

// The tags are what the environment reader goes by: each field's variable and default.
func TestConfigFromEnvironment(t *testing.T) {
	t.Setenv("WIDGET_SECRET", widgetSecret)
	t.Setenv("WIDGET_ALLOWED_ORIGINS", " https://shop.example.com/ ,, http://localhost:3000")
	t.Setenv("WIDGET_TRUSTED_PROXIES", "10.0.0.7, fd00::/8")
	t.Setenv("WIDGET_PRECHAT", "true")
	t.Setenv("WIDGET_LABEL", "Billing")
	t.Setenv("WIDGET_FILE_TYPES", " image/PNG, application/pdf ,,image/png")
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Secret: widgetSecret, AllowedOrigins: Origins{"https://shop.example.com", "http://localhost:3000"},
		Title: DefaultTitle, Color: DefaultColor, Greeting: DefaultGreeting, PreChat: true, Label: "Billing",
		TrustedProxies: TrustedProxies{netip.MustParsePrefix("10.0.0.7/32"), netip.MustParsePrefix("fd00::/8")},
		MaxFileBytes:   DefaultMaxFileBytes, FileTypes: FileTypes{"image/png", "application/pdf"}, FileTTL: DefaultFileTTL,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("read\n%+v\nwant\n%+v", c, want)
	}
	if !c.Enabled() || c.Validate() != nil {
		t.Errorf("Enabled %v, Validate %v", c.Enabled(), c.Validate())
	}
}

func TestTrustedProxiesDecode(t *testing.T) {
	var p TrustedProxies
	err := p.Decode("10.0.0.7, proxy.internal, 0.0.0.0/0")
	if err == nil || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), `"proxy.internal"`) || !strings.Contains(err.Error(), `"0.0.0.0/0"`) {
		t.Errorf("Decode: %v, want one line naming both bad entries", err)
	}
	if len(p) != 1 || p[0] != netip.MustParsePrefix("10.0.0.7/32") {
		t.Errorf("kept %v, want the good entry", p)
	}
	if err := p.Decode(""); err != nil || p != nil {
		t.Errorf("empty: %v %v", p, err)
	}
}

func TestValidate(t *testing.T) {
	if err := goodConfig().Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	// A Config written in code may leave the look to its defaults.
	if err := (Config{Secret: widgetSecret, AllowedOrigins: Origins{testOrigin}}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	const shortSecret = "short-widget-secret"
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"short secret", func(c *Config) { c.Secret = shortSecret }, "WIDGET_SECRET"},
		{"no origins", func(c *Config) { c.AllowedOrigins = nil }, "WIDGET_ALLOWED_ORIGINS"},
		{"origin with a path", func(c *Config) { c.AllowedOrigins = Origins{"https://example.com/shop"} }, "WIDGET_ALLOWED_ORIGINS"},
		{"origin in capitals", func(c *Config) { c.AllowedOrigins = Origins{"https://Example.com"} }, "WIDGET_ALLOWED_ORIGINS"},
		{"origin star", func(c *Config) { c.AllowedOrigins = Origins{"*"} }, "WIDGET_ALLOWED_ORIGINS"},
		{"colour", func(c *Config) { c.Color = "red" }, "WIDGET_COLOR"},
		{"title too long", func(c *Config) { c.Title = strings.Repeat("t", MaxTitleBytes+1) }, "WIDGET_TITLE"},
		{"greeting too long", func(c *Config) { c.Greeting = strings.Repeat("g", MaxGreetingBytes+1) }, "WIDGET_GREETING"},
		{"proxy of every address", func(c *Config) {
			c.TrustedProxies = TrustedProxies{netip.MustParsePrefix("0.0.0.0/0")}
		}, "WIDGET_TRUSTED_PROXIES"},
		{"invalid proxy", func(c *Config) { c.TrustedProxies = TrustedProxies{{}} }, "WIDGET_TRUSTED_PROXIES"},
		{"file too large", func(c *Config) { c.MaxFileBytes = MaxFileBytes + 1 }, "WIDGET_MAX_FILE_BYTES"},
		{"negative file size", func(c *Config) { c.MaxFileBytes = -1 }, "WIDGET_MAX_FILE_BYTES"},
		{"file TTL too short", func(c *Config) { c.FileTTL = time.Minute }, "WIDGET_FILE_TTL"},
		{"file TTL too long", func(c *Config) { c.FileTTL = 91 * 24 * time.Hour }, "WIDGET_FILE_TTL"},
		{"file type not a type", func(c *Config) { c.FileTypes = FileTypes{"png"} }, "WIDGET_FILE_TYPES"},
		{"file type wildcard", func(c *Config) { c.FileTypes = FileTypes{"image/*"} }, "WIDGET_FILE_TYPES"},
		{"file type with parameters", func(c *Config) { c.FileTypes = FileTypes{"text/plain; charset=utf-8"} }, "WIDGET_FILE_TYPES"},
		{"file type that runs", func(c *Config) { c.FileTypes = FileTypes{"image/png", "image/svg+xml"} }, "WIDGET_FILE_TYPES"},
		{"file type html", func(c *Config) { c.FileTypes = FileTypes{"text/html"} }, "WIDGET_FILE_TYPES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goodConfig()
			tc.edit(&c)
			settingtest.OneProblem(t, c.Validate(), tc.want, widgetSecret, shortSecret)
		})
	}
	t.Run("off", func(t *testing.T) {
		if err := (Config{Title: DefaultTitle, Color: "not a colour"}).Validate(); err != nil {
			t.Errorf("an off widget's other settings: %v, want nil", err)
		}
		err := Config{AllowedOrigins: Origins{testOrigin}}.Validate()
		settingtest.OneProblem(t, err, "WIDGET_ALLOWED_ORIGINS")
		if !strings.Contains(err.Error(), "WIDGET_SECRET") {
			t.Errorf("origins without the secret: %v, want it to name WIDGET_SECRET", err)
		}
	})
	t.Run("every problem", func(t *testing.T) {
		c := goodConfig()
		c.Secret, c.AllowedOrigins, c.Color, c.Title = shortSecret, nil, "red", strings.Repeat("t", MaxTitleBytes+1)
		settingtest.Names(t, c.Validate(), []string{"WIDGET_SECRET", "WIDGET_ALLOWED_ORIGINS", "WIDGET_COLOR", "WIDGET_TITLE"},
			shortSecret, widgetSecret)
	})
}

func TestConnect(t *testing.T) {
	feed := newMemFeed()
	t.Run("off", func(t *testing.T) {
		c, err := Connect(Config{}, Deps{Feed: feed})
		if c != nil || err != nil {
			t.Fatalf("Connect = %v, %v, want nil, nil", c, err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		cfg := goodConfig()
		cfg.AllowedOrigins = nil
		c, err := Connect(cfg, Deps{Feed: feed})
		if c != nil || err == nil || !strings.Contains(err.Error(), "WIDGET_ALLOWED_ORIGINS") {
			t.Fatalf("Connect = %v, %v, want nil and Validate's error", c, err)
		}
		if c, err := Connect(goodConfig(), Deps{}); c != nil || err == nil {
			t.Fatalf("without a feed: %v, %v, want an error", c, err)
		}
	})
	t.Run("on", func(t *testing.T) {
		c, err := Connect(goodConfig(), Deps{Feed: feed})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != Source || c.Sink != nil || c.Enricher != nil || len(c.Runners) != 0 || c.Inbound == nil {
			t.Fatalf("connector %+v", c)
		}
		if _, ok := c.Source.(*Delivery); !ok {
			t.Fatalf("Source is %T, want *Delivery", c.Source)
		}
		if _, err := c.Inbound(nil); err == nil {
			t.Error("Inbound took a nil service")
		}
		svc, _ := storetest.NewService(t)
		in, err := c.Inbound(svc)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"GET " + ScriptPath, "GET " + FilesPath + "/{id}", "GET " + SocketPath, "OPTIONS " + SessionPath,
			"POST " + FilesPath, "POST " + SessionPath}
		if got := slices.Sorted(maps.Keys(in.Routes)); !slices.Equal(got, want) {
			t.Errorf("routes %q, want %q", got, want)
		}
		if in.Queue != nil || len(in.Runners) != 1 {
			t.Fatalf("inbound %+v, want one runner and no queue", in)
		}
		// The runner is the live feed: it runs until its context ends.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := in.Runners[0](ctx); err != nil {
			t.Errorf("the runner: %v", err)
		}
	})
}
