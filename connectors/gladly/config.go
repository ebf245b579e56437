package gladly

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Config is the Gladly connector's settings as the operator sets them, one field per
// GLADLY_* environment variable (docs/gladly.md). The connector is on when BaseURL is
// set; Validate checks the rest.
type Config struct {
	// BaseURL is the organisation's whole Gladly host (GLADLY_BASE_URL), e.g.
	// https://acme.gladly.com or a regional https://acme.us-1.gladly.com, with no path;
	// the API is under BaseURL+"/api/v1". Setting it turns the connector on.
	BaseURL string `envconfig:"GLADLY_BASE_URL"`
	// AgentEmail is the email of Gladly's API user (GLADLY_AGENT_EMAIL): a user with the
	// API User permission. Required.
	AgentEmail string `envconfig:"GLADLY_AGENT_EMAIL"`
	// APIToken is a token that user made (GLADLY_API_TOKEN); with AgentEmail, the Basic
	// credentials of every call to Gladly. Required.
	APIToken string `envconfig:"GLADLY_API_TOKEN"`
	// AgentID is that user's agent id (GLADLY_AGENT_ID): conversations assigned to it are
	// Frontdesk's, wherever they are. Required.
	AgentID string `envconfig:"GLADLY_AGENT_ID"`
	// AIInboxID is the inbox Gladly routes Frontdesk's conversations to
	// (GLADLY_AI_INBOX_ID). Required.
	AIInboxID string `envconfig:"GLADLY_AI_INBOX_ID"`
	// HandoffInboxID is the inbox of Gladly's own people that conversations are handed
	// off to (GLADLY_HANDOFF_INBOX_ID). Required, and not AIInboxID.
	HandoffInboxID string `envconfig:"GLADLY_HANDOFF_INBOX_ID"`
	// AccountID is the value Gladly sends in the X-Account-Identifier header of every
	// webhook (GLADLY_ACCOUNT_ID): a secret the admin makes up. Required.
	AccountID string `envconfig:"GLADLY_ACCOUNT_ID"`
	// WebhookUser is the user of the Basic credentials Gladly sends with every webhook,
	// when the admin set some (GLADLY_WEBHOOK_USER). Set with WebhookPassword, or not at
	// all.
	WebhookUser string `envconfig:"GLADLY_WEBHOOK_USER"`
	// WebhookPassword is the password of those credentials (GLADLY_WEBHOOK_PASSWORD).
	WebhookPassword string `envconfig:"GLADLY_WEBHOOK_PASSWORD"`
	// SLA is how long a ticket may wait for a pick before its conversation is handed off
	// to the Handoff inbox (GLADLY_SLA); 0 means it waits for ever.
	SLA time.Duration `envconfig:"GLADLY_SLA" default:"10m"`
	// CloseTopicIDs are the topics added to a conversation before Frontdesk closes it
	// (GLADLY_CLOSE_TOPIC_IDS, comma-separated), for organisations that require topics
	// on closing.
	CloseTopicIDs []string `envconfig:"GLADLY_CLOSE_TOPIC_IDS"`
	// RetryFor is how long after an event happened a failed call to Gladly is still worth
	// retrying (GLADLY_RETRY_FOR); after that it fails for good.
	RetryFor time.Duration `envconfig:"GLADLY_RETRY_FOR" default:"1h"`
}

// Enabled reports whether the operator turned the connector on: GLADLY_BASE_URL is set.
func (c Config) Enabled() bool { return c.BaseURL != "" }

