package widget

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy configured for this peer", "198.51.100.4:5000", []string{"203.0.113.9"}, "198.51.100.4"},
		{"behind the proxy", "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"the proxy sent no header", "10.1.2.3:5000", nil, "10.1.2.3"},
		{"a forged hop on the left is not believed", "10.1.2.3:5000", []string{"192.0.2.66, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted proxies", "10.1.2.3:5000", []string{"203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"hops over several headers", "10.1.2.3:5000", []string{"192.0.2.66", "203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"all hops trusted", "10.1.2.3:5000", []string{"10.7.7.7"}, "10.7.7.7"},
		{"a malformed hop stops at the last trusted one", "10.1.2.3:5000", []string{"203.0.113.9, not-an-ip"}, "10.1.2.3"},
		{"a hop with a port", "10.1.2.3:5000", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"IPv6 with a port", "[fd00::1]:5000", []string{"[2001:db8::5]:4711"}, "2001:db8::5"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"IPv4-mapped hop", "10.1.2.3:5000", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"a zone is not an address", "10.1.2.3:5000", []string{"fe80::1%eth0"}, "10.1.2.3"},
		{"an odd peer address is kept as it is", "pipe", []string{"203.0.113.9"}, "pipe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &Widget{cfg: Config{TrustedProxies: proxies}}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := w.clientIP(r); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("without trusted proxies the header is ignored", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "10.1.2.3:5000"
		r.Header.Set("X-Forwarded-For", "203.0.113.9")
		if got := (&Widget{}).clientIP(r); got != "10.1.2.3" {
			t.Errorf("clientIP = %q, want the peer", got)
		}
	})
	t.Run("only the last hops are read", func(t *testing.T) {
		w := &Widget{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/1")}}}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "10.1.2.3:5000"
		hops := "203.0.113.9"
		for range maxForwardedHops {
			hops += ", 10.0.0.1"
		}
		r.Header.Set("X-Forwarded-For", hops)
		if got := w.clientIP(r); got != "10.0.0.1" {
			t.Errorf("clientIP = %q, want the last trusted hop read", got)
		}
	})
}

func TestParseTrustedProxy(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.7": "10.0.0.7/32", "10.1.2.3/8": "10.0.0.0/8", "fd00::/8": "fd00::/8",
		"::ffff:10.0.0.7": "10.0.0.7/32", "::ffff:198.51.100.0/120": "198.51.100.0/24",
	} {
		p, err := ParseTrustedProxy(in)
		if err != nil || p.String() != want {
			t.Errorf("%q: %v %v, want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"", "proxy.internal", "0.0.0.0/0", "::/0", "::ffff:0.0.0.0/96", "::ffff:0.0.0.0/64", "10.0.0.0/33", "fe80::1%eth0"} {
		if p, err := ParseTrustedProxy(in); err == nil {
			t.Errorf("%q: %v, want an error", in, p)
		}
	}
	ok := Config{Secret: strings.Repeat("s", MinSecretBytes), AllowedOrigins: []string{testOrigin}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []netip.Prefix{{}, netip.MustParsePrefix("0.0.0.0/0")} {
		c := ok
		c.TrustedProxies = []netip.Prefix{p}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "WIDGET_TRUSTED_PROXIES") {
			t.Errorf("trusted proxy %v: Validate says %v", p, err)
		}
	}
}
