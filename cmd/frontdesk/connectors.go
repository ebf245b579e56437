package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
)

// The connectors' environment variables: each connector's are checked here, all of them
// when the variable that turns it on is set, none otherwise. No value is ever quoted.

// aiConfig is the AI enrichment's configuration.
type aiConfig struct {
	baseURL, apiKey, model string
	timeout                time.Duration
	// temperature is sent with each request; nil when AI_TEMPERATURE is unset.
	temperature *float64
}

// gladlyConfig is the Gladly connector's configuration.
type gladlyConfig struct {
	baseURL, agentEmail, apiToken, agentID string
	aiInboxID, handoffInboxID, accountID   string
	webhookUser, webhookPassword           string
	sla, retryFor                          time.Duration
	closeTopicIDs                          []string
}

// chatraConfig is the Chatra connector's configuration.
type chatraConfig struct {
	webhookToken, publicKey, secretKey, apiURL string
	agentName, agentEmail, defaultLabel        string
	groups                                     string // CHATRA_GROUPS, parsed by the connector
	retryFor                                   time.Duration
}

// webhookConfig is the generic chatbot connector's configuration.
type webhookConfig struct {
	token, callbackURL, signingSecret string
	retryFor                          time.Duration
}

// minSecretLen is the least length of a token or secret Frontdesk accepts.
const minSecretLen = 16

// webhookSettings checks the chatbot connector's variables: all of them when
// WEBHOOK_TOKEN is set, none otherwise (the connector is off). No value is ever quoted.
func webhookSettings(e env, check func(string, error)) *webhookConfig {
	if e.WebhookToken == "" {
		for key, v := range map[string]string{"WEBHOOK_CALLBACK_URL": e.WebhookCallbackURL, "WEBHOOK_SIGNING_SECRET": e.WebhookSigningSecret} {
			if v != "" {
				check(key, errors.New("is set but WEBHOOK_TOKEN is not; set WEBHOOK_TOKEN to turn the chatbot connector on"))
			}
		}
		return nil
	}
	w := &webhookConfig{token: e.WebhookToken, callbackURL: e.WebhookCallbackURL, signingSecret: e.WebhookSigningSecret}
	if len(w.token) < minSecretLen || strings.IndexFunc(w.token, unicode.IsSpace) >= 0 {
		check("WEBHOOK_TOKEN", fmt.Errorf("must be at least %d characters, without spaces", minSecretLen))
	}
	if u, err := url.Parse(w.callbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		check("WEBHOOK_CALLBACK_URL", errors.New("required with WEBHOOK_TOKEN: the chatbot's absolute http(s) URL for Frontdesk's events"))
	}
	if len(w.signingSecret) < minSecretLen {
		check("WEBHOOK_SIGNING_SECRET", fmt.Errorf("required with WEBHOOK_TOKEN, at least %d characters", minSecretLen))
	}
	d, err := time.ParseDuration(e.WebhookRetryFor)
	if err != nil || d <= 0 {
		check("WEBHOOK_RETRY_FOR", fmt.Errorf("%q is not a positive duration like 1h or 30m", e.WebhookRetryFor))
	}
	w.retryFor = d
	return w
}

