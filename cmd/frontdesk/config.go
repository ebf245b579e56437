package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.uber.org/zap/zapcore"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/redisurl"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// env lists every environment variable Frontdesk reads, with its default. README.md
// documents the same list; readme_test.go keeps the two in step.
type env struct {
	SlackBotToken string `envconfig:"SLACK_BOT_TOKEN" required:"true"`
	SlackAppToken string `envconfig:"SLACK_APP_TOKEN" required:"true"`
	SlackAPIURL   string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`

	RedisURL    string `envconfig:"REDIS_URL" default:"redis://127.0.0.1:6379/0"`
	RedisPrefix string `envconfig:"REDIS_PREFIX" default:"fd:"`
	Retention   string `envconfig:"RETENTION" default:"90d"`

	HTTPAddr  string `envconfig:"HTTP_ADDR" default:":8080"`
	LogLevel  string `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat string `envconfig:"LOG_FORMAT" default:"json"`

	ReadyMaxOutboxAge string `envconfig:"READY_MAX_OUTBOX_AGE" default:"5m"`

	AdminUserIDs userIDs `envconfig:"ADMIN_USER_IDS"`

	// The initial settings, used only while Redis holds none.
	TicketingChannels teams   `envconfig:"TICKETING_CHANNELS"`
	PriorityGroup     userIDs `envconfig:"PRIORITY_GROUP"`
	ShowAgentName     bool    `envconfig:"SHOW_AGENT_NAME" default:"false"`

	PriorityWindow string `envconfig:"PRIORITY_WINDOW" default:"2m"`
	RatingWindow   string `envconfig:"RATING_WINDOW" default:"1h"`

	// Optional AI enrichment of ticket details, on when all three are set.
	AIBaseURL string `envconfig:"AI_BASE_URL"`
	AIAPIKey  string `envconfig:"AI_API_KEY"`
	AIModel   string `envconfig:"AI_MODEL"`
	AITimeout string `envconfig:"AI_TIMEOUT" default:"30s"`
	// AITemperature is sent only when set: reasoning models refuse all but their default.
	AITemperature string `envconfig:"AI_TEMPERATURE"`

	PublicURL string `envconfig:"PUBLIC_URL"`

	// The generic chatbot connector, on when WEBHOOK_TOKEN is set.
	WebhookToken         string `envconfig:"WEBHOOK_TOKEN"`
	WebhookCallbackURL   string `envconfig:"WEBHOOK_CALLBACK_URL"`
	WebhookSigningSecret string `envconfig:"WEBHOOK_SIGNING_SECRET"`
	WebhookRetryFor      string `envconfig:"WEBHOOK_RETRY_FOR" default:"1h"`

	// The Chatra connector, on when CHATRA_WEBHOOK_TOKEN is set.
	ChatraWebhookToken string `envconfig:"CHATRA_WEBHOOK_TOKEN"`
	ChatraPublicKey    string `envconfig:"CHATRA_PUBLIC_KEY"`
	ChatraSecretKey    string `envconfig:"CHATRA_SECRET_KEY"`
	ChatraAPIURL       string `envconfig:"CHATRA_API_URL" default:"https://app.chatra.io/api/"`
	ChatraAgentName    string `envconfig:"CHATRA_AGENT_NAME" default:"Support"`
	ChatraAgentEmail   string `envconfig:"CHATRA_AGENT_EMAIL"`
	ChatraGroups       string `envconfig:"CHATRA_GROUPS"`
	ChatraDefaultLabel string `envconfig:"CHATRA_DEFAULT_LABEL"`
	ChatraRetryFor     string `envconfig:"CHATRA_RETRY_FOR" default:"1h"`

	// The Gladly connector, on when GLADLY_BASE_URL is set.
	GladlyBaseURL         string  `envconfig:"GLADLY_BASE_URL"`
	GladlyAgentEmail      string  `envconfig:"GLADLY_AGENT_EMAIL"`
	GladlyAPIToken        string  `envconfig:"GLADLY_API_TOKEN"`
	GladlyAgentID         string  `envconfig:"GLADLY_AGENT_ID"`
	GladlyAIInboxID       string  `envconfig:"GLADLY_AI_INBOX_ID"`
	GladlyHandoffInboxID  string  `envconfig:"GLADLY_HANDOFF_INBOX_ID"`
	GladlyAccountID       string  `envconfig:"GLADLY_ACCOUNT_ID"`
	GladlyWebhookUser     string  `envconfig:"GLADLY_WEBHOOK_USER"`
	GladlyWebhookPassword string  `envconfig:"GLADLY_WEBHOOK_PASSWORD"`
	GladlySLA             string  `envconfig:"GLADLY_SLA" default:"10m"`
	GladlyCloseTopicIDs   userIDs `envconfig:"GLADLY_CLOSE_TOPIC_IDS"`
	GladlyRetryFor        string  `envconfig:"GLADLY_RETRY_FOR" default:"1h"`

	// The website chat widget, on when WIDGET_SECRET is set.
	WidgetSecret         string `envconfig:"WIDGET_SECRET"`
	WidgetAllowedOrigins string `envconfig:"WIDGET_ALLOWED_ORIGINS"`
	WidgetTitle          string `envconfig:"WIDGET_TITLE" default:"Chat with us"`
	WidgetColor          string `envconfig:"WIDGET_COLOR" default:"#4f46e5"`
	WidgetGreeting       string `envconfig:"WIDGET_GREETING" default:"Hi! How can we help?"`
	WidgetPrechat        bool   `envconfig:"WIDGET_PRECHAT" default:"false"`
	WidgetLabel          string `envconfig:"WIDGET_LABEL"`
	WidgetTrustedProxies string `envconfig:"WIDGET_TRUSTED_PROXIES"`

	// Vitally's credentials, when the environment rather than the admin panel sets them.
	VitallyAPIURL string `envconfig:"VITALLY_API_URL"`
	VitallySecret string `envconfig:"VITALLY_SECRET"`
}

