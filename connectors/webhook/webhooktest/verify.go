package webhooktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Tolerance is how far X-Frontdesk-Timestamp may be from the chatbot's clock.
const Tolerance = 5 * time.Minute

// verified checks a request as docs/webhook.md ("Verifying the signature") tells chatbots
// to, with the standard library only, as its example does (not with webhook.Verify, so
// that the connector's own signing is checked against the contract): a timestamp within
// Tolerance of now and sha256=hex(HMAC-SHA256(secret, timestamp + "." + raw body)),
// compared in constant time.
func verified(secret, ts, signature string, body []byte, now time.Time) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > Tolerance {
		return false
	}
	return hmac.Equal([]byte(signature), []byte(Sign(secret, ts, body)))
}

// Sign is the X-Frontdesk-Signature of body sent at ts (unix seconds, as sent) with
// secret, computed as docs/webhook.md says: "sha256=" and the hex HMAC-SHA256 of
// ts + "." + body.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