// chatraSettings checks the Chatra connector's variables: the keys and identity when
// CHATRA_WEBHOOK_TOKEN is set (the connector is on). No value is ever quoted.
func chatraSettings(e env, check func(string, error)) *chatraConfig {
	if e.ChatraWebhookToken == "" {
		for key, v := range map[string]string{"CHATRA_PUBLIC_KEY": e.ChatraPublicKey, "CHATRA_SECRET_KEY": e.ChatraSecretKey} {
			if v != "" {
				check(key, errors.New("is set but CHATRA_WEBHOOK_TOKEN is not; set CHATRA_WEBHOOK_TOKEN to turn the Chatra connector on"))
			}
		}
		return nil
	}
	c := &chatraConfig{
		webhookToken: e.ChatraWebhookToken, publicKey: e.ChatraPublicKey, secretKey: e.ChatraSecretKey,
		apiURL: e.ChatraAPIURL, agentName: e.ChatraAgentName, agentEmail: e.ChatraAgentEmail,
		groups: e.ChatraGroups, defaultLabel: e.ChatraDefaultLabel,
	}
	if len(c.webhookToken) < minSecretLen || strings.ContainsAny(c.webhookToken, "/?#% ") {
		check("CHATRA_WEBHOOK_TOKEN", fmt.Errorf("must be at least %d characters, without / ? # %% or spaces (it goes in the webhook URL)", minSecretLen))
	}
	if c.publicKey == "" {
		check("CHATRA_PUBLIC_KEY", errors.New("required with CHATRA_WEBHOOK_TOKEN (Chatra: Settings → API)"))
	}
	if c.secretKey == "" {
		check("CHATRA_SECRET_KEY", errors.New("required with CHATRA_WEBHOOK_TOKEN (Chatra: Settings → API)"))
	}
	if !strings.Contains(c.agentEmail, "@") {
		check("CHATRA_AGENT_EMAIL", errors.New("required with CHATRA_WEBHOOK_TOKEN: the email of the team identity replies go out under when agent names are hidden"))
	}
	if u, err := url.Parse(c.apiURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		check("CHATRA_API_URL", errors.New("must be an absolute http(s) URL, like https://app.chatra.io/api/"))
	}
	d, err := time.ParseDuration(e.ChatraRetryFor)
	if err != nil || d <= 0 {
		check("CHATRA_RETRY_FOR", fmt.Errorf("%q is not a positive duration like 1h or 30m", e.ChatraRetryFor))
	}
	c.retryFor = d
	return c
}

