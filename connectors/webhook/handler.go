package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/connectors/internal/keyrate"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Tickets is the part of the ticket service the handler uses (tickets.Service): the one
// inbound use case. It returns tickets.ErrInvalid, tickets.ErrNotConfigured, or
// tickets.ErrNotFound when the conversation has no open ticket (messages, an end) or no
// closed one (a rating).
type Tickets interface {
	Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error)
}

var _ Tickets = (*tickets.Service)(nil)

// HandlerConfig configures the Handler.
type HandlerConfig struct {
	// Token is the shared secret chatbots send as "Authorization: Bearer <Token>"
	// (WEBHOOK_TOKEN): at least 16 characters, without white space. Required.
	Token string
	// MemberRate is how many events per second one member (per app) may send on average
	// (5); MemberBurst how many they may send at once (20). Beyond that they get 429.
	MemberRate  rate.Limit
	MemberBurst int
	// MaxMembers bounds how many members' rates are tracked at a time (100000).
	MaxMembers int
}

func (c *HandlerConfig) setDefaults() {
	if c.MemberRate == 0 {
		c.MemberRate = 5
	}
	if c.MemberBurst == 0 {
		c.MemberBurst = 20
	}
	if c.MaxMembers == 0 {
		c.MaxMembers = 100_000
	}
}

// Validate reports every problem with c, once defaults are applied. The token is
// checked as Config.Validate checks it (connector.go).
func (c HandlerConfig) Validate() error {
	c.setDefaults()
	errs := []error{setting.Named("WEBHOOK_TOKEN", checkToken(c.Token))}
	if c.MemberRate < 0 || math.IsNaN(float64(c.MemberRate)) {
		errs = append(errs, fmt.Errorf("member rate %v must be positive", c.MemberRate))
	}
	if c.MemberBurst < 1 {
		errs = append(errs, fmt.Errorf("member burst %d must be at least 1", c.MemberBurst))
	}
	if c.MaxMembers < 1 {
		errs = append(errs, fmt.Errorf("max members %d must be at least 1", c.MaxMembers))
	}
	return setting.Prefixed("webhook", errs)
}

// Handler serves chatbots' events at Path (see docs/webhook.md). Every answer is JSON;
// an error changes nothing.
type Handler struct {
	tk       Tickets
	log      *zap.Logger
	tokenSum [sha256.Size]byte
	limits   *keyrate.Limits
}

// NewHandler returns the handler for chatbots' events, which it hands to tk.
func NewHandler(cfg HandlerConfig, tk Tickets, log *zap.Logger) (*Handler, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if tk == nil {
		return nil, errors.New("webhook: NewHandler needs the ticket service")
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Handler{
		tk:       tk,
		log:      log.Named("webhook"),
		tokenSum: sha256.Sum256([]byte(cfg.Token)),
		limits:   keyrate.New(cfg.MemberRate, cfg.MemberBurst, cfg.MaxMembers),
	}, nil
}

// ticketBody is the answer to an event taken.
type ticketBody struct {
	Ticket    int64          `json:"ticket"`
	Status    tickets.Status `json:"status,omitempty"`
	Duplicate bool           `json:"duplicate,omitempty"`
	CSAT      *csatBody      `json:"csat,omitempty"`
}

type csatBody struct {
	Rating int `json:"rating"`
}

// ServeHTTP checks, in order, the method (405), the token (401), the content type (415),
// the size (413) and the fields (400) of the request, then the member's rate (429), and
// only then hands the event to the ticket service.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, err := h.read(w, r)
	if err == nil {
		if ok, wait := h.limits.Allow(memberKey(in.App, in.Member)); !ok {
			w.Header().Set("Retry-After", strconv.FormatInt(keyrate.RetryAfterSeconds(wait), 10))
			err = &httpsrc.RequestError{Status: http.StatusTooManyRequests, Msg: "rate_limited"}
		}
	}
	if err != nil {
		h.fail(w, in, err)
		return
	}
	status, body, err := h.handle(r.Context(), in)
	if err != nil {
		h.fail(w, in, err)
		return
	}
	h.log.Debug("event taken", zap.String("type", in.Type), zap.String("conversation", in.conversation),
		zap.Int64("ticket", body.Ticket), zap.Int("status", status))
	httpsrc.WriteJSON(w, status, body)
}

// read checks the request and decodes its event.
func (h *Handler) read(w http.ResponseWriter, r *http.Request) (*inbound, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &httpsrc.RequestError{Status: http.StatusMethodNotAllowed, Msg: "method_not_allowed"}
	}
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="frontdesk"`)
		return nil, &httpsrc.RequestError{Status: http.StatusUnauthorized, Msg: "unauthorized"}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, &httpsrc.RequestError{Status: http.StatusUnsupportedMediaType, Msg: "unsupported_media_type"}
	}
	body, err := httpsrc.ReadBody(w, r, maxBodyBytes)
	if err != nil {
		return nil, err
	}
	return parseInbound(body)
}

// authorized compares the bearer token with the configured one in constant time: it
// compares their SHA-256 digests, so not even the token's length leaks.
func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	match := subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) == 1
	return match && strings.EqualFold(scheme, "Bearer")
}

// handle hands the event to the ticket service and says how to answer.
func (h *Handler) handle(ctx context.Context, in *inbound) (int, ticketBody, error) {
	res, err := h.tk.Inbound(ctx, in.ticketInbound())
	if in.Type == typeCSAT && errors.Is(err, tickets.ErrNotFound) {
		err = errNoClosedTicket // for a rating, "not found" means no closed ticket
	}
	if err != nil {
		return 0, ticketBody{}, err
	}
	t := res.State
	switch {
	case res.Rated:
		return http.StatusOK, ticketBody{Ticket: t.Number, CSAT: &csatBody{Rating: res.Ticket.CSAT.Rating}}, nil
	case in.Type == typeEnd:
		return http.StatusOK, ticketBody{Ticket: t.Number, Status: tickets.StatusClosed}, nil
	case res.Opened:
		return http.StatusAccepted, ticketBody{Ticket: t.Number, Status: t.Status}, nil
	case in.Type == typeMessage && res.Added == 0:
		return http.StatusOK, ticketBody{Ticket: t.Number, Status: t.Status, Duplicate: true}, nil
	case in.Type == typeMessage:
		return http.StatusAccepted, ticketBody{Ticket: t.Number, Status: t.Status}, nil
	case (in.Type == typeEdited || in.Type == typeDeleted) && res.Unknown > 0:
		return 0, ticketBody{}, errNoSuchMessage
	case (in.Type == typeEdited || in.Type == typeDeleted) && res.Changed == 0:
		return http.StatusOK, ticketBody{Ticket: t.Number, Status: t.Status, Duplicate: true}, nil
	}
	return http.StatusOK, ticketBody{Ticket: t.Number, Status: t.Status}, nil
}

// fail answers err through errorTable. Only an internal error is logged above debug
// level, with ids and never the request's text.
func (h *Handler) fail(w http.ResponseWriter, in *inbound, err error) {
	status, msg, internal := httpsrc.ErrorStatus(err, errorTable)
	fields := []zap.Field{zap.Int("status", status)}
	if in != nil {
		fields = append(fields, zap.String("type", in.Type), zap.String("conversation", in.conversation))
	}
	if internal {
		h.log.Error("event failed", append(fields, zap.Error(err))...)
	} else {
		h.log.Debug("event refused", append(fields, zap.String("error", msg))...)
	}
	httpsrc.WriteJSON(w, status, errorBody{Error: msg})
}
