package widget

import (
	"strings"
	"testing"
	"time"
)

func TestToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := signer{key: []byte(strings.Repeat("k", 32)), ttl: 24 * time.Hour}
	v := newVisitorID()
	if !validVisitor(v) || v == newVisitorID() {
		t.Fatalf("visitor id %q is not 128 random bits in hex", v)
	}
	tok := s.issue(v, now)

	t.Run("Valid", func(t *testing.T) {
		got, err := s.verify(tok, now.Add(time.Hour))
		if err != nil || got != v {
			t.Fatalf("verify = %q, %v; want %q", got, err, v)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		if _, err := s.verify(tok, now.Add(25*time.Hour)); err == nil {
			t.Fatal("a token past its TTL verified")
		}
	})
	t.Run("FromTheFuture", func(t *testing.T) {
		if _, err := s.verify(s.issue(v, now.Add(time.Hour)), now); err == nil {
			t.Fatal("a token issued an hour from now verified")
		}
	})
	t.Run("OtherSecret", func(t *testing.T) {
		other := signer{key: []byte(strings.Repeat("j", 32)), ttl: 24 * time.Hour}
		if _, err := other.verify(tok, now); err == nil {
			t.Fatal("a token verified under another secret")
		}
	})
	t.Run("Forged", func(t *testing.T) {
		p := strings.Split(tok, ".")
		other := newVisitorID()
		for name, forged := range map[string]string{
			"bare id":           v,
			"empty":             "",
			"other visitor":     strings.Join([]string{p[0], other, p[2], p[3]}, "."),
			"later issue":       strings.Join([]string{p[0], p[1], "1800003600", p[3]}, "."),
			"no mac":            strings.Join(p[:3], "."),
			"empty mac":         strings.Join(p[:3], ".") + ".",
			"mac cut":           tok[:len(tok)-1],
			"other version":     strings.Join([]string{"v2", p[1], p[2], p[3]}, "."),
			"uppercase visitor": strings.Join([]string{p[0], strings.ToUpper(p[1]), p[2], p[3]}, "."),
			"long":              tok + strings.Repeat("A", 300),
		} {
			if got, err := s.verify(forged, now); err == nil {
				t.Errorf("%s: verified as %q", name, got)
			}
		}
		// A token for a malformed visitor, even correctly signed, is refused.
		bad := s.issue("not-hex", now)
		if _, err := s.verify(bad, now); err == nil {
			t.Error("a signed token for a malformed visitor id verified")
		}
	})
}