// config is the environment checked and turned into what the program is built from.
type config struct {
	slackBotToken string
	slackAppToken string
	slackAPIURL   string // absolute, ends in "/" as slack-go wants

	redis       *redisurl.Config
	redisPrefix string
	// retention: how long closed tickets are kept; 0 for ever.
	retention time.Duration

	httpAddr  string
	logLevel  zapcore.Level
	logFormat string // "json" or "console"
	// readyMaxOutboxAge: /readyz fails while an outbox entry waits unacknowledged
	// longer; 0: never.
	readyMaxOutboxAge time.Duration

	admins  []tickets.AgentID
	initial tickets.Settings
	// priorityWindow: how long a ticket may wait unpicked before its channel is told.
	priorityWindow time.Duration
	// ratingWindow: how long after an agent ends a chat its customer may rate it by reply.
	ratingWindow time.Duration
	// ai configures AI enrichment; nil when it is off.
	ai *aiConfig
	// publicURL is where customers reach this server (for file links); "" when unset.
	publicURL string
	// webhook configures the generic chatbot connector; nil when it is off.
	webhook *webhookConfig
	// chatra configures the Chatra connector; nil when it is off.
	chatra *chatraConfig
	// gladly configures the Gladly connector; nil when it is off.
	gladly *gladlyConfig
	// widget configures the website chat widget; nil when it is off.
	widget *widget.Config
	// vitallyURL and vitallySecret are Vitally's credentials from the environment; ""
	// when the admin panel sets them.
	vitallyURL, vitallySecret string
}