// Validate reports every problem with c, each naming its variable and saying what is
// wanted. When the connector is off it reports only the variables that are set without
// GLADLY_BASE_URL and make no sense alone. It never quotes a value that may be secret:
// the URL (it may hold credentials), the token, the account id or the credentials.
func (c Config) Validate() error {
	if !c.Enabled() {
		var stray []string
		if c.APIToken != "" {
			stray = append(stray, "GLADLY_API_TOKEN")
		}
		if c.AccountID != "" {
			stray = append(stray, "GLADLY_ACCOUNT_ID")
		}
		if len(stray) == 0 {
			return nil
		}
		verb, them := "is", "it"
		if len(stray) > 1 {
			verb, them = "are", "them"
		}
		return fmt.Errorf("GLADLY_BASE_URL: is not set but %s %s; set GLADLY_BASE_URL to turn the Gladly connector on, or unset %s",
			strings.Join(stray, " and "), verb, them)
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	if u, err := url.Parse(strings.TrimRight(c.BaseURL, "/")); err != nil || (u.Scheme != "https" && u.Scheme != "http") ||
		u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		bad("GLADLY_BASE_URL", "must be the whole Gladly host, like https://acme.us-1.gladly.com (no path or query)")
	}
	// A value that is missing is reported as missing, and only one that is there is
	// checked further.
	required := func(key, value, what string) bool {
		if strings.TrimSpace(value) == "" {
			bad(key, "required with GLADLY_BASE_URL: %s", what)
			return false
		}
		return true
	}
	// The email is the user of Basic credentials, so it cannot hold ':'.
	if required("GLADLY_AGENT_EMAIL", c.AgentEmail, "the email of Gladly's API user") &&
		(!strings.Contains(c.AgentEmail, "@") || strings.Contains(c.AgentEmail, ":") || hasSpace(c.AgentEmail)) {
		bad("GLADLY_AGENT_EMAIL", "is not an email address (without ':' or white space), like frontdesk-api@example.com")
	}
	for _, f := range []struct{ key, value, what string }{
		{"GLADLY_API_TOKEN", c.APIToken, "a token of Gladly's API user"},
		{"GLADLY_AGENT_ID", c.AgentID, "the agent id of Gladly's API user"},
		{"GLADLY_AI_INBOX_ID", c.AIInboxID, "the inbox whose conversations Frontdesk works"},
		{"GLADLY_HANDOFF_INBOX_ID", c.HandoffInboxID, "the inbox of Gladly's people that chats are handed off to"},
	} {
		if required(f.key, f.value, f.what) && hasSpace(f.value) {
			bad(f.key, "must not hold white space")
		}
	}
	// Gladly sends the header as the admin typed it, inner spaces and all.
	if required("GLADLY_ACCOUNT_ID", c.AccountID, "the value Gladly sends in the X-Account-Identifier header of its webhooks") &&
		strings.TrimSpace(c.AccountID) != c.AccountID {
		bad("GLADLY_ACCOUNT_ID", "must not begin or end with white space")
	}
	if strings.TrimSpace(c.AIInboxID) != "" && c.HandoffInboxID == c.AIInboxID {
		bad("GLADLY_HANDOFF_INBOX_ID", "must differ from GLADLY_AI_INBOX_ID: chats are handed off to Gladly's people, and a hand-off to the AI inbox would come straight back")
	}
	switch {
	case c.WebhookUser != "" && c.WebhookPassword == "":
		bad("GLADLY_WEBHOOK_PASSWORD", "required with GLADLY_WEBHOOK_USER: set both webhook credentials, or neither")
	case c.WebhookUser == "" && c.WebhookPassword != "":
		bad("GLADLY_WEBHOOK_USER", "required with GLADLY_WEBHOOK_PASSWORD: set both webhook credentials, or neither")
	}
	if strings.Contains(c.WebhookUser, ":") {
		bad("GLADLY_WEBHOOK_USER", "must not hold ':' (it is the user of Basic credentials)")
	}
	if c.SLA < 0 {
		bad("GLADLY_SLA", "%s is negative: want a duration like 10m (0 turns the automatic hand-off off)", c.SLA)
	}
	for _, id := range c.CloseTopicIDs {
		if id == "" || hasSpace(id) {
			bad("GLADLY_CLOSE_TOPIC_IDS", "holds an empty topic id or one with white space: want ids separated by commas")
			break
		}
	}
	if c.RetryFor <= 0 {
		bad("GLADLY_RETRY_FOR", "%s is not a positive duration like 1h", c.RetryFor)
	}
	return errors.Join(errs...)
}

// apiBase is the API's root, with a trailing slash: BaseURL+"/api/v1/". Validate lets
// no path through, but the Client keeps any it is given (the tests' fake serves under
// one), and a trailing "/api/v1" is not doubled.
func (c Config) apiBase() string {
	base := strings.TrimRight(c.BaseURL, "/")
	base = strings.TrimSuffix(base, "/api/v1")
	return base + "/api/v1/"
}

func hasSpace(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

// options are what the Client and the Processor are made from: the operator's Config,
// checked, and what Connect adds from its Deps. Tests fill them directly.
type options struct {
	Config
	// requestsPerSecond is how many calls of one HTTP method this process starts a
	// second at most (0: DefaultRequestsPerSecond); the tests raise it.
	requestsPerSecond float64
	// fileLink, when set, makes the link under which Slack shows a customer's file that
	// Gladly keeps (an item attachment): ref is the file's reference for
	// Client.Attachment, and the link is Frontdesk's own (Deps.Files), which
	// Client.Attachment resolves when it is opened. Unset, the file is named in the
	// message and agents open it in Gladly.
	fileLink func(ctx context.Context, ref string) (string, error)
	// transcript, when set, is where the Client reads a ticket's internal notes for the
	// note it adds to a conversation it hands off; unset, no note is added.
	transcript Transcript
	// permalink returns Slack's link to a message, which the hand-off note links the
	// ticket's inbox channel with; nil: no link.
	permalink func(ctx context.Context, channel, ts string) (string, error)
}
