package widget

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// A visitor's token is "v1.<visitor>.<issued, unix seconds>.<mac>", mac being the
// unpadded base64url HMAC-SHA256, keyed by the secret, of everything before it. The
// visitor id is 32 lowercase hex digits (128 random bits).
const tokenVersion = "v1"

// errToken is any token that is not one this server issued, or is out of date.
var errToken = errors.New("widget: bad or expired token")

type signer struct {
	key []byte
	ttl time.Duration
}

// newVisitorID returns a fresh random visitor id.
func newVisitorID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on Linux; it panics rather than return less
	return hex.EncodeToString(b[:])
}

// validVisitor reports whether v is shaped like a visitor id.
func validVisitor(v string) bool {
	if len(v) != 32 {
		return false
	}
	for _, c := range []byte(v) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s signer) mac(payload string) string {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// issue returns a token for visitor, issued at.
func (s signer) issue(visitor string, at time.Time) string {
	payload := tokenVersion + "." + visitor + "." + strconv.FormatInt(at.Unix(), 10)
	return payload + "." + s.mac(payload)
}

// verify returns the visitor of tok when this server issued it no longer than ttl before
// now (and not in the future, beyond a minute's clock skew); else errToken.
func (s signer) verify(tok string, now time.Time) (string, error) {
	if len(tok) > 200 {
		return "", errToken
	}
	i := strings.LastIndexByte(tok, '.')
	if i < 0 {
		return "", errToken
	}
	payload, mac := tok[:i], tok[i+1:]
	if !hmac.Equal([]byte(mac), []byte(s.mac(payload))) {
		return "", errToken
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 || parts[0] != tokenVersion || !validVisitor(parts[1]) {
		return "", errToken
	}
	sec, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", errToken
	}
	issued := time.Unix(sec, 0)
	if now.Sub(issued) > s.ttl || issued.Sub(now) > time.Minute {
		return "", errToken
	}
	return parts[1], nil
}
