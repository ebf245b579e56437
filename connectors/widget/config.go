package widget

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// MinSecretBytes is the least length of Config.Secret.
const MinSecretBytes = 32

// Config configures the widget. The zero values of the optional fields take the defaults
// named in their comments.
type Config struct {
	// Secret keys the HMAC-SHA256 of visitors' tokens (WIDGET_SECRET): at least
	// MinSecretBytes bytes. Required. String() never shows it.
	Secret string
	// AllowedOrigins are the exact origins ("https://www.example.com") of the pages that
	// may embed the widget (WIDGET_ALLOWED_ORIGINS). Required. The websocket and the
	// session endpoint refuse any other Origin.
	AllowedOrigins []string

	// Title heads the chat panel ("Chat with us"); Color is its accent, #rrggbb
	// ("#4f46e5"); Greeting is the first line a visitor reads ("Hi! How can we help?").
	Title, Color, Greeting string
	// PreChat asks for a name and email before the first message (both optional fields
	// of the form).
	PreChat bool
	// Label names the team widget chats go to; "" → the default team.
	Label string

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
	// TrustedProxies are the reverse proxies in front of Frontdesk
	// (WIDGET_TRUSTED_PROXIES): when a request comes from one, the visitor's address is
	// taken from X-Forwarded-For (see clientIP) instead of the proxy's being shared by
	// every visitor. Empty: the peer's address counts.
	TrustedProxies []netip.Prefix
	// PingInterval is how often the server pings each websocket (25s); a socket that
	// does not answer within two intervals is closed.
	PingInterval time.Duration
}

// Defaults of Config.
const (
	DefaultTitle    = "Chat with us"
	DefaultColor    = "#4f46e5"
	DefaultGreeting = "Hi! How can we help?"
)

func (c *Config) setDefaults() {
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.Color == "" {
		c.Color = DefaultColor
	}
	if c.Greeting == "" {
		c.Greeting = DefaultGreeting
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 4000
	}
	if c.VisitorRate == 0 {
		c.VisitorRate = 1
	}
	if c.VisitorBurst == 0 {
		c.VisitorBurst = 8
	}
	if c.IPRate == 0 {
		c.IPRate = 5
	}
	if c.IPBurst == 0 {
		c.IPBurst = 40
	}
	if c.SessionRate == 0 {
		c.SessionRate = 0.1
	}
	if c.SessionBurst == 0 {
		c.SessionBurst = 20
	}
	if c.MaxTracked == 0 {
		c.MaxTracked = 100_000
	}
	if c.MaxConnsPerVisitor == 0 {
		c.MaxConnsPerVisitor = 8
	}
	if c.TokenTTL == 0 {
		c.TokenTTL = 180 * 24 * time.Hour
	}
	if c.PingInterval == 0 {
		c.PingInterval = 25 * time.Second
	}
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

// Validate reports every problem with c, once defaults are applied. It never quotes the
// secret.
func (c Config) Validate() error {
	c.setDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("widget: "+format, args...)) }
	if len(c.Secret) < MinSecretBytes {
		bad("the secret must be at least %d bytes (WIDGET_SECRET)", MinSecretBytes)
	}
	if len(c.AllowedOrigins) == 0 {
		bad("at least one allowed origin is required (WIDGET_ALLOWED_ORIGINS)")
	}
	for _, o := range c.AllowedOrigins {
		if err := ValidOrigin(o); err != nil {
			bad("allowed origin %q: %v", o, err)
		}
	}
	if !colorRE.MatchString(c.Color) {
		bad("color %q is not #rrggbb", c.Color)
	}
	if len(c.Title) > MaxTitleBytes {
		bad("the title is longer than %d bytes", MaxTitleBytes)
	}
	if len(c.Greeting) > MaxGreetingBytes {
		bad("the greeting is longer than %d bytes", MaxGreetingBytes)
	}
	if c.MaxMessageBytes < 1 || c.MaxMessageBytes > 40000 {
		bad("max message bytes %d must be 1 to 40000", c.MaxMessageBytes)
	}
	for _, r := range []rate.Limit{c.VisitorRate, c.IPRate, c.SessionRate} {
		if r < 0 || math.IsNaN(float64(r)) {
			bad("rate %v must be positive", r)
		}
	}
	if c.VisitorBurst < 1 || c.IPBurst < 1 || c.SessionBurst < 1 || c.MaxTracked < 1 || c.MaxConnsPerVisitor < 1 {
		bad("bursts, max tracked and max connections must be at least 1")
	}
	for _, p := range c.TrustedProxies {
		if !p.IsValid() || p.Bits() == 0 {
			bad("trusted proxy %v must be an address or a network narrower than all addresses", p)
		}
	}
	if c.TokenTTL < time.Minute || c.PingInterval < 10*time.Millisecond {
		bad("token TTL must be at least a minute and the ping interval at least 10ms")
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
