package vitally

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// DefaultObject is the name of the Vitally custom object tickets are synced to when the
// admin names none.
const DefaultObject = "Frontdesk Requests"

// Settings is how the workspace's tickets are synced to Vitally (one Vitally per Slack
// workspace), as admins save it in the admin panel: tickets.Settings.Sinks[Name] holds
// it as JSON. APIURL and Secret may instead come from the server's environment (Config),
// which then wins.
//
// Its JSON is the one settings saved by earlier versions have under "vitally" (the store
// reads that into Sinks[Name]), so its fields and tags must not change.
type Settings struct {
	// APIURL is the REST API's base URL: https://<subdomain>.rest.vitally.io (US) or
	// https://rest.vitally-eu.io (EU).
	APIURL string `json:"api_url,omitempty"`
	// Secret is the REST API secret, or the whole Basic authorization header Vitally
	// shows next to it. Never shown back and never logged.
	Secret string `json:"secret,omitempty"`
	// Object is the custom object's name in Vitally; DefaultObject when empty.
	Object string `json:"object,omitempty"`
	// PushNew: tickets opened from Since on are created in Vitally.
	PushNew bool `json:"push_new"`
	// UpdateExisting: tickets already in Vitally are kept up to date there.
	UpdateExisting bool `json:"update_existing"`
	// Since is when pushing new tickets was last switched on (set by KeepSettings):
	// tickets opened before it are never synced.
	Since time.Time `json:"since,omitzero"`
	// FromPanel: an admin saved these settings in the admin panel, so its toggles and
	// Since count; until then a Vitally set up by the environment alone pushes and
	// updates.
	FromPanel bool `json:"from_panel,omitempty"`
}

// Limits on the settings; the panel's inputs take no more either.
const (
	maxURL    = 500
	maxSecret = 1000
	maxObject = 100
)

// ObjectName is the custom object's name to look for.
func (v Settings) ObjectName() string {
	if o := strings.TrimSpace(v.Object); o != "" {
		return o
	}
	return DefaultObject
}

// String describes v without its secret, so that v can never be logged with it.
func (v Settings) String() string {
	secret := "unset"
	if v.Secret != "" {
		secret = "set"
	}
	return "vitally.Settings{url: " + v.APIURL + ", secret: " + secret + ", object: " + v.ObjectName() + "}"
}

// GoString is String, for %#v, which would otherwise print the secret.
func (v Settings) GoString() string { return v.String() }

// invalidf is an error wrapping tickets.ErrInvalid, so that UpdateSettings refuses the
// save as it does for the rest of the settings.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{tickets.ErrInvalid}, args...)...)
}

// Validate reports the first problem with v, wrapping tickets.ErrInvalid. It never
// quotes the secret.
func (v Settings) Validate() error {
	// Settings are stored as JSON, which would turn bytes that are not UTF-8 into U+FFFD:
	// what was checked must be what is stored.
	for what, s := range map[string]string{"API URL": v.APIURL, "secret": v.Secret, "object name": v.Object} {
		if !utf8.ValidString(s) {
			return invalidf("the Vitally %s is not valid UTF-8", what)
		}
	}
	if v.APIURL != "" {
		if len(v.APIURL) > maxURL {
			return invalidf("the Vitally API URL is longer than %d characters", maxURL)
		}
		u, err := url.Parse(v.APIURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" {
			return invalidf("the Vitally API URL must be like https://<subdomain>.rest.vitally.io or https://rest.vitally-eu.io")
		}
	}
	if len(v.Secret) > maxSecret {
		return invalidf("the Vitally secret is longer than %d characters", maxSecret)
	}
	if strings.IndexFunc(v.Secret, unicode.IsControl) >= 0 {
		return invalidf("the Vitally secret has control characters in it")
	}
	if len(v.Object) > maxObject {
		return invalidf("the Vitally object name is longer than %d characters", maxObject)
	}
	if strings.IndexFunc(v.Object, unicode.IsControl) >= 0 {
		return invalidf("the Vitally object name has control characters in it")
	}
	return nil
}

// carryOver fills what the admin panel does not send back from prev, the settings being
// replaced: the secret (never shown, so left empty to keep it) while the URL is the same,
// and Since, which moves to now when pushing new tickets is switched on.
func (v *Settings) carryOver(prev Settings, now time.Time) {
	if v.Secret == "" && strings.TrimRight(v.APIURL, "/") == strings.TrimRight(prev.APIURL, "/") {
		v.Secret = prev.Secret
	}
	switch {
	case !v.PushNew:
		v.Since = prev.Since
	case !prev.PushNew || prev.Since.IsZero():
		v.Since = now
	default:
		v.Since = prev.Since
	}
}

// decodeSettings reads saved or submitted settings; nil (none saved) is zero Settings.
// Its error never quotes raw, which may hold the secret.
func decodeSettings(raw json.RawMessage) (Settings, error) {
	var v Settings
	if len(raw) == 0 {
		return v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Settings{}, fmt.Errorf("vitally: the settings are not the JSON of vitally.Settings (%s)", jsonProblem(err))
	}
	return v, nil
}

// jsonProblem names what kind of JSON error err is without its text: a syntax error's
// text can quote the input, and with it the secret.
func jsonProblem(err error) string {
	switch err.(type) {
	case *json.SyntaxError:
		return "not JSON"
	case *json.UnmarshalTypeError:
		return "a field of the wrong type"
	}
	return "unreadable"
}

// KeepSettings is what the ticket service stores when an admin saves Vitally's settings
// next over prev (nil when none are saved; tickets.SettingsKeeper): next with the secret
// carried over while the URL stays the same, and Since moved to now when pushing new
// tickets is switched on. Settings that are not JSON, or that Validate refuses, are
// tickets.ErrInvalid. Saved settings that cannot be read are taken as none, so that an
// admin can always save over them.
func (s *Sink) KeepSettings(prev, next json.RawMessage, now time.Time) (json.RawMessage, error) {
	v, err := decodeSettings(next)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", tickets.ErrInvalid, err)
	}
	old, err := decodeSettings(prev)
	if err != nil {
		s.log.Warn("the saved Vitally settings are unreadable; an admin's save replaces them", zap.Error(err))
		old = Settings{}
	}
	v.carryOver(old, now)
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

var _ tickets.SettingsKeeper = (*Sink)(nil)
