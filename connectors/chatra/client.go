package chatra

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// DefaultAPIURL is Chatra's REST API (no version in the path; docs/chatra.md,
// "What is confirmed about Chatra's API").
const DefaultAPIURL = "https://app.chatra.io/api/"

// userAgent is sent with every request.
const userAgent = "Frontdesk-Chatra/1"

// ClientConfig configures the Client.
type ClientConfig struct {
	// APIURL is Chatra's REST API base (CHATRA_API_URL, DefaultAPIURL); messages go to
	// APIURL+"messages/".
	APIURL string
	// PublicKey and SecretKey are the API keys from Chatra's Settings → Integrations → API
	// (CHATRA_PUBLIC_KEY, CHATRA_SECRET_KEY). Required.
	PublicKey, SecretKey string
	// TeamName and TeamEmail are who writes when Slack agents' names are hidden from
	// customers (or an agent's email is unknown): CHATRA_AGENT_NAME ("Support") and
	// CHATRA_AGENT_EMAIL (required). Chatra creates an agent for an email it does not know.
	TeamName, TeamEmail string
	// ReceivedFrom marks the messages Frontdesk sends, so that their webhook echoes are
	// dropped (DefaultReceivedFrom); the Handler must have the same value.
	ReceivedFrom string
	// Sent is where the id Chatra gives each message Frontdesk sends is noted, so that the
	// Handler (given the same memory) recognises the message's webhook echo by its id even
	// when Chatra does not echo receivedFrom. In production it is the store (Redis), shared
	// by every replica; nil turns echo detection by id off.
	Sent Seen
	// Notes is where the Client keeps, per message Frontdesk sends, the ids Chatra gave
	// its parts, so that an agent's edit or deletion in Slack changes the message in
	// Chatra too (change.go), from any replica. In production it is the store (Redis);
	// nil turns changes off: the agent is told the visitor still has the message.
	Notes Notes
	// RetryFor is how long after an event happened a failed delivery is still worth
	// retrying (1h); after that it fails for good.
	RetryFor time.Duration
	// Timeout bounds each request (10s).
	Timeout time.Duration
	// HTTPClient sends the requests; by default one that does not follow redirects and
	// keeps its connections (httpsrc.NoRedirects).
	HTTPClient *http.Client
}

func (c *ClientConfig) setDefaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.TeamName == "" {
		c.TeamName = "Support"
	}
	if c.ReceivedFrom == "" {
		c.ReceivedFrom = DefaultReceivedFrom
	}
	if c.RetryFor == 0 {
		c.RetryFor = time.Hour
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
}

// Validate reports every problem with c, once defaults are applied. The settings an
// operator sets are checked as Config.Validate checks them (connector.go). It never
// quotes a key.
func (c ClientConfig) Validate() error {
	c.setDefaults()
	errs := []error{
		setting.Named("CHATRA_API_URL", checkAPIURL(c.APIURL)),
		setting.Named("CHATRA_PUBLIC_KEY", checkKey(c.PublicKey)),
		setting.Named("CHATRA_SECRET_KEY", checkKey(c.SecretKey)),
		setting.Named("CHATRA_AGENT_EMAIL", checkAgentEmail(c.TeamEmail)),
		setting.Named("CHATRA_AGENT_NAME", checkAgentName(c.TeamName)),
		setting.Named("CHATRA_RETRY_FOR", setting.PositiveDuration(c.RetryFor)),
		checkMarker(c.ReceivedFrom),
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s must be positive", c.Timeout))
	}
	return setting.Prefixed("chatra", errs)
}

// Client sends Slack agents' messages to Chatra visitors: it is the tickets.Source of
// Chatra tickets. It does not take chats back (it is no tickets.HandBacker): Chatra has no
// desk of its own for Frontdesk to hand a chat to.
type Client struct {
	url          string // APIURL + "messages/"
	auth         string
	teamName     string
	teamEmail    string
	receivedFrom string
	retryFor     time.Duration
	timeout      time.Duration
	hc           *http.Client
	log          *zap.Logger
	now          func() time.Time
	progress     *progress
	sent         Seen
	notes        Notes
	noIDOnce     sync.Once // says once that an answer named no message id
}

