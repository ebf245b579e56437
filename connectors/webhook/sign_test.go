package webhook

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
)

func TestSign(t *testing.T) {
	// Computed independently: HMAC-SHA256("whsec_test", "1700000000." + body), hex.
	got := Sign("whsec_test", 1700000000, []byte(`{"type":"LIVE_CHAT_ENDED"}`))
	want := "sha256=076db2d5219e3cc52bfc25ccda08748b648f132b17303069df50f9a703e1beed"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// TestSign_AsTheFakeChatbotChecks: the fake chatbot computes the signature the way
// docs/webhook.md tells chatbots to, on its own; Sign agrees with it, and the fake posts
// to where the Handler is mounted.
func TestSign_AsTheFakeChatbotChecks(t *testing.T) {
	body := []byte(`{"type":"AGENT_MESSAGE","event_id":"7/1700000000000-1","text":"hello"}`)
	if got, want := Sign("whsec_test", 1700000000, body), webhooktest.Sign("whsec_test", "1700000000", body); got != want {
		t.Errorf("Sign = %s, the chatbot computes %s", got, want)
	}
	if webhooktest.Path != Path {
		t.Errorf("webhooktest.Path = %s, want %s", webhooktest.Path, Path)
	}
}

func TestVerify(t *testing.T) {
	const secret = "whsec_test"
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"type":"AGENT_MESSAGE","text":"hello"}`)
	ts := now.Add(-30 * time.Second).Unix()
	sig := Sign(secret, ts, body)
	tsv := strconv.FormatInt(ts, 10)
	tests := []struct {
		name      string
		secret    string
		header    string
		ts        string
		body      []byte
		tolerance time.Duration
		want      error
	}{
		{"Good", secret, sig, tsv, body, 5 * time.Minute, nil},
		{"GoodDefaultTolerance", secret, sig, tsv, body, 0, nil},
		{"TamperedBody", secret, sig, tsv, []byte(`{"type":"AGENT_MESSAGE","text":"hellO"}`), 5 * time.Minute, errBadSignature},
		{"WrongSecret", "whsec_other", sig, tsv, body, 5 * time.Minute, errBadSignature},
		{"TamperedTimestamp", secret, sig, strconv.FormatInt(ts+1, 10), body, 5 * time.Minute, errBadSignature},
		{"Stale", secret, sig, tsv, body, 10 * time.Second, errStaleTimestamp},
		{"StaleSigned", secret, Sign(secret, now.Add(-6*time.Minute).Unix(), body), strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10), body, 0, errStaleTimestamp},
		{"Future", secret, Sign(secret, now.Add(time.Hour).Unix(), body), strconv.FormatInt(now.Add(time.Hour).Unix(), 10), body, 5 * time.Minute, errStaleTimestamp},
		{"NoPrefix", secret, sig[len("sha256="):], tsv, body, 5 * time.Minute, errMalformedSignature},
		{"NotHex", secret, "sha256=zz", tsv, body, 5 * time.Minute, errMalformedSignature},
		{"Short", secret, sig[:20], tsv, body, 5 * time.Minute, errMalformedSignature},
		{"Empty", secret, "", tsv, body, 5 * time.Minute, errMalformedSignature},
		{"BadTimestamp", secret, sig, "yesterday", body, 5 * time.Minute, errMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, tt.ts, tt.body, now, tt.tolerance)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
