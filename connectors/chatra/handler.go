package chatra

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Tickets is the part of the ticket service the handler uses (tickets.Service): the one
// inbound use case, and a ticket's transcript for the ids of messages that come with
// neither an id nor a time (msgid.go).
type Tickets interface {
	// Inbound applies what a webhook says happened. Returns tickets.ErrInvalid,
	// tickets.ErrNotConfigured, or tickets.ErrNotFound without an open ticket (and no
	// request to open one).
	Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error)
	// Transcript returns a ticket's messages in order. Returns tickets.ErrNotFound.
	Transcript(ctx context.Context, id tickets.ID) ([]tickets.Message, error)
}

var _ Tickets = (*tickets.Service)(nil)

// closeReason is why a ticket closes when Chatra's transcript says the chat is over.
const closeReason = "chat ended in Chatra"

// HandlerConfig configures the Handler.
type HandlerConfig struct {
	// Token is the secret last segment of the webhook URL (CHATRA_WEBHOOK_TOKEN): at least
	// 16 characters, without '/', '?', '#', '%', white space or control characters, so
	// that it stands in a URL path as it is. Required.
	Token string
	// Groups maps Chatra group ids to ticketing channel labels (CHATRA_GROUPS, see
	// ParseGroups).
	Groups map[string]string
	// DefaultLabel is the label of chats in no mapped group (CHATRA_DEFAULT_LABEL); empty
	// lets the ticket service pick its default team.
	DefaultLabel string
	// ReceivedFrom is the marker the Client puts on the messages it sends (the same value
	// as ClientConfig.ReceivedFrom, DefaultReceivedFrom when empty): agent messages that
	// carry it are echoes of Slack agents' replies and are dropped.
	ReceivedFrom string
	// Sent is the memory the Client notes the ids of the messages it sends in (the same
	// as ClientConfig.Sent): an agent message whose id is in it is the echo of one of them
	// and is dropped, whether or not it carries ReceivedFrom. nil turns this off.
	Sent Seen
}

func (c *HandlerConfig) setDefaults() {
	if c.ReceivedFrom == "" {
		c.ReceivedFrom = DefaultReceivedFrom
	}
}

// Validate reports every problem with c, once defaults are applied. The token is
// checked as Config.Validate checks it (connector.go), and never quoted.
func (c HandlerConfig) Validate() error {
	c.setDefaults()
	errs := []error{setting.Named("CHATRA_WEBHOOK_TOKEN", checkWebhookToken(c.Token)), checkMarker(c.ReceivedFrom)}
	for id, label := range c.Groups {
		if strings.TrimSpace(id) == "" || strings.TrimSpace(label) == "" {
			// ParseGroups never makes such a mapping; a caller that builds Groups may.
			errs = append(errs, errors.New("a group mapping has an empty group id or label (CHATRA_GROUPS)"))
			break
		}
	}
	return setting.Prefixed("chatra", errs)
}

// checkMarker checks the receivedFrom marker the Client and the Handler share.
func checkMarker(s string) error {
	if strings.TrimSpace(s) != s {
		return errors.New("the receivedFrom marker must not begin or end with white space")
	}
	return nil
}

// pathSafe reports whether s can be one segment of a URL path as it is.
func pathSafe(s string) bool {
	for _, c := range s {
		if strings.ContainsRune("/?#%", c) || unicode.IsSpace(c) || unicode.IsControl(c) {
			return false
		}
	}
	return true
}

// Handler serves Chatra's webhooks at PathPrefix+"{token}" (see docs/chatra.md). Every
// answer is JSON. Chatra's retry policy is unknown, so every event can be taken again
// with no further effect: a chat already has its ticket, a message already relayed is not
// relayed twice, and a ticket already closed is left alone.
type Handler struct {
	tk           Tickets
	log          *zap.Logger
	tokenSum     [sha256.Size]byte
	groups       map[string]string
	defaultLabel string
	marker       string
	sent         Seen
	now          func() time.Time
}

// NewHandler returns the handler for Chatra's webhooks, which it hands to tk.
func NewHandler(cfg HandlerConfig, tk Tickets, log *zap.Logger) (*Handler, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if tk == nil {
		return nil, errors.New("chatra: NewHandler needs the ticket service")
	}
	if log == nil {
		log = zap.NewNop()
	}
	groups := make(map[string]string, len(cfg.Groups))
	for id, label := range cfg.Groups {
		groups[strings.TrimSpace(id)] = strings.TrimSpace(label)
	}
	return &Handler{
		tk: tk, log: log.Named("chatra"), tokenSum: sha256.Sum256([]byte(cfg.Token)),
		groups: groups, defaultLabel: cfg.DefaultLabel, marker: cfg.ReceivedFrom, sent: cfg.Sent, now: time.Now,
	}, nil
}

// result is the answer to an event taken. Chatra is not known to read it; it helps
// whoever debugs a delivery.
type result struct {
	Ticket  int64  `json:"ticket,omitempty"`
	Added   int    `json:"added,omitempty"`   // messages relayed for the first time
	Closed  bool   `json:"closed,omitempty"`  // the transcript closed the ticket
	Ignored string `json:"ignored,omitempty"` // why nothing was done
}

// ServeHTTP checks, in order, the token (404, as for any unknown path), the method (405),
// the size (413) and the JSON (400) of the request, then hands the event to the ticket
// service.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		// Nothing is logged: a prober learns nothing, and no log line holds a token.
		httpsrc.WriteJSON(w, http.StatusNotFound, errorBody{Error: errNotFound.Msg})
		return
	}
	body, err := h.read(w, r)
	if err != nil {
		h.fail(w, nil, err)
		return
	}
	p, err := parsePayload(body)
	if err != nil {
		h.fail(w, nil, err)
		return
	}
	res, err := h.handle(r.Context(), p, body)
	if err != nil {
		h.fail(w, p, err)
		return
	}
	h.log.Debug("event taken", zap.String("event", p.event), zap.String("conversation", p.clientID),
		zap.Int("messages", len(p.messages)), zap.Int64("ticket", res.Ticket), zap.Int("added", res.Added),
		zap.Bool("closed", res.Closed), zap.String("ignored", res.Ignored))
	httpsrc.WriteJSON(w, http.StatusOK, res)
}

// authorized compares the token in the path with the configured one in constant time:
// it compares their SHA-256 digests, so not even the token's length leaks.
func (h *Handler) authorized(r *http.Request) bool {
	sum := sha256.Sum256([]byte(r.PathValue("token")))
	return subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) == 1
}

// read checks the method and reads the body. Any content type is taken as long as the
// body is JSON: what Chatra sends as Content-Type is not known (and may vary).
func (h *Handler) read(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &httpsrc.RequestError{Status: http.StatusMethodNotAllowed, Msg: "method_not_allowed"}
	}
	return httpsrc.ReadBody(w, r, maxBodyBytes)
}

// fail answers err through errorTable. Only an internal error is logged above debug
// level, with ids and never the request's text.
func (h *Handler) fail(w http.ResponseWriter, p *payload, err error) {
	status, msg, internal := httpsrc.ErrorStatus(err, errorTable)
	fields := []zap.Field{zap.Int("status", status)}
	if p != nil {
		fields = append(fields, zap.String("event", p.event), zap.String("conversation", p.clientID))
	}
	if internal {
		h.log.Error("event failed", append(fields, zap.Error(err))...)
	} else {
		h.log.Debug("event refused", append(fields, zap.String("error", msg))...)
	}
	httpsrc.WriteJSON(w, status, errorBody{Error: msg})
}