// loadConfig reads and checks the environment through getenv. Its error names every bad
// or missing variable, and never holds a token's value.
func loadConfig(getenv func(string) string) (*config, error) {
	var e env
	// Carry on past processEnv's problems so that one run reports them all.
	errs := []error{processEnv(getenv, &e)}
	c := &config{
		slackBotToken: e.SlackBotToken,
		slackAppToken: e.SlackAppToken,
		redisPrefix:   e.RedisPrefix,
		httpAddr:      e.HTTPAddr,
		logFormat:     e.LogFormat,
		admins:        e.AdminUserIDs,
		initial: tickets.Settings{
			TicketingChannels: e.TicketingChannels,
			PriorityGroup:     e.PriorityGroup,
			ShowAgentName:     e.ShowAgentName,
		},
	}
	check := func(key string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	if e.SlackBotToken != "" { // else processEnv said it is missing
		check("SLACK_BOT_TOKEN", tokenPrefix(e.SlackBotToken, "xoxb-", "bot token"))
	}
	if e.SlackAppToken != "" {
		check("SLACK_APP_TOKEN", tokenPrefix(e.SlackAppToken, "xapp-", "app-level token"))
	}
	var err error
	c.slackAPIURL, err = apiURL(e.SlackAPIURL)
	check("SLACK_API_URL", err)
	c.redis, err = redisConfig(e.RedisURL)
	check("REDIS_URL", err)
	if strings.IndexFunc(e.RedisPrefix, unicode.IsSpace) >= 0 {
		check("REDIS_PREFIX", errors.New("must not contain spaces"))
	} else {
		check("REDIS_PREFIX", store.Config{Prefix: e.RedisPrefix}.Validate())
	}
	if _, _, err := net.SplitHostPort(e.HTTPAddr); err != nil {
		check("HTTP_ADDR", errors.New("must be host:port or :port, like :8080"))
	}
	level, ok := logLevels[e.LogLevel]
	if !ok {
		check("LOG_LEVEL", fmt.Errorf("%q is not one of debug, info, warn, error", e.LogLevel))
	}
	c.logLevel = level
	if !slices.Contains([]string{"json", "console"}, e.LogFormat) {
		check("LOG_FORMAT", fmt.Errorf("%q is not one of json, console", e.LogFormat))
	}
	if len(c.initial.TicketingChannels) > 0 {
		check("TICKETING_CHANNELS", c.initial.Validate())
	}
	if e.PublicURL != "" {
		u, err := url.Parse(e.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			check("PUBLIC_URL", errors.New("must be an absolute http(s) URL without a query, like https://desk.example.com"))
		}
		c.publicURL = strings.TrimRight(e.PublicURL, "/")
	}
	c.webhook = webhookSettings(e, check)
	c.chatra = chatraSettings(e, check)
	c.gladly = gladlySettings(e, check)
	c.widget = widgetSettings(e, check)
	switch {
	case (e.VitallyAPIURL == "") != (e.VitallySecret == ""):
		check("VITALLY_API_URL", errors.New("and VITALLY_SECRET go together: set both, or neither (then admins set Vitally up in the admin panel)"))
	case tickets.Vitally{APIURL: e.VitallyAPIURL}.Validate() != nil:
		check("VITALLY_API_URL", errors.New("must be like https://<subdomain>.rest.vitally.io (US) or https://rest.vitally-eu.io (EU)"))
	case tickets.Vitally{Secret: e.VitallySecret}.Validate() != nil:
		check("VITALLY_SECRET", errors.New("has control characters or is too long"))
	}
	c.vitallyURL, c.vitallySecret = e.VitallyAPIURL, e.VitallySecret
	if c.retention, err = parseDays(e.Retention); err != nil || c.retention < 0 {
		check("RETENTION", fmt.Errorf("%q is not a duration like 90d or 2160h (0 keeps closed tickets for ever)", e.Retention))
	}
	if c.ratingWindow, err = time.ParseDuration(e.RatingWindow); err != nil || c.ratingWindow < 0 {
		check("RATING_WINDOW", fmt.Errorf("%q is not a duration like 1h or 30m (0: customers are not asked to rate chats)", e.RatingWindow))
	}
	c.ai = aiSettings(e, check)
	if c.readyMaxOutboxAge, err = time.ParseDuration(e.ReadyMaxOutboxAge); err != nil || c.readyMaxOutboxAge < 0 {
		check("READY_MAX_OUTBOX_AGE", fmt.Errorf("%q is not a duration like 5m or 90s (0 turns the check off)", e.ReadyMaxOutboxAge))
	}
	if c.priorityWindow, err = time.ParseDuration(e.PriorityWindow); err != nil || c.priorityWindow < 0 {
		check("PRIORITY_WINDOW", fmt.Errorf("%q is not a duration like 2m or 90s (0 turns reminders off)", e.PriorityWindow))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

var logLevels = map[string]zapcore.Level{
	"debug": zapcore.DebugLevel, "info": zapcore.InfoLevel,
	"warn": zapcore.WarnLevel, "error": zapcore.ErrorLevel,
}

// tokenPrefix checks a Slack token's kind by its prefix without revealing the token.
func tokenPrefix(token, prefix, kind string) error {
	if !strings.HasPrefix(token, prefix) || strings.IndexFunc(token, unicode.IsSpace) >= 0 {
		return fmt.Errorf("must be a Slack %s starting with %s", kind, prefix)
	}
	return nil
}

// apiURL checks the Slack Web API base URL and gives it the trailing slash slack-go needs.
func apiURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("must be an absolute http(s) URL, like https://slack.com/api/")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

// redisConfig parses REDIS_URL (see package redisurl for its forms). Its errors never
// quote the URL, which may hold a password.
func redisConfig(s string) (*redisurl.Config, error) {
	c, err := redisurl.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%v (want one like redis://127.0.0.1:6379/0, redis+cluster://host:port?addr=host2:port or redis+sentinel://host:port?master_name=name)", err)
	}
	return c, nil
}

// parseDays reads a Go duration, or a whole number of days ("90d").
func parseDays(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad number of days %q", days)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