var _ tickets.Changer = (*Client)(nil)

// NewClient returns a client for Chatra's REST API.
func NewClient(cfg ClientConfig, log *zap.Logger) (*Client, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = httpsrc.NoRedirects()
	}
	return &Client{
		url:      cfg.APIURL + "messages/",
		auth:     "Chatra.Simple " + cfg.PublicKey + ":" + cfg.SecretKey,
		teamName: cfg.TeamName, teamEmail: cfg.TeamEmail, receivedFrom: cfg.ReceivedFrom,
		retryFor: cfg.RetryFor, timeout: cfg.Timeout, hc: hc, log: log.Named("chatra"),
		now: time.Now, progress: newProgress(), sent: cfg.Sent, notes: cfg.Notes,
	}, nil
}

// messageBody is POST /messages/: a message to visitor ClientID from the agent named by
// AgentEmail and AgentName.
type messageBody struct {
	ClientID     string `json:"clientId"`
	Text         string `json:"text"`
	AgentEmail   string `json:"agentEmail"`
	AgentName    string `json:"agentName"`
	ReceivedFrom string `json:"receivedFrom"`
}

// errHandBack: Chatra has no desk of its own to take a chat back to.
var errHandBack = errors.New("chatra: Chatra does not take chats back (hand-back is not offered for Chatra tickets)")

// Deliver sends out to the ticket's visitor as one or more Chatra messages: an agent's
// message (OutMessage, files as links after the text), or the "accepted" or "ended" text
// (OutAccepted, OutEnded; nothing when the text is empty). OutTransferred sends nothing;
// OutHandedBack is a permanent error. The message is written by out.Agent when it is set
// and has an email (the same email in Slack and Chatra is the same agent), else by the
// team identity.
//
// Text longer than Chatra's 5000 characters goes as several messages, in order. Chatra
// takes no idempotency key, so delivery is at least once: when its answer is lost, the
// retry sends the message again. For a split message the Client remembers (in memory)
// which parts of key went through, and a retry goes on from the first that did not.
//
// The id Chatra answers with for each message is noted in Sent (see sent.go); failing to
// note it is logged, not returned: the message went through, and a retry would send it
// again.
//
// A 2xx answer is success; a 429 is a *tickets.RetryAfterError; a 408, a 5xx or a network
// error is transient (plain error) until RetryFor has passed since out.At, and permanent
// after; any other answer is permanent.
func (c *Client) Deliver(ctx context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	if t == nil || key == "" {
		return tickets.Permanent(errors.New("chatra: deliver needs a ticket and a key"))
	}
	if t.ConversationID == "" {
		return tickets.Permanent(fmt.Errorf("chatra: ticket %s has no Chatra client id", t.ID))
	}
	if out.Kind == tickets.OutEdited || out.Kind == tickets.OutDeleted {
		return c.change(ctx, t, out, key)
	}
	text, err := outboundText(t, out)
	if err != nil {
		return tickets.Permanent(err)
	}
	log := c.log.With(zap.String("kind", string(out.Kind)), zap.String("key", key), zap.Int64("ticket", t.Number))
	if strings.TrimSpace(text) == "" {
		log.Debug("nothing to send")
		return nil
	}
	parts := textParts(text)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	for i := c.progress.done(key, sum); i < len(parts); i++ {
		if err := c.send(ctx, log, t, out, i, parts[i], len(parts)); err != nil {
			return err
		}
		if len(parts) > 1 {
			c.progress.mark(key, sum, i+1)
		}
	}
	c.progress.forget(key)
	log.Debug("message delivered", zap.Int("parts", len(parts)))
	return nil
}

