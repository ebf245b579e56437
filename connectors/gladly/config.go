package gladly

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Defaults of Config.
const (
	DefaultRetryFor = time.Hour
	DefaultTimeout  = 10 * time.Second
)

// Config configures the Handler, the Processor and the Client alike; cmd/frontdesk fills
// it from the GLADLY_* variables (docs/gladly.md).
type Config struct {
	// BaseURL is the organisation's whole Gladly host (GLADLY_BASE_URL), e.g.
	// https://acme.gladly.com or a regional https://acme.us-1.gladly.com; the API is under
	// BaseURL+"/api/v1". A trailing "/api/v1" is taken too. Required.
	BaseURL string
	// AgentEmail and APIToken are the Basic credentials of Gladly's API user
	// (GLADLY_AGENT_EMAIL, GLADLY_API_TOKEN): a user with the API User permission, and a
	// token that user made. Required.
	AgentEmail, APIToken string
	// AgentID is that user's agent id (GLADLY_AGENT_ID): conversations assigned to it are
	// Frontdesk's, wherever they are. Required.
	AgentID string
	// AIInboxID is the inbox Gladly routes Frontdesk's conversations to
	// (GLADLY_AI_INBOX_ID); HandoffInboxID the inbox of Gladly's own people that
	// conversations are handed off to (GLADLY_HANDOFF_INBOX_ID). Required, and different.
	AIInboxID, HandoffInboxID string
	// AccountID is the value Gladly sends in the X-Account-Identifier header of every
	// webhook (GLADLY_ACCOUNT_ID): a secret the admin makes up. Required.
	AccountID string
	// WebhookUser and WebhookPassword are the Basic credentials Gladly sends with every
	// webhook, when the admin set some (GLADLY_WEBHOOK_USER, GLADLY_WEBHOOK_PASSWORD):
	// both or neither.
	WebhookUser, WebhookPassword string
	// SLA is how long a ticket may wait for a pick before its conversation is handed off
	// to the Handoff inbox (GLADLY_SLA); 0 means it waits for ever.
	SLA time.Duration
	// CloseTopicIDs are the topics added to a conversation before Frontdesk closes it
	// (GLADLY_CLOSE_TOPIC_IDS), for organisations that require topics on closing.
	CloseTopicIDs []string
	// RetryFor is how long after an event happened a failed call to Gladly is still worth
	// retrying (GLADLY_RETRY_FOR, DefaultRetryFor); after that it fails for good.
	RetryFor time.Duration
	// Timeout bounds each call to Gladly (DefaultTimeout).
	Timeout time.Duration
	// RequestsPerSecond is how many calls of one HTTP method this process starts a
	// second at most (DefaultRequestsPerSecond): Gladly allows 10 per organisation and
	// method, and its Ratelimit-Remaining-Second header holds calls back when other
	// clients spent the second.
	RequestsPerSecond float64
	// HTTPClient sends the calls; by default one that does not follow redirects and keeps
	// its connections (httpsrc.NoRedirects).
	HTTPClient *http.Client

	// FileLink, when set, makes the link under which Slack shows a customer's file that
	// Gladly keeps (an item attachment): ref is the file's reference for
	// Client.Attachment, and the link is Frontdesk's own (signed, under PUBLIC_URL),
	// which Client.Attachment resolves when it is opened. Unset (no PUBLIC_URL), the
	// file is named in the message and agents open it in Gladly.
	FileLink func(ctx context.Context, ref string) (string, error)
	// Transcript, when set, is where the Client reads a ticket's internal notes for the
	// note it adds to a conversation it hands off (store.Redis); unset, no note is added.
	Transcript Transcript
	// Permalink returns Slack's link to a message (bot.Desk.Permalink): the hand-off
	// note links the ticket's inbox channel with it. Optional.
	Permalink func(ctx context.Context, channel, ts string) (string, error)
}

