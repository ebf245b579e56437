package widget

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// MinSecretBytes is the least length of Config.Secret.
const MinSecretBytes = 32

// Config is the widget's settings as an operator sets them, each from the environment
// variable its tag names. The widget is on when WIDGET_SECRET is set; Validate checks the
// rest. A zero Title, Color or Greeting takes the default the tags name.
type Config struct {
	// Secret keys the HMAC-SHA256 of visitors' tokens (WIDGET_SECRET): at least
	// MinSecretBytes bytes. It turns the widget on. String() never shows it.
	Secret string `envconfig:"WIDGET_SECRET"`
	// AllowedOrigins are the exact origins ("https://www.example.com") of the pages that
	// may embed the widget (WIDGET_ALLOWED_ORIGINS, a comma-separated list). Required.
	// The websocket and the session endpoint refuse any other Origin.
	AllowedOrigins Origins `envconfig:"WIDGET_ALLOWED_ORIGINS"`
	// Title heads the chat panel (WIDGET_TITLE).
	Title string `envconfig:"WIDGET_TITLE" default:"Chat with us"`
	// Color is the panel's accent, #rrggbb (WIDGET_COLOR).
	Color string `envconfig:"WIDGET_COLOR" default:"#4f46e5"`
	// Greeting is the first line a visitor reads (WIDGET_GREETING).
	Greeting string `envconfig:"WIDGET_GREETING" default:"Hi! How can we help?"`
	// PreChat asks for a name and email before the first message, both optional fields
	// of the form (WIDGET_PRECHAT).
	PreChat bool `envconfig:"WIDGET_PRECHAT" default:"false"`
	// Label names the team widget chats go to; "" → the default team (WIDGET_LABEL).
	Label string `envconfig:"WIDGET_LABEL"`
	// TrustedProxies are the reverse proxies in front of Frontdesk
	// (WIDGET_TRUSTED_PROXIES, a comma-separated list of addresses and networks): when a
	// request comes from one, the visitor's address is taken from X-Forwarded-For (see
	// clientIP) instead of the proxy's being shared by every visitor. Empty: the peer's
	// address counts.
	TrustedProxies TrustedProxies `envconfig:"WIDGET_TRUSTED_PROXIES"`
	// MaxFileBytes bounds a file a visitor attaches (WIDGET_MAX_FILE_BYTES): 1 byte to
	// MaxFileBytes. Visitors attach files when PUBLIC_URL is set (upload.go).
	MaxFileBytes int `envconfig:"WIDGET_MAX_FILE_BYTES" default:"10485760"`
	// FileTypes are the MIME types visitors may attach (WIDGET_FILE_TYPES, a
	// comma-separated list; DefaultFileTypes).
	FileTypes FileTypes `envconfig:"WIDGET_FILE_TYPES" default:"image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"`
	// FileTTL is how long a visitor's file is kept and its link opens it
	// (WIDGET_FILE_TTL): an hour to 90 days. The copy in Slack stays.
	FileTTL time.Duration `envconfig:"WIDGET_FILE_TTL" default:"168h"`
}

// FileTypes is WIDGET_FILE_TYPES: a comma-separated list of MIME types, trimmed and
// lowercased; empty items are dropped. Config.Validate checks each.
type FileTypes []string

// Decode reads a comma-separated list (envconfig.Decoder). It never fails.
func (t *FileTypes) Decode(value string) error {
	var out FileTypes
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.ToLower(strings.TrimSpace(item)); item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	*t = out
	return nil
}

// activeTypes are types a browser may run or render as a page: never taken from visitors.
var activeTypes = []string{"text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript",
	"application/javascript", "application/ecmascript", "text/xml", "application/xml"}

// Defaults of Config, as its tags name them.
const (
	DefaultTitle    = "Chat with us"
	DefaultColor    = "#4f46e5"
	DefaultGreeting = "Hi! How can we help?"
)

// withDefaults is c with its zero look fields set to their defaults: the environment
// reader sets them from the tags, a Config written in code may leave them out.
func (c Config) withDefaults() Config {
	c.Title = cmp.Or(c.Title, DefaultTitle)
	c.Color = cmp.Or(c.Color, DefaultColor)
	c.Greeting = cmp.Or(c.Greeting, DefaultGreeting)
	c.MaxFileBytes = cmp.Or(c.MaxFileBytes, DefaultMaxFileBytes)
	c.FileTTL = cmp.Or(c.FileTTL, DefaultFileTTL)
	if len(c.FileTypes) == 0 {
		c.FileTypes = slices.Clone(DefaultFileTypes)
	}
	return c
}

