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

	"github.com/frontdeskhq/frontdesk/internal/app"
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
	SLA               slaEnv
	CustomerChannels  teams  `envconfig:"CUSTOMER_CHANNELS"`
	Greetings         string `envconfig:"GREETINGS"`

	PriorityWindow string `envconfig:"PRIORITY_WINDOW" default:"2m"`
	RatingWindow   string `envconfig:"RATING_WINDOW" default:"1h"`

	PublicURL string `envconfig:"PUBLIC_URL"`

	// The connectors' variables, declared by each connector's Config (chatra.Config's
	// CHATRA_*, ...). A connector is on when the variable its package names is set.
	Connectors app.Connectors
}

// config is the environment checked and turned into what the program is built from.
type config struct {
	app.Config
	logLevel  zapcore.Level
	logFormat string // "json" or "console"
}

// loadConfig reads and checks the environment through getenv. Its error names every bad
// or missing variable, and never holds a token's value.
func loadConfig(getenv func(string) string) (*config, error) {
	var e env
	// Carry on past processEnv's problems so that one run reports them all.
	errs := []error{processEnv(getenv, &e)}
	c := &config{Config: app.Config{
		SlackBotToken: e.SlackBotToken,
		SlackAppToken: e.SlackAppToken,
		RedisPrefix:   e.RedisPrefix,
		HTTPAddr:      e.HTTPAddr,
		Admins:        e.AdminUserIDs,
		Initial: tickets.Settings{
			TicketingChannels: e.TicketingChannels,
			PriorityGroup:     e.PriorityGroup,
			ShowAgentName:     e.ShowAgentName,
		},
		Connectors: e.Connectors,
	}, logFormat: e.LogFormat}
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
	c.SlackAPIURL, err = apiURL(e.SlackAPIURL)
	check("SLACK_API_URL", err)
	c.Redis, err = redisConfig(e.RedisURL)
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
	slas, slaErr := e.SLA.policies(c.Initial.TicketingChannels)
	errs = append(errs, slaErr)
	customers, err := customerChannels(e.CustomerChannels, c.Initial.TicketingChannels)
	check("CUSTOMER_CHANNELS", err)
	if len(c.Initial.TicketingChannels) > 0 {
		if slaErr == nil {
			c.Initial.SLAs = slas
		}
		c.Initial.CustomerChannels = customers
		for g := range items(e.Greetings) {
			c.Initial.Greetings = append(c.Initial.Greetings, g)
		}
		check("TICKETING_CHANNELS", c.Initial.Validate())
	}
	if e.PublicURL != "" {
		u, err := url.Parse(e.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			check("PUBLIC_URL", errors.New("must be an absolute http(s) URL without a query, like https://desk.example.com"))
		}
		c.PublicURL = strings.TrimRight(e.PublicURL, "/")
	}
	// Each connector checks its own variables; their problems name them.
	errs = append(errs, c.Connectors.Validate())
	if c.Retention, err = parseDays(e.Retention); err != nil || c.Retention < 0 {
		check("RETENTION", fmt.Errorf("%q is not a duration like 90d or 2160h (0 keeps closed tickets for ever)", e.Retention))
	}
	if c.RatingWindow, err = time.ParseDuration(e.RatingWindow); err != nil || c.RatingWindow < 0 {
		check("RATING_WINDOW", fmt.Errorf("%q is not a duration like 1h or 30m (0: customers are not asked to rate chats)", e.RatingWindow))
	}
	if c.ReadyMaxOutboxAge, err = time.ParseDuration(e.ReadyMaxOutboxAge); err != nil || c.ReadyMaxOutboxAge < 0 {
		check("READY_MAX_OUTBOX_AGE", fmt.Errorf("%q is not a duration like 5m or 90s (0 turns the check off)", e.ReadyMaxOutboxAge))
	}
	if c.PriorityWindow, err = time.ParseDuration(e.PriorityWindow); err != nil || c.PriorityWindow < 0 {
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