func (c *Config) setDefaults() {
	if c.RetryFor == 0 {
		c.RetryFor = DefaultRetryFor
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = DefaultRequestsPerSecond
	}
	topics := make([]string, 0, len(c.CloseTopicIDs))
	for _, id := range c.CloseTopicIDs {
		if id = strings.TrimSpace(id); id != "" {
			topics = append(topics, id)
		}
	}
	c.CloseTopicIDs = topics
}

// Validate reports the first problem with c, once defaults are applied. It never quotes
// a secret.
func (c Config) Validate() error {
	c.setDefaults()
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		return errors.New("gladly: the Gladly host is required (GLADLY_BASE_URL)")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return errors.New("gladly: the Gladly host must be an absolute https URL without a query, e.g. https://acme.gladly.com (GLADLY_BASE_URL)")
	case c.AgentEmail == "" || c.APIToken == "":
		return errors.New("gladly: the API user's email and API token are required (GLADLY_AGENT_EMAIL, GLADLY_API_TOKEN)")
	case !strings.Contains(c.AgentEmail, "@") || strings.ContainsAny(c.AgentEmail, ":") || hasSpace(c.AgentEmail):
		return errors.New("gladly: the API user's email is not an email address (GLADLY_AGENT_EMAIL)")
	case hasSpace(c.APIToken):
		return errors.New("gladly: the API token must not hold white space (GLADLY_API_TOKEN)")
	case c.AgentID == "" || hasSpace(c.AgentID):
		return errors.New("gladly: the API user's agent id is required, without white space (GLADLY_AGENT_ID)")
	case c.AIInboxID == "" || hasSpace(c.AIInboxID):
		return errors.New("gladly: the AI inbox id is required, without white space (GLADLY_AI_INBOX_ID)")
	case c.HandoffInboxID == "" || hasSpace(c.HandoffInboxID):
		return errors.New("gladly: the Handoff inbox id is required, without white space (GLADLY_HANDOFF_INBOX_ID)")
	case c.HandoffInboxID == c.AIInboxID:
		return errors.New("gladly: the Handoff inbox must not be the AI inbox: a hand-off would come straight back (GLADLY_HANDOFF_INBOX_ID)")
	case c.AccountID == "":
		return errors.New("gladly: the account identifier Gladly sends in X-Account-Identifier is required (GLADLY_ACCOUNT_ID)")
	case strings.TrimSpace(c.AccountID) != c.AccountID:
		return errors.New("gladly: the account identifier must not begin or end with white space (GLADLY_ACCOUNT_ID)")
	case (c.WebhookUser == "") != (c.WebhookPassword == ""):
		return errors.New("gladly: set both webhook credentials or neither (GLADLY_WEBHOOK_USER, GLADLY_WEBHOOK_PASSWORD)")
	case strings.Contains(c.WebhookUser, ":"):
		return errors.New("gladly: the webhook user must not hold ':' (GLADLY_WEBHOOK_USER)")
	case c.SLA < 0:
		return fmt.Errorf("gladly: the SLA %s must not be negative (GLADLY_SLA)", c.SLA)
	case c.RetryFor < 0:
		return fmt.Errorf("gladly: retry for %s must be positive (GLADLY_RETRY_FOR)", c.RetryFor)
	case c.Timeout < 0:
		return fmt.Errorf("gladly: timeout %s must be positive", c.Timeout)
	case c.RequestsPerSecond < 0:
		return fmt.Errorf("gladly: %v requests a second must be positive", c.RequestsPerSecond)
	}
	for _, id := range c.CloseTopicIDs {
		if hasSpace(id) {
			return errors.New("gladly: a topic id holds white space (GLADLY_CLOSE_TOPIC_IDS: ids separated by commas)")
		}
	}
	return nil
}

// apiBase is the API's root, with a trailing slash: BaseURL+"/api/v1/".
func (c Config) apiBase() string {
	base := strings.TrimRight(c.BaseURL, "/")
	base = strings.TrimSuffix(base, "/api/v1")
	return base + "/api/v1/"
}

func hasSpace(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}