// textParts is text cut into the messages Chatra takes, without blank ones.
func textParts(text string) []string {
	var parts []string
	for _, p := range splitText(text, maxTextChars) {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// send posts part i (of n) of out's text as a new Chatra message and notes the id Chatra
// gives it (as an echo to know, and as that part of out's message).
func (c *Client) send(ctx context.Context, log *zap.Logger, t *tickets.Ticket, out tickets.Outbound, i int, part string, n int) error {
	name, email := c.identity(out.Agent)
	body, err := json.Marshal(messageBody{ClientID: t.ConversationID, Text: part, AgentEmail: email,
		AgentName: name, ReceivedFrom: c.receivedFrom})
	if err != nil {
		return tickets.Permanent(fmt.Errorf("chatra: encode message: %w", err))
	}
	status, answer, err := c.call(ctx, http.MethodPost, c.url, body)
	if err != nil {
		log.Debug("message not delivered", zap.Int("part", i+1), zap.Int("parts", n),
			zap.Int("status", status), zap.Error(err))
		return httpsrc.GiveUpAfter(err, out.At, c.now(), c.retryFor)
	}
	c.notePart(ctx, log, out, i, c.noteSent(ctx, log, answer))
	return nil
}

// outboundText is what the visitor should read about out; "" for nothing. Its errors
// will not go away on a retry.
func outboundText(t *tickets.Ticket, out tickets.Outbound) (string, error) {
	switch out.Kind {
	case tickets.OutAccepted, tickets.OutEnded:
		return out.Text, nil
	case tickets.OutMessage:
		if out.Message == nil {
			return "", fmt.Errorf("chatra: ticket %s: an agent message without its message", t.ID)
		}
		text := out.Text
		if text == "" {
			text = out.Message.Text
		}
		return tickets.WithLinks(text, out.Message.Attachments), nil
	case tickets.OutTransferred:
		return "", nil // the visitor waits on; Chatra needs no word of it
	case tickets.OutHandedBack:
		return "", errHandBack
	}
	return "", fmt.Errorf("chatra: unknown outbound kind %q", out.Kind)
}

// identity is who writes the message in Chatra: the agent when named with an email, else
// the team.
func (c *Client) identity(a *tickets.Agent) (name, email string) {
	if a == nil || strings.TrimSpace(a.Email) == "" {
		return c.teamName, c.teamEmail
	}
	name = a.Name
	if strings.TrimSpace(name) == "" {
		name = c.teamName
	}
	return name, a.Email
}

// noteSent notes the id of the message in Chatra's answer (see sent.go) and returns it
// ("" when there is none). It logs ids, never text.
func (c *Client) noteSent(ctx context.Context, log *zap.Logger, answer []byte) string {
	id := sentID(answer)
	if id == "" {
		c.noIDOnce.Do(func() {
			log.Info("Chatra's answer named no message id: echoes of such messages are recognised by receivedFrom only, "+
				"and agents' edits of them cannot reach the visitor", zap.Int("answer_bytes", len(answer)))
		})
		return ""
	}
	if c.sent == nil {
		return id
	}
	first, err := remember(ctx, c.sent, id)
	switch {
	case err != nil:
		log.Warn("the id of a message sent to Chatra was not noted: its webhook echo may show in Slack",
			zap.String("chatra_id", tickets.Clip(id, 64)), zap.Error(err))
	case !first:
		// Chatra gave an id twice.
		log.Info("a message id Chatra answered with was already known", zap.String("chatra_id", tickets.Clip(id, 64)))
	}
	return id
}

// call makes one request of the messages API and classifies the outcome; status is 0
// when there was no answer. On success answer is the start of Chatra's answer
// (maxAnswerBytes); a body cut short still counts as taken: Chatra answered 2xx.
func (c *Client) call(ctx context.Context, method, url string, body []byte) (status int, answer []byte, err error) {
	what := "chatra: " + method + " messages"
	resp, err := httpsrc.Do(ctx, c.hc, httpsrc.Request{
		Method: method, URL: url, What: what, Body: body, MaxBody: maxAnswerBytes, Timeout: c.timeout,
		Header: http.Header{"Authorization": {c.auth}, "Accept": {"application/json"}, "User-Agent": {userAgent}},
	})
	if err != nil {
		return 0, nil, err
	}
	if err := httpsrc.Classify(what, resp.Status, resp.Header, c.now()); err != nil {
		return resp.Status, nil, err
	}
	return resp.Status, resp.Body, nil
}