// gladlySettings checks the Gladly connector's variables, all required but the webhook
// credentials and topics when GLADLY_BASE_URL is set. No value is ever quoted.
func gladlySettings(e env, check func(string, error)) *gladlyConfig {
	if e.GladlyBaseURL == "" {
		if e.GladlyAPIToken != "" || e.GladlyAccountID != "" {
			check("GLADLY_BASE_URL", errors.New("is not set but other GLADLY_ variables are; set it to turn the Gladly connector on"))
		}
		return nil
	}
	g := &gladlyConfig{
		baseURL: strings.TrimRight(e.GladlyBaseURL, "/"), agentEmail: e.GladlyAgentEmail, apiToken: e.GladlyAPIToken,
		agentID: e.GladlyAgentID, aiInboxID: e.GladlyAIInboxID, handoffInboxID: e.GladlyHandoffInboxID,
		accountID: e.GladlyAccountID, webhookUser: e.GladlyWebhookUser, webhookPassword: e.GladlyWebhookPassword,
	}
	for _, id := range e.GladlyCloseTopicIDs {
		g.closeTopicIDs = append(g.closeTopicIDs, string(id))
	}
	if u, err := url.Parse(g.baseURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.Path != "" {
		check("GLADLY_BASE_URL", errors.New("must be the whole host, like https://acme.us-1.gladly.com (no path)"))
	}
	for key, v := range map[string]string{
		"GLADLY_AGENT_EMAIL": g.agentEmail, "GLADLY_API_TOKEN": g.apiToken, "GLADLY_AGENT_ID": g.agentID,
		"GLADLY_AI_INBOX_ID": g.aiInboxID, "GLADLY_HANDOFF_INBOX_ID": g.handoffInboxID, "GLADLY_ACCOUNT_ID": g.accountID,
	} {
		if strings.TrimSpace(v) == "" {
			check(key, errors.New("required with GLADLY_BASE_URL"))
		}
	}
	if g.aiInboxID != "" && g.aiInboxID == g.handoffInboxID {
		check("GLADLY_HANDOFF_INBOX_ID", errors.New("must differ from GLADLY_AI_INBOX_ID: chats are handed off to Gladly's people"))
	}
	if (g.webhookUser == "") != (g.webhookPassword == "") {
		check("GLADLY_WEBHOOK_PASSWORD", errors.New("GLADLY_WEBHOOK_USER and GLADLY_WEBHOOK_PASSWORD go together"))
	}
	var err error
	if g.sla, err = time.ParseDuration(e.GladlySLA); err != nil || g.sla < 0 {
		check("GLADLY_SLA", fmt.Errorf("%q is not a duration like 10m (0 turns the automatic hand-off off)", e.GladlySLA))
	}
	if g.retryFor, err = time.ParseDuration(e.GladlyRetryFor); err != nil || g.retryFor <= 0 {
		check("GLADLY_RETRY_FOR", fmt.Errorf("%q is not a positive duration like 1h", e.GladlyRetryFor))
	}
	return g
}

// widgetSettings checks the website widget's variables when WIDGET_SECRET is set (the
// widget is on). The secret is never quoted.
func widgetSettings(e env, check func(string, error)) *widget.Config {
	if e.WidgetSecret == "" {
		if e.WidgetAllowedOrigins != "" {
			check("WIDGET_ALLOWED_ORIGINS", errors.New("is set but WIDGET_SECRET is not; set WIDGET_SECRET to turn the website widget on"))
		}
		return nil
	}
	w := &widget.Config{
		Secret: e.WidgetSecret, Title: e.WidgetTitle, Color: e.WidgetColor, Greeting: e.WidgetGreeting,
		PreChat: e.WidgetPrechat, Label: e.WidgetLabel,
	}
	for o := range items(e.WidgetAllowedOrigins) {
		w.AllowedOrigins = append(w.AllowedOrigins, strings.TrimRight(o, "/"))
	}
	for p := range items(e.WidgetTrustedProxies) {
		prefix, err := widget.ParseTrustedProxy(p)
		if err != nil {
			check("WIDGET_TRUSTED_PROXIES", fmt.Errorf("%q %v", p, err))
			continue
		}
		w.TrustedProxies = append(w.TrustedProxies, prefix)
	}
	if len(w.Secret) < widget.MinSecretBytes {
		check("WIDGET_SECRET", fmt.Errorf("must be at least %d bytes (e.g. openssl rand -hex 32)", widget.MinSecretBytes))
	}
	if len(w.AllowedOrigins) == 0 {
		check("WIDGET_ALLOWED_ORIGINS", errors.New("required with WIDGET_SECRET: the origins of the sites that embed the widget, like https://www.example.com"))
	}
	for _, o := range w.AllowedOrigins {
		if err := widget.ValidOrigin(o); err != nil {
			check("WIDGET_ALLOWED_ORIGINS", fmt.Errorf("%q %v", o, err))
		}
	}
	if !widget.ValidColor(w.Color) {
		check("WIDGET_COLOR", fmt.Errorf("%q is not a colour like #4f46e5", w.Color))
	}
	if len(w.Title) > widget.MaxTitleBytes {
		check("WIDGET_TITLE", fmt.Errorf("is longer than %d bytes", widget.MaxTitleBytes))
	}
	if len(w.Greeting) > widget.MaxGreetingBytes {
		check("WIDGET_GREETING", fmt.Errorf("is longer than %d bytes", widget.MaxGreetingBytes))
	}
	return w
}

// aiSettings checks the AI enrichment's variables: all three of AI_BASE_URL, AI_API_KEY
// and AI_MODEL, or none; AI_TIMEOUT; and AI_TEMPERATURE, if set.
func aiSettings(e env, check func(string, error)) *aiConfig {
	set := 0
	for _, v := range []string{e.AIBaseURL, e.AIAPIKey, e.AIModel} {
		if v != "" {
			set++
		}
	}
	if set == 0 {
		if e.AITemperature != "" {
			check("AI_TEMPERATURE", errors.New("is set but AI enrichment is off: set AI_BASE_URL, AI_API_KEY and AI_MODEL too, or unset it"))
		}
		return nil
	}
	if set < 3 {
		check("AI_BASE_URL", errors.New("AI_BASE_URL, AI_API_KEY and AI_MODEL go together: set all three to turn AI enrichment on, or none"))
		return nil
	}
	a := &aiConfig{baseURL: e.AIBaseURL, apiKey: e.AIAPIKey, model: e.AIModel}
	if u, err := url.Parse(e.AIBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		check("AI_BASE_URL", errors.New("must be an absolute http(s) URL like https://api.openai.com/v1"))
	}
	var err error
	if a.timeout, err = time.ParseDuration(e.AITimeout); err != nil || a.timeout <= 0 {
		check("AI_TIMEOUT", fmt.Errorf("%q is not a positive duration like 30s", e.AITimeout))
	}
	if e.AITemperature != "" {
		v, err := strconv.ParseFloat(strings.TrimSpace(e.AITemperature), 64)
		if err != nil || !(v >= 0 && v <= 2) {
			check("AI_TEMPERATURE", fmt.Errorf("%q is not a number from 0 to 2 like 0.2; leave it unset to send none (reasoning models such as o3 or GPT-5 take only their default)", e.AITemperature))
		} else {
			a.temperature = &v
		}
	}
	return a
}
