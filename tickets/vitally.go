package tickets

import (
	"net/url"
	"strings"
	"time"
	"unicode"
)

// DefaultVitallyObject is the name of the Vitally custom object tickets are synced to
// when the admin names none.
const DefaultVitallyObject = "Frontdesk Requests"

// Vitally is how the workspace's tickets are synced to Vitally (one Vitally per Slack
// workspace). APIURL and Secret may instead come from the server's environment, which
// then wins (see the vitally connector).
type Vitally struct {
	// APIURL is the REST API's base URL: https://<subdomain>.rest.vitally.io (US) or
	// https://rest.vitally-eu.io (EU).
	APIURL string `json:"api_url,omitempty"`
	// Secret is the REST API secret, or the whole Basic authorization header Vitally
	// shows next to it. Never shown back and never logged.
	Secret string `json:"secret,omitempty"`
	// Object is the custom object's name in Vitally; DefaultVitallyObject when empty.
	Object string `json:"object,omitempty"`
	// PushNew: tickets opened from Since on are created in Vitally.
	PushNew bool `json:"push_new"`
	// UpdateExisting: tickets already in Vitally are kept up to date there.
	UpdateExisting bool `json:"update_existing"`
	// Since is when pushing new tickets was last switched on (set by UpdateSettings):
	// tickets opened before it are never synced.
	Since time.Time `json:"since,omitzero"`
	// FromPanel: an admin saved these settings in the admin panel, so its toggles and
	// Since count; until then a Vitally set up by the environment alone pushes and
	// updates.
	FromPanel bool `json:"from_panel,omitempty"`
}

// Limits on the Vitally settings.
const (
	maxVitallyURL    = 500
	maxVitallySecret = 1000
	maxVitallyObject = 100
)

// ObjectName is the custom object's name to look for.
func (v Vitally) ObjectName() string {
	if o := strings.TrimSpace(v.Object); o != "" {
		return o
	}
	return DefaultVitallyObject
}

// String describes v without its secret, so that v can never be logged with it.
func (v Vitally) String() string {
	secret := "unset"
	if v.Secret != "" {
		secret = "set"
	}
	return "Vitally{url: " + v.APIURL + ", secret: " + secret + ", object: " + v.ObjectName() + "}"
}

// GoString is String, for %#v.
func (v Vitally) GoString() string { return v.String() }

// Validate reports the first problem with v, wrapping ErrInvalid.
func (v Vitally) Validate() error {
	if v.APIURL != "" {
		if len(v.APIURL) > maxVitallyURL {
			return invalidf("the Vitally API URL is longer than %d characters", maxVitallyURL)
		}
		u, err := url.Parse(v.APIURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" {
			return invalidf("the Vitally API URL must be like https://<subdomain>.rest.vitally.io or https://rest.vitally-eu.io")
		}
	}
	if len(v.Secret) > maxVitallySecret {
		return invalidf("the Vitally secret is longer than %d characters", maxVitallySecret)
	}
	if strings.IndexFunc(v.Secret, unicode.IsControl) >= 0 {
		return invalidf("the Vitally secret has control characters in it")
	}
	if len(v.Object) > maxVitallyObject {
		return invalidf("the Vitally object name is longer than %d characters", maxVitallyObject)
	}
	if strings.IndexFunc(v.Object, unicode.IsControl) >= 0 {
		return invalidf("the Vitally object name has control characters in it")
	}
	return nil
}

// carryOver fills what the admin panel does not send back from prev, the settings being
// replaced: the secret (never shown, so left empty to keep it) while the URL is the same,
// and Since, which moves to now when pushing new tickets is switched on.
func (v *Vitally) carryOver(prev Vitally, now time.Time) {
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