// Origins is WIDGET_ALLOWED_ORIGINS: a comma-separated list of origins. Items are
// trimmed of spaces and of a trailing "/", which people copy from the address bar but
// browsers never send; empty items are dropped. Config.Validate checks each origin.
type Origins []string

// Decode reads a comma-separated list (envconfig.Decoder). It never fails.
func (o *Origins) Decode(value string) error {
	var out Origins
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.TrimRight(strings.TrimSpace(item), "/"); item != "" {
			out = append(out, item)
		}
	}
	*o = out
	return nil
}

// TrustedProxies is WIDGET_TRUSTED_PROXIES: a comma-separated list of addresses and
// networks, each read by ParseTrustedProxy.
type TrustedProxies []netip.Prefix

// Decode reads a comma-separated list (envconfig.Decoder). Its error names every entry
// that is not an address or an acceptable network, on one line; the good ones are kept.
func (p *TrustedProxies) Decode(value string) error {
	var out TrustedProxies
	var bad []string
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		prefix, err := ParseTrustedProxy(item)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q %v", item, err))
			continue
		}
		out = append(out, prefix)
	}
	*p = out
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// limits bound what visitors may do. They are not the operator's to set; tests narrow
// them. The zero value of each field takes the default named in its comment.
type limits struct {
	// MaxMessageBytes bounds one visitor message (4000).
	MaxMessageBytes int
	// VisitorRate is how many messages a second one visitor may send on average (1), and
	// VisitorBurst how many at once (8).
	VisitorRate  rate.Limit
	VisitorBurst int
	// IPRate and IPBurst bound what one IP address may do (messages, connections, new
	// sessions) together (5 a second, 40 at once).
	IPRate  rate.Limit
	IPBurst int
	// SessionRate and SessionBurst bound how many new visitors one IP address may start
	// (one every 10 seconds on average, 20 at once). Each new visitor can open a ticket,
	// so this is what keeps one address from flooding the ticketing channels.
	SessionRate  rate.Limit
	SessionBurst int
	// MaxTracked bounds how many visitors' and addresses' rates are kept at a time (100000).
	MaxTracked int
	// MaxConnsPerVisitor bounds one visitor's open websockets (tabs) on one replica (8).
	MaxConnsPerVisitor int
	// TokenTTL is how long a visitor's token is good for (180 days); every connection
	// hands the visitor a fresh one, so only a visitor away that long starts over.
	TokenTTL time.Duration
	// PingInterval is how often the server pings each websocket (25s); a socket that
	// does not answer within two intervals is closed.
	PingInterval time.Duration
}

// withDefaults is l with its zero fields set to their defaults.
func (l limits) withDefaults() limits {
	l.MaxMessageBytes = cmp.Or(l.MaxMessageBytes, 4000)
	l.VisitorRate = cmp.Or(l.VisitorRate, 1)
	l.VisitorBurst = cmp.Or(l.VisitorBurst, 8)
	l.IPRate = cmp.Or(l.IPRate, 5)
	l.IPBurst = cmp.Or(l.IPBurst, 40)
	l.SessionRate = cmp.Or(l.SessionRate, 0.1)
	l.SessionBurst = cmp.Or(l.SessionBurst, 20)
	l.MaxTracked = cmp.Or(l.MaxTracked, 100_000)
	l.MaxConnsPerVisitor = cmp.Or(l.MaxConnsPerVisitor, 8)
	l.TokenTTL = cmp.Or(l.TokenTTL, 180*24*time.Hour)
	l.PingInterval = cmp.Or(l.PingInterval, 25*time.Second)
	return l
}

// validate reports every problem with l, once defaults are applied.
func (l limits) validate() error {
	l = l.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("widget: "+format, args...)) }
	if l.MaxMessageBytes < 1 || l.MaxMessageBytes > 40000 {
		bad("max message bytes %d must be 1 to 40000", l.MaxMessageBytes)
	}
	for _, r := range []rate.Limit{l.VisitorRate, l.IPRate, l.SessionRate} {
		if r < 0 || math.IsNaN(float64(r)) {
			bad("rate %v must be positive", r)
		}
	}
	if l.VisitorBurst < 1 || l.IPBurst < 1 || l.SessionBurst < 1 || l.MaxTracked < 1 || l.MaxConnsPerVisitor < 1 {
		bad("bursts, max tracked and max connections must be at least 1")
	}
	if l.TokenTTL < time.Minute || l.PingInterval < 10*time.Millisecond {
		bad("token TTL must be at least a minute and the ping interval at least 10ms")
	}
	return errors.Join(errs...)
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Limits on the look of the widget.
const (
	MaxTitleBytes    = 80
	MaxGreetingBytes = 500
)

