package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// userAgent is sent with every event.
const userAgent = "Frontdesk-Webhook/1"

// ClientConfig configures the Client.
type ClientConfig struct {
	// CallbackURL is where events are POSTed (WEBHOOK_CALLBACK_URL): an absolute http or
	// https URL. Required.
	CallbackURL string
	// SigningSecret keys the X-Frontdesk-Signature of every event (WEBHOOK_SIGNING_SECRET):
	// at least 16 characters. Required.
	SigningSecret string
	// RetryFor is how long after an event happened a failed delivery is still worth
	// retrying (1h); after that it fails for good (WEBHOOK_RETRY_FOR).
	RetryFor time.Duration
	// Timeout bounds each request (10s).
	Timeout time.Duration
	// HTTPClient sends the requests; by default one that does not follow redirects and
	// keeps its connections (httpsrc.NoRedirects).
	HTTPClient *http.Client
}

func (c *ClientConfig) setDefaults() {
	if c.RetryFor == 0 {
		c.RetryFor = time.Hour
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
}

// Validate reports every problem with c, once defaults are applied. The settings an
// operator sets are checked as Config.Validate checks them (connector.go).
func (c ClientConfig) Validate() error {
	c.setDefaults()
	errs := []error{
		setting.Named("WEBHOOK_CALLBACK_URL", checkCallbackURL(c.CallbackURL)),
		setting.Named("WEBHOOK_SIGNING_SECRET", checkSigningSecret(c.SigningSecret)),
		setting.Named("WEBHOOK_RETRY_FOR", setting.PositiveDuration(c.RetryFor)),
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s must be positive", c.Timeout))
	}
	return setting.Prefixed("webhook", errs)
}

// Client delivers the live chat's turns to the chatbot: it is the tickets.Source of
// webhook tickets. It does not take chats back (it is no tickets.HandBacker).
type Client struct {
	url      string
	secret   string
	retryFor time.Duration
	timeout  time.Duration
	hc       *http.Client
	log      *zap.Logger
	now      func() time.Time
}

var _ tickets.Source = (*Client)(nil)

// NewClient returns a client for the chatbot's callback URL.
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
		url: cfg.CallbackURL, secret: cfg.SigningSecret, retryFor: cfg.RetryFor, timeout: cfg.Timeout,
		hc: hc, log: log.Named("webhook"), now: time.Now,
	}, nil
}

// CarriesRating: the chatbot asks for the rating its own way (rating_question in the
// ended event) and sends the answer as a CSAT event. See tickets.RatingCarrier.
func (c *Client) CarriesRating() bool { return true }

// ChangesMessages: the chatbot is told of agents' edits and deletions (MESSAGE_EDITED,
// MESSAGE_DELETED; tickets.Changer).
func (c *Client) ChangesMessages() bool { return true }

// Deliver POSTs the event for out to the callback URL, signed, with key as its event_id
// and Idempotency-Key. A 2xx answer is success; a 429 is a *tickets.RetryAfterError; a
// 408, a 5xx or a network error is transient (plain error) until RetryFor has passed
// since out.At, and permanent after; any other answer is permanent, as is OutHandedBack.
func (c *Client) Deliver(ctx context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	if t == nil || key == "" {
		return tickets.Permanent(errors.New("webhook: deliver needs a ticket and a key"))
	}
	ev, typ, err := outboundEvent(t, out, key)
	if err != nil {
		return tickets.Permanent(err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return tickets.Permanent(fmt.Errorf("webhook: encode %s: %w", typ, err))
	}
	status, err := c.post(ctx, body, key)
	// Fields rather than a logger With them: With copies the encoder even when nothing is
	// logged at this level.
	fields := []zap.Field{zap.String("type", typ), zap.String("event_id", key), zap.Int64("ticket", t.Number), zap.Int("status", status)}
	if err == nil {
		c.log.Debug("event delivered", fields...)
		return nil
	}
	c.log.Debug("event not delivered", append(fields, zap.Error(err))...)
	return httpsrc.GiveUpAfter(err, out.At, c.now(), c.retryFor)
}

// post sends one signed request and classifies its outcome; status is 0 when there was
// no answer. The start of the answer's body is read (so that the connection can be
// reused) and not looked at.
func (c *Client) post(ctx context.Context, body []byte, key string) (status int, err error) {
	const (
		what           = "webhook: callback" // never the URL
		maxAnswerBytes = 64 << 10
	)
	ts := c.now().Unix()
	resp, err := httpsrc.Do(ctx, c.hc, httpsrc.Request{
		Method: http.MethodPost, URL: c.url, What: what, Body: body, MaxBody: maxAnswerBytes, Timeout: c.timeout,
		Header: http.Header{
			"User-Agent":            {userAgent},
			"Idempotency-Key":       {key},
			"X-Frontdesk-Timestamp": {strconv.FormatInt(ts, 10)},
			"X-Frontdesk-Signature": {Sign(c.secret, ts, body)},
		},
	})
	if err != nil {
		return 0, err
	}
	return resp.Status, httpsrc.Classify(what, resp.Status, resp.Header, c.now())
}
