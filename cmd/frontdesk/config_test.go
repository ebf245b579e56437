package main

import (
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"
	"go.uber.org/zap/zapcore"

	"github.com/frontdeskhq/frontdesk/connectors/ai"
	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/connectors/gladly"
	"github.com/frontdeskhq/frontdesk/connectors/webhook"
	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/internal/app"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	testBotToken = "xoxb-1111-secret-bot-token"
	testAppToken = "xapp-2222-secret-app-token"
)

// environment returns a getenv over the two required tokens plus vars; an empty value in
// vars unsets a variable.
func environment(vars map[string]string) func(string) string {
	m := map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": testAppToken}
	for k, v := range vars {
		m[k] = v
	}
	return func(key string) string { return m[key] }
}

func TestLoadConfig_Defaults(t *testing.T) {
	c, err := loadConfig(environment(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := &config{Config: app.Config{
		SlackBotToken:  testBotToken,
		SlackAppToken:  testAppToken,
		SlackAPIURL:    "https://slack.com/api/",
		Redis:          c.Redis, // checked below
		RedisPrefix:    "fd:",
		HTTPAddr:       ":8080",
		PriorityWindow: 2 * time.Minute,
		RatingWindow:   time.Hour,
		Retention:      90 * 24 * time.Hour,

		ReadyMaxOutboxAge: 5 * time.Minute,
		// The connectors are off; their defaults are filled in all the same.
		Connectors: app.Connectors{
			Webhook: webhook.Config{RetryFor: time.Hour},
			Chatra:  chatra.Config{APIURL: chatra.DefaultAPIURL, AgentName: "Support", RetryFor: time.Hour},
			Gladly:  gladly.Config{SLA: 10 * time.Minute, RetryFor: time.Hour},
			Widget: widget.Config{Title: "Chat with us", Color: "#4f46e5", Greeting: widget.DefaultGreeting,
				MaxFileBytes: widget.DefaultMaxFileBytes, FileTypes: widget.FileTypes(widget.DefaultFileTypes), FileTTL: widget.DefaultFileTTL},
			AI: ai.Config{Timeout: 30 * time.Second},
		},
	}, logLevel: zapcore.InfoLevel, logFormat: "json"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config = %+v\nwant     %+v", c, want)
	}
	if c.Redis.Addr() != "127.0.0.1:6379" || c.Redis.DB() != 0 {
		t.Errorf("redis addr %s db %d, want 127.0.0.1:6379 db 0", c.Redis.Addr(), c.Redis.DB())
	}
	for name, on := range map[string]bool{"webhook": c.Connectors.Webhook.Enabled(), "chatra": c.Connectors.Chatra.Enabled(),
		"gladly": c.Connectors.Gladly.Enabled(), "widget": c.Connectors.Widget.Enabled(), "ai": c.Connectors.AI.Enabled(),
		"vitally from the environment": c.Connectors.Vitally.Enabled()} {
		if on {
			t.Errorf("%s is on with no variable set", name)
		}
	}
}

func TestLoadConfig_Set(t *testing.T) {
	c, err := loadConfig(environment(map[string]string{
		"SLACK_API_URL":      "http://127.0.0.1:9999/api",
		"REDIS_URL":          "redis://:pw@redis.internal:6380/3",
		"REDIS_PREFIX":       "fd-staging:",
		"HTTP_ADDR":          "127.0.0.1:0",
		"LOG_LEVEL":          "debug",
		"LOG_FORMAT":         "console",
		"ADMIN_USER_IDS":     "U024BE7LH, W0123ABC",
		"TICKETING_CHANNELS": "C123=Support Team, C456=Technical Team,",
		"PRIORITY_GROUP":     "U0PRIO1",
		"SHOW_AGENT_NAME":    "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SlackAPIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("SlackAPIURL = %q, want the trailing slash added", c.SlackAPIURL)
	}
	if c.Redis.Addr() != "redis.internal:6380" || c.Redis.DB() != 3 || !c.Redis.HasPassword() {
		t.Errorf("redis options = %s db %d, want redis.internal:6380 db 3 with the password", c.Redis.Addr(), c.Redis.DB())
	}
	if c.RedisPrefix != "fd-staging:" || c.HTTPAddr != "127.0.0.1:0" || c.logLevel != zapcore.DebugLevel || c.logFormat != "console" {
		t.Errorf("config = %+v", c)
	}
	if want := []tickets.AgentID{"U024BE7LH", "W0123ABC"}; !reflect.DeepEqual(c.Admins, want) {
		t.Errorf("admins = %v, want %v", c.Admins, want)
	}
	want := tickets.Settings{
		TicketingChannels: []tickets.Team{{ChannelID: "C123", Label: "Support Team"}, {ChannelID: "C456", Label: "Technical Team"}},
		PriorityGroup:     []tickets.AgentID{"U0PRIO1"},
		ShowAgentName:     true,
	}
	if !reflect.DeepEqual(c.Initial, want) {
		t.Errorf("initial settings = %+v, want %+v", c.Initial, want)
	}
}

// TestLoadConfig_AITemperature: AI_TEMPERATURE is sent only when set, as a number from 0
// to 2.
func TestLoadConfig_AITemperature(t *testing.T) {
	ai := map[string]string{"AI_BASE_URL": "https://api.openai.com/v1", "AI_API_KEY": "k", "AI_MODEL": "gpt-5-mini"}
	for _, tc := range []struct {
		value string
		want  *float64
	}{{"", nil}, {"0", ptrTo(0.0)}, {"0.2", ptrTo(0.2)}, {" 1 ", ptrTo(1.0)}, {"2", ptrTo(2.0)}} {
		vars := map[string]string{"AI_TEMPERATURE": tc.value}
		for k, v := range ai {
			vars[k] = v
		}
		c, err := loadConfig(environment(vars))
		if err != nil {
			t.Fatalf("AI_TEMPERATURE=%q: %v", tc.value, err)
		}
		if got := c.Connectors.AI.Temperature; (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("AI_TEMPERATURE=%q: temperature %s, want %s", tc.value, showFloat(got), showFloat(tc.want))
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func showFloat(f *float64) string {
	if f == nil {
		return "unset"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

func TestLoadConfig_CustomerChannels(t *testing.T) {
	c, err := loadConfig(environment(map[string]string{
		"TICKETING_CHANNELS": "C123=Support Team,C456=Technical Team",
		"CUSTOMER_CHANNELS":  "C0ACME=Support Team, G0HELP=technical team",
		"GREETINGS":          "hi, moin , ",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []tickets.CustomerChannel{{Channel: "C0ACME", Team: "C123"}, {Channel: "G0HELP", Team: "C456"}}
	if !slices.Equal(c.Initial.CustomerChannels, want) {
		t.Errorf("customer channels = %+v, want %+v", c.Initial.CustomerChannels, want)
	}
	if !slices.Equal(c.Initial.Greetings, []string{"hi", "moin"}) {
		t.Errorf("greetings = %q", c.Initial.Greetings)
	}
}

func TestLoadConfig_SLA(t *testing.T) {
	c, err := loadConfig(environment(map[string]string{
		"TICKETING_CHANNELS":      "C123=Support Team,C456=Technical Team",
		"SLA_TARGETS":             "Support Team: urgent=15m/1h/4h none=4h/-/3d | technical team: high=1h/2h/1d",
		"SLA_HOURS":               "Support Team: Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00",
		"SLA_HOLIDAYS":            "Support Team: 2026-12-25, 2026-12-26",
		"SLA_ESCALATION":          "Support Team: S0123ABCD | Technical Team: C0999",
		"SLA_WARN_AT":             "80%",
		"REOPEN_WINDOW":           "Support Team: 2h | Technical Team: 1d",
		"AUTO_WAITING":            "Technical Team: yes",
		"AUTO_REPLY_OUT_OF_HOURS": "Support Team: Back {next_open}",
	}))
	if err != nil {
		t.Fatal(err)
	}
	slas := c.Initial.SLAs
	if len(slas) != 2 {
		t.Fatalf("SLAs = %+v", slas)
	}
	support, tech := slas[0], slas[1]
	if support.Team != "C123" || support.Hours.Zone != "Europe/Berlin" || len(support.Hours.Holidays) != 2 || support.Escalation != "S0123ABCD" ||
		support.WarnAt != 0.8 || support.Targets[""].Resolution != 72*time.Hour || support.Targets[tickets.UrgencyUrgent].FirstResponse != 15*time.Minute {
		t.Errorf("Support Team's SLA = %+v", support)
	}
	if support.AutoReply.OutOfHours != "Back {next_open}" || support.ReopenWindow != 2*time.Hour || support.AutoWaiting || tech.ReopenWindow != 24*time.Hour || !tech.AutoWaiting {
		t.Errorf("reopen windows and waiting: %+v, %+v", support, tech)
	}
	if tech.Team != "C456" || !tech.Hours.Always || tech.Escalation != "C0999" || tech.Targets[tickets.UrgencyHigh].NextResponse != 2*time.Hour {
		t.Errorf("Technical Team's SLA = %+v", tech)
	}
}

func TestLoadConfig_Bad(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
		want string // the variable the error must name
	}{
		{"BotTokenMissing", map[string]string{"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"},
		{"AppTokenMissing", map[string]string{"SLACK_APP_TOKEN": ""}, "SLACK_APP_TOKEN"},
		{"BotTokenIsAppToken", map[string]string{"SLACK_BOT_TOKEN": "xapp-9999-wrong-kind"}, "SLACK_BOT_TOKEN"},
		{"AppTokenIsBotToken", map[string]string{"SLACK_APP_TOKEN": "xoxb-9999-wrong-kind"}, "SLACK_APP_TOKEN"},
		{"BotTokenWithSpace", map[string]string{"SLACK_BOT_TOKEN": "xoxb-9999 pasted twice"}, "SLACK_BOT_TOKEN"},
		{"APIURLRelative", map[string]string{"SLACK_API_URL": "slack.com/api/"}, "SLACK_API_URL"},
		{"APIURLScheme", map[string]string{"SLACK_API_URL": "ftp://slack.com/api/"}, "SLACK_API_URL"},
		{"APIURLUnparsable", map[string]string{"SLACK_API_URL": "http://[::1"}, "SLACK_API_URL"},
		{"RedisURLScheme", map[string]string{"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"},
		{"RedisURLPort", map[string]string{"REDIS_URL": "redis://:hunter2@127.0.0.1:port/0"}, "REDIS_URL"},
		{"RedisURLDatabase", map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/zero"}, "REDIS_URL"},
		{"RedisPrefixSpace", map[string]string{"REDIS_PREFIX": "fd prod:"}, "REDIS_PREFIX"},
		{"RedisPrefixBlank", map[string]string{"REDIS_PREFIX": "  "}, "REDIS_PREFIX"},
		{"RedisPrefixHashTag", map[string]string{"REDIS_PREFIX": "fd{x}:"}, "REDIS_PREFIX"},
		{"HTTPAddrNoPort", map[string]string{"HTTP_ADDR": "8080"}, "HTTP_ADDR"},
		{"LogLevelUnknown", map[string]string{"LOG_LEVEL": "verbose"}, "LOG_LEVEL"},
		{"LogLevelFatal", map[string]string{"LOG_LEVEL": "fatal"}, "LOG_LEVEL"},
		{"ReadyMaxOutboxAgeNegative", map[string]string{"READY_MAX_OUTBOX_AGE": "-1m"}, "READY_MAX_OUTBOX_AGE"},
		{"ReadyMaxOutboxAgeNoUnit", map[string]string{"READY_MAX_OUTBOX_AGE": "300"}, "READY_MAX_OUTBOX_AGE"},
		{"WebhookTokenShort", map[string]string{"WEBHOOK_TOKEN": "short", "WEBHOOK_CALLBACK_URL": "https://bot.example.com/hook", "WEBHOOK_SIGNING_SECRET": "0123456789abcdef"}, "WEBHOOK_TOKEN"},
		{"WebhookNoCallback", map[string]string{"WEBHOOK_TOKEN": "0123456789abcdef", "WEBHOOK_SIGNING_SECRET": "0123456789abcdef"}, "WEBHOOK_CALLBACK_URL"},
		{"WebhookNoSecret", map[string]string{"WEBHOOK_TOKEN": "0123456789abcdef", "WEBHOOK_CALLBACK_URL": "https://bot.example.com/hook"}, "WEBHOOK_SIGNING_SECRET"},
		{"WebhookRetryFor", map[string]string{"WEBHOOK_TOKEN": "0123456789abcdef", "WEBHOOK_CALLBACK_URL": "https://bot.example.com/hook", "WEBHOOK_SIGNING_SECRET": "0123456789abcdef", "WEBHOOK_RETRY_FOR": "soon"}, "WEBHOOK_RETRY_FOR"},
		{"WebhookHalfConfigured", map[string]string{"WEBHOOK_CALLBACK_URL": "https://bot.example.com/hook"}, "WEBHOOK_CALLBACK_URL"},
		{"ChatraNoKeys", map[string]string{"CHATRA_WEBHOOK_TOKEN": "0123456789abcdef", "CHATRA_AGENT_EMAIL": "team@example.com"}, "CHATRA_PUBLIC_KEY"},
		{"ChatraNoEmail", map[string]string{"CHATRA_WEBHOOK_TOKEN": "0123456789abcdef", "CHATRA_PUBLIC_KEY": "p", "CHATRA_SECRET_KEY": "s"}, "CHATRA_AGENT_EMAIL"},
		{"ChatraTokenWithSlash", map[string]string{"CHATRA_WEBHOOK_TOKEN": "0123456789/abcdef", "CHATRA_PUBLIC_KEY": "p", "CHATRA_SECRET_KEY": "s", "CHATRA_AGENT_EMAIL": "team@example.com"}, "CHATRA_WEBHOOK_TOKEN"},
		{"ChatraHalfConfigured", map[string]string{"CHATRA_SECRET_KEY": "s"}, "CHATRA_SECRET_KEY"},
		{"GladlyNoAccount", map[string]string{"GLADLY_BASE_URL": "https://acme.gladly.com"}, "GLADLY_ACCOUNT_ID"},
		{"GladlyURLWithPath", map[string]string{"GLADLY_BASE_URL": "https://acme.gladly.com/api/v1"}, "GLADLY_BASE_URL"},
		{"GladlyHalfConfigured", map[string]string{"GLADLY_API_TOKEN": "t"}, "GLADLY_BASE_URL"},
		{"GladlyBadSLA", map[string]string{"GLADLY_BASE_URL": "https://acme.gladly.com", "GLADLY_SLA": "soon"}, "GLADLY_SLA"},
		{"PublicURLRelative", map[string]string{"PUBLIC_URL": "desk.example.com"}, "PUBLIC_URL"},
		{"WidgetFileSizeNotANumber", map[string]string{"WIDGET_SECRET": strings.Repeat("s", 32), "WIDGET_ALLOWED_ORIGINS": "https://shop.example.com", "WIDGET_MAX_FILE_BYTES": "10MB"}, "WIDGET_MAX_FILE_BYTES"},
		{"WidgetFileTypeThatRuns", map[string]string{"WIDGET_SECRET": strings.Repeat("s", 32), "WIDGET_ALLOWED_ORIGINS": "https://shop.example.com", "WIDGET_FILE_TYPES": "image/png,text/html"}, "WIDGET_FILE_TYPES"},
		{"PublicURLFTP", map[string]string{"PUBLIC_URL": "ftp://desk.example.com"}, "PUBLIC_URL"},
		{"PriorityWindowNotADuration", map[string]string{"PRIORITY_WINDOW": "soon"}, "PRIORITY_WINDOW"},
		{"PriorityWindowNegative", map[string]string{"PRIORITY_WINDOW": "-1m"}, "PRIORITY_WINDOW"},
		{"RatingWindowNotADuration", map[string]string{"RATING_WINDOW": "a while"}, "RATING_WINDOW"},
		{"RetentionNotADuration", map[string]string{"RETENTION": "3 months"}, "RETENTION"},
		{"RetentionNegative", map[string]string{"RETENTION": "-1d"}, "RETENTION"},
		{"AIHalfConfigured", map[string]string{"AI_BASE_URL": "https://api.openai.com/v1"}, "AI_BASE_URL"},
		{"AIBadURL", map[string]string{"AI_BASE_URL": "api.openai.com", "AI_API_KEY": "k", "AI_MODEL": "m"}, "AI_BASE_URL"},
		{"AIBadTimeout", map[string]string{"AI_BASE_URL": "http://127.0.0.1:1/v1", "AI_API_KEY": "k", "AI_MODEL": "m", "AI_TIMEOUT": "0s"}, "AI_TIMEOUT"},
		{"AITemperatureNotANumber", map[string]string{"AI_BASE_URL": "http://127.0.0.1:1/v1", "AI_API_KEY": "k", "AI_MODEL": "m", "AI_TEMPERATURE": "low"}, "AI_TEMPERATURE"},
		{"AITemperatureAboveTwo", map[string]string{"AI_BASE_URL": "http://127.0.0.1:1/v1", "AI_API_KEY": "k", "AI_MODEL": "m", "AI_TEMPERATURE": "2.5"}, "AI_TEMPERATURE"},
		{"AITemperatureNegative", map[string]string{"AI_BASE_URL": "http://127.0.0.1:1/v1", "AI_API_KEY": "k", "AI_MODEL": "m", "AI_TEMPERATURE": "-0.1"}, "AI_TEMPERATURE"},
		{"AITemperatureNaN", map[string]string{"AI_BASE_URL": "http://127.0.0.1:1/v1", "AI_API_KEY": "k", "AI_MODEL": "m", "AI_TEMPERATURE": "NaN"}, "AI_TEMPERATURE"},
		{"AITemperatureWithoutAI", map[string]string{"AI_TEMPERATURE": "0.2"}, "AI_TEMPERATURE"},
		{"VitallyHalfConfigured", map[string]string{"VITALLY_API_URL": "https://acme.rest.vitally.io"}, "VITALLY_API_URL"},
		{"VitallyBadURL", map[string]string{"VITALLY_API_URL": "acme", "VITALLY_SECRET": "s"}, "VITALLY_API_URL"},
		{"LogFormatUnknown", map[string]string{"LOG_FORMAT": "text"}, "LOG_FORMAT"},
		{"AdminNotAUser", map[string]string{"ADMIN_USER_IDS": "U024BE7LH,bob"}, "ADMIN_USER_IDS"},
		{"AdminTwice", map[string]string{"ADMIN_USER_IDS": "U024BE7LH,U024BE7LH"}, "ADMIN_USER_IDS"},
		{"ChannelsNoLabel", map[string]string{"TICKETING_CHANNELS": "C123"}, "TICKETING_CHANNELS"},
		{"ChannelsEmptyLabel", map[string]string{"TICKETING_CHANNELS": "C123= "}, "TICKETING_CHANNELS"},
		{"ChannelsBadID", map[string]string{"TICKETING_CHANNELS": "support=Support Team"}, "TICKETING_CHANNELS"},
		{"ChannelsTwice", map[string]string{"TICKETING_CHANNELS": "C123=Support,C123=Billing"}, "TICKETING_CHANNELS"},
		{"LabelsTwice", map[string]string{"TICKETING_CHANNELS": "C123=Support,C456=support"}, "TICKETING_CHANNELS"},
		{"PriorityNotAUser", map[string]string{"PRIORITY_GROUP": "C123"}, "PRIORITY_GROUP"},
		{"ShowAgentNameNotBool", map[string]string{"SHOW_AGENT_NAME": "sometimes"}, "SHOW_AGENT_NAME"},
		{"SLAUnknownTeam", map[string]string{"TICKETING_CHANNELS": "C123=Support", "SLA_TARGETS": "Billing: high=1h/-/-"}, "SLA_TARGETS"},
		{"SLABadTarget", map[string]string{"TICKETING_CHANNELS": "C123=Support", "SLA_TARGETS": "Support: high=1h/soon/-"}, "SLA_TARGETS"},
		{"SLANotPerTeam", map[string]string{"TICKETING_CHANNELS": "C123=Support", "SLA_TARGETS": "high=1h/1h/1h"}, "SLA_TARGETS"},
		{"SLAHoursBadZone", map[string]string{"TICKETING_CHANNELS": "C123=Support", "SLA_TARGETS": "Support: high=1h/-/-", "SLA_HOURS": "Support: Mars/Base Mon 09:00-17:00"}, "SLA_HOURS"},
		{"SLAHolidayNotADay", map[string]string{"TICKETING_CHANNELS": "C123=Support", "SLA_TARGETS": "Support: high=1h/-/-", "SLA_HOLIDAYS": "Support: Christmas"}, "SLA_HOLIDAYS"},
		{"SLAEscalationNotAnID", map[string]string{"TICKETING_CHANNELS": "C123=Support", "SLA_TARGETS": "Support: high=1h/-/-", "SLA_ESCALATION": "Support: @oncall"}, "SLA"},
		{"SLAWarnAtWhole", map[string]string{"SLA_WARN_AT": "100%"}, "SLA_WARN_AT"},
		{"ReopenWindowNotADuration", map[string]string{"TICKETING_CHANNELS": "C123=Support", "REOPEN_WINDOW": "Support: a while"}, "REOPEN_WINDOW"},
		{"ReopenWindowTooLong", map[string]string{"TICKETING_CHANNELS": "C123=Support", "REOPEN_WINDOW": "Support: 60d"}, "reopen window"},
		{"AutoWaitingNotYesNo", map[string]string{"TICKETING_CHANNELS": "C123=Support", "AUTO_WAITING": "Support: maybe"}, "AUTO_WAITING"},
		{"CustomerChannelNoTeam", map[string]string{"TICKETING_CHANNELS": "C123=Support", "CUSTOMER_CHANNELS": "C999"}, "CUSTOMER_CHANNELS"},
		{"CustomerChannelBadID", map[string]string{"TICKETING_CHANNELS": "C123=Support", "CUSTOMER_CHANNELS": "acme=Support"}, "CUSTOMER_CHANNELS"},
		{"CustomerChannelUnknownTeam", map[string]string{"TICKETING_CHANNELS": "C123=Support", "CUSTOMER_CHANNELS": "C999=Billing"}, "CUSTOMER_CHANNELS"},
		{"CustomerChannelIsTicketing", map[string]string{"TICKETING_CHANNELS": "C123=Support", "CUSTOMER_CHANNELS": "C123=Support"}, "customer channel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := environment(tc.vars)
			c, err := loadConfig(getenv)
			if err == nil {
				t.Fatalf("loadConfig = %+v, want an error naming %s", c, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
			assertNoSecrets(t, err.Error(), getenv)
		})
	}
}

func TestLoadConfig_ReportsEveryProblem(t *testing.T) {
	_, err := loadConfig(environment(map[string]string{
		"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "xoxp-user-token", "LOG_LEVEL": "loud", "SHOW_AGENT_NAME": "yes please",
	}))
	if err == nil {
		t.Fatal("loadConfig succeeded, want an error")
	}
	for _, key := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "LOG_LEVEL", "SHOW_AGENT_NAME"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
	if strings.Contains(err.Error(), "xoxp-user-token") {
		t.Errorf("error %q reveals a token", err)
	}
}

// assertNoSecrets fails when s holds a token or a password from the environment.
func assertNoSecrets(t *testing.T, s string, getenv func(string) string) {
	t.Helper()
	for _, key := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"} {
		if v := getenv(key); v != "" && strings.Contains(s, v) {
			t.Errorf("%q reveals %s", s, key)
		}
	}
	if strings.Contains(s, "hunter2") {
		t.Errorf("%q reveals the Redis password", s)
	}
}

func TestProcessEnv_Spec(t *testing.T) {
	getenv := func(string) string { return "x" }
	if err := processEnv(getenv, env{}); !errors.Is(err, envconfig.ErrInvalidSpecification) {
		t.Errorf("non-pointer spec: err = %v, want ErrInvalidSpecification", err)
	}
	var untagged struct{ A string }
	if err := processEnv(getenv, &untagged); err == nil {
		t.Error("untagged field: want an error")
	}
	var unsupported struct {
		N int `envconfig:"N"`
	}
	if err := processEnv(getenv, &unsupported); err == nil || !strings.Contains(err.Error(), "N:") {
		t.Errorf("int field: err = %v, want an unsupported type error naming N", err)
	}
}

// A connector that is off does not use its variables: one that does not decode is no
// reason to refuse to start (as before the connectors declared their own variables).
func TestLoadConfig_OffConnectorsBadValues(t *testing.T) {
	_, err := loadConfig(environment(map[string]string{
		"GLADLY_SLA": "ten minutes", "WEBHOOK_RETRY_FOR": "abc", "CHATRA_RETRY_FOR": "1", "AI_TIMEOUT": "x",
		"WIDGET_TRUSTED_PROXIES": "0.0.0.0/0",
	}))
	if err != nil {
		t.Errorf("loadConfig = %v, want the off connectors' variables ignored", err)
	}
}

// A value of a connector that is on that does not decode is reported once, naming its
// variable.
func TestLoadConfig_BadDurationReportedOnce(t *testing.T) {
	_, err := loadConfig(environment(map[string]string{
		"WEBHOOK_TOKEN": "0123456789abcdef", "WEBHOOK_CALLBACK_URL": "https://bot.example.com/hook",
		"WEBHOOK_SIGNING_SECRET": "0123456789abcdef", "WEBHOOK_RETRY_FOR": "soon",
	}))
	if err == nil || strings.Count(err.Error(), "WEBHOOK_RETRY_FOR") != 1 {
		t.Errorf("loadConfig = %v, want WEBHOOK_RETRY_FOR named once", err)
	}
}