// ParseTrustedProxy reads one entry of WIDGET_TRUSTED_PROXIES: an address
// ("10.0.0.7") or a network ("10.0.0.0/8", "fd00::/8"). A network of every address
// ("0.0.0.0/0") is refused: it would let any visitor choose the address it is limited by.
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errors.New("is not an address or a network like 10.0.0.0/8")
	}
	if p.Addr().Is4In6() {
		if p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96); !p.IsValid() {
			return netip.Prefix{}, errors.New("is not an address or a network like 10.0.0.0/8")
		}
	}
	if p.Bits() == 0 {
		return netip.Prefix{}, errors.New("trusts every address, so any visitor could choose the address it is limited by; name the proxies' own addresses or network")
	}
	return p.Masked(), nil
}

// ValidColor reports whether s is a colour as Config.Color takes it: #rrggbb.
func ValidColor(s string) bool { return colorRE.MatchString(s) }

// Enabled reports whether WIDGET_SECRET is set: it turns the widget on.
func (c Config) Enabled() bool { return c.Secret != "" }

// Validate reports every problem with c, each starting with its variable's name. When
// the widget is off, only WIDGET_ALLOWED_ORIGINS set without WIDGET_SECRET is one. It
// never quotes the secret.
func (c Config) Validate() error {
	if !c.Enabled() {
		if len(c.AllowedOrigins) > 0 {
			return errors.New("WIDGET_ALLOWED_ORIGINS: is set but WIDGET_SECRET is not; set WIDGET_SECRET to turn the website widget on")
		}
		return nil
	}
	c = c.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Secret) < MinSecretBytes {
		bad("WIDGET_SECRET: must be at least %d bytes (e.g. openssl rand -hex 32)", MinSecretBytes)
	}
	if len(c.AllowedOrigins) == 0 {
		bad("WIDGET_ALLOWED_ORIGINS: required with WIDGET_SECRET: the origins of the sites that embed the widget, like https://www.example.com")
	}
	for _, o := range c.AllowedOrigins {
		if err := ValidOrigin(o); err != nil {
			bad("WIDGET_ALLOWED_ORIGINS: %q %v", o, err)
		}
	}
	if !ValidColor(c.Color) {
		bad("WIDGET_COLOR: %q is not a colour like #4f46e5", c.Color)
	}
	if len(c.Title) > MaxTitleBytes {
		bad("WIDGET_TITLE: is longer than %d bytes", MaxTitleBytes)
	}
	if len(c.Greeting) > MaxGreetingBytes {
		bad("WIDGET_GREETING: is longer than %d bytes", MaxGreetingBytes)
	}
	if c.MaxFileBytes < 1 || c.MaxFileBytes > MaxFileBytes {
		bad("WIDGET_MAX_FILE_BYTES: %d must be 1 to %d (25 MB, what Frontdesk carries into Slack)", c.MaxFileBytes, MaxFileBytes)
	}
	if c.FileTTL < time.Hour || c.FileTTL > 90*24*time.Hour {
		bad("WIDGET_FILE_TTL: %v must be an hour to 90 days (2160h)", c.FileTTL)
	}
	for _, t := range c.FileTypes {
		mt, params, err := mime.ParseMediaType(t)
		switch {
		case err != nil || mt != t || len(params) > 0 || !strings.Contains(t, "/") || strings.Contains(t, "*"):
			bad("WIDGET_FILE_TYPES: %q is not a MIME type like image/png", t)
		case slices.Contains(activeTypes, t):
			bad("WIDGET_FILE_TYPES: %q can run in a browser; it cannot be taken from visitors", t)
		}
	}
	// A Config written in code skips Decode: its proxies get the same check.
	for _, p := range c.TrustedProxies {
		if _, err := ParseTrustedProxy(p.String()); err != nil {
			bad("WIDGET_TRUSTED_PROXIES: %q %v", p.String(), err)
		}
	}
	return errors.Join(errs...)
}

// ValidOrigin checks that o is an origin as browsers send it: scheme://host[:port], no
// path, lowercase.
func ValidOrigin(o string) error {
	u, err := url.Parse(o)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errors.New("must be like https://www.example.com")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("must be an origin only: scheme, host and port, no path")
	case strings.ToLower(o) != o:
		return errors.New("must be lowercase, as browsers send it")
	}
	return nil
}

// String describes c without its secret.
func (c Config) String() string {
	c.Secret = "[redacted]"
	type plain Config // no String method: no recursion
	return fmt.Sprintf("%+v", plain(c))
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }
