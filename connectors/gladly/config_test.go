package gladly

import (
	"strings"
	"testing"
	"time"
)

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // a part of the error; "" for none
	}{
		{"Complete", func(*Config) {}, ""},
		{"Regional", func(c *Config) { c.BaseURL = "https://acme.us-1.gladly.com" }, ""},
		{"WithAPIPath", func(c *Config) { c.BaseURL = "https://acme.gladly.com/api/v1/" }, ""},
		{"Options", func(c *Config) {
			c.WebhookUser, c.WebhookPassword, c.SLA = "hooks", "pa55", 5*time.Minute
			c.CloseTopicIDs = []string{" " + topicA, "", topicB + " "}
		}, ""},
		{"NoBaseURL", func(c *Config) { c.BaseURL = "" }, "GLADLY_BASE_URL"},
		{"BareHost", func(c *Config) { c.BaseURL = "acme.gladly.com" }, "GLADLY_BASE_URL"},
		{"Query", func(c *Config) { c.BaseURL = "https://acme.gladly.com/?x=1" }, "GLADLY_BASE_URL"},
		{"FTP", func(c *Config) { c.BaseURL = "ftp://acme.gladly.com" }, "GLADLY_BASE_URL"},
		{"NoEmail", func(c *Config) { c.AgentEmail = "" }, "GLADLY_AGENT_EMAIL"},
		{"NotEmail", func(c *Config) { c.AgentEmail = "frontdesk" }, "GLADLY_AGENT_EMAIL"},
		{"EmailColon", func(c *Config) { c.AgentEmail = "a:b@acme.example" }, "GLADLY_AGENT_EMAIL"},
		{"NoToken", func(c *Config) { c.APIToken = "" }, "GLADLY_API_TOKEN"},
		{"TokenSpace", func(c *Config) { c.APIToken = "abc def" }, "GLADLY_API_TOKEN"},
		{"NoAgent", func(c *Config) { c.AgentID = "" }, "GLADLY_AGENT_ID"},
		{"NoAIInbox", func(c *Config) { c.AIInboxID = "" }, "GLADLY_AI_INBOX_ID"},
		{"NoHandoffInbox", func(c *Config) { c.HandoffInboxID = "" }, "GLADLY_HANDOFF_INBOX_ID"},
		{"SameInboxes", func(c *Config) { c.HandoffInboxID = c.AIInboxID }, "must not be the AI inbox"},
		{"NoAccount", func(c *Config) { c.AccountID = "" }, "GLADLY_ACCOUNT_ID"},
		{"AccountSpace", func(c *Config) { c.AccountID = " " + testAccount }, "GLADLY_ACCOUNT_ID"},
		{"UserOnly", func(c *Config) { c.WebhookUser = "hooks" }, "GLADLY_WEBHOOK_USER"},
		{"PasswordOnly", func(c *Config) { c.WebhookPassword = "pa55" }, "GLADLY_WEBHOOK_PASSWORD"},
		{"UserColon", func(c *Config) { c.WebhookUser, c.WebhookPassword = "a:b", "pa55" }, "GLADLY_WEBHOOK_USER"},
		{"NegativeSLA", func(c *Config) { c.SLA = -time.Minute }, "GLADLY_SLA"},
		{"NegativeRetry", func(c *Config) { c.RetryFor = -time.Minute }, "GLADLY_RETRY_FOR"},
		{"NegativeTimeout", func(c *Config) { c.Timeout = -time.Second }, "timeout"},
		{"TopicSpace", func(c *Config) { c.CloseTopicIDs = []string{"a b"} }, "GLADLY_CLOSE_TOPIC_IDS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://acme.gladly.com")
			tc.edit(&cfg)
			err := cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want an error about %s", err, tc.want)
			}
			for _, secret := range []string{testToken, testAccount, "pa55"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes a secret: %v", err)
				}
			}
		})
	}
}

func TestConfig_Defaults(t *testing.T) {
	cfg := testConfig("https://acme.gladly.com/")
	cfg.CloseTopicIDs = []string{" " + topicA, "", topicB}
	topics := cfg.CloseTopicIDs
	cfg.setDefaults()
	if cfg.RetryFor != DefaultRetryFor || cfg.Timeout != DefaultTimeout {
		t.Errorf("defaults: retry for %s, timeout %s", cfg.RetryFor, cfg.Timeout)
	}
	if got := strings.Join(cfg.CloseTopicIDs, ","); got != topicA+","+topicB {
		t.Errorf("topics = %q", got)
	}
	if topics[0] != " "+topicA {
		t.Error("setDefaults changed the caller's slice")
	}
	for _, base := range []string{"https://acme.gladly.com", "https://acme.gladly.com/", "https://acme.gladly.com/api/v1", "https://acme.gladly.com/api/v1/"} {
		if got := (Config{BaseURL: base}).apiBase(); got != "https://acme.gladly.com/api/v1/" {
			t.Errorf("apiBase(%q) = %q", base, got)
		}
	}
}
