package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// defaultTolerance is how far a signed timestamp may be from now when Verify is given no
// tolerance.
const defaultTolerance = 5 * time.Minute

// Sign computes the X-Frontdesk-Signature value for body sent at ts (unix seconds):
// "sha256=" and the hex HMAC-SHA256, keyed with secret, of ts, a dot, and body.
func Sign(secret string, ts int64, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, strconv.FormatInt(ts, 10), body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

var (
	errMalformedSignature = errors.New("webhook: malformed signature or timestamp")
	errStaleTimestamp     = errors.New("webhook: timestamp outside the tolerance window")
	errBadSignature       = errors.New("webhook: signature does not match")
)

// Verify checks a request Frontdesk signed: header is its X-Frontdesk-Signature, ts its
// X-Frontdesk-Timestamp and body its raw body. It fails when ts is further than tolerance
// (5 minutes when not positive) from now, which stops old requests being replayed, or
// when the signature is not the one secret gives (compared in constant time).
func Verify(secret string, header string, ts string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = defaultTolerance
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errMalformedSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errStaleTimestamp
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(got) != sha256.Size {
		return errMalformedSignature
	}
	if !hmac.Equal(got, mac(secret, ts, body)) {
		return errBadSignature
	}
	return nil
}
