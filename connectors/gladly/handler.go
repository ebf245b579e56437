package gladly

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
)

// Queue keeps the events the Handler takes until the Processor has worked through them
// (store.Redis).
type Queue interface {
	// Enqueue records event eventID of a source conversation with its payload as it came,
	// once: an eventID enqueued before is not enqueued again (added=false). Events are
	// worked through in order per conversation, with retries. Returns tickets.ErrInvalid
	// for ids it cannot take.
	Enqueue(ctx context.Context, source, conversationID, eventID, payload string) (added bool, err error)
}

// Handler serves Gladly's webhooks at Path (see docs/gladly.md). It never calls Gladly:
// it checks and queues the event, and answers at once (Gladly gives up on an answer after
// 15 s and retries a failed delivery). Every answer is JSON; a refused request changes
// nothing.
type Handler struct {
	q          Queue
	log        *zap.Logger
	accountSum [sha256.Size]byte
	basic      bool
	userSum    [sha256.Size]byte
	passSum    [sha256.Size]byte
}

// newHandler returns the handler for Gladly's webhooks, which it queues in q; Connect
// checked cfg.
func newHandler(cfg Config, q Queue, log *zap.Logger) (*Handler, error) {
	if q == nil {
		return nil, errors.New("gladly: the webhook needs the inbound queue (Deps.Queue)")
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Handler{
		q: q, log: log.Named("gladly"),
		accountSum: sha256.Sum256([]byte(cfg.AccountID)),
		basic:      cfg.WebhookUser != "",
		userSum:    sha256.Sum256([]byte(cfg.WebhookUser)),
		passSum:    sha256.Sum256([]byte(cfg.WebhookPassword)),
	}, nil
}

// result is the answer to a webhook taken. Gladly reads only the status; the body helps
// whoever debugs a delivery.
type result struct {
	OK        bool `json:"ok,omitempty"`        // PING
	Queued    bool `json:"queued,omitempty"`    // queued for the Processor
	Duplicate bool `json:"duplicate,omitempty"` // queued before: a redelivery
	Ignored   bool `json:"ignored,omitempty"`   // a type Frontdesk does not handle
}

// ServeHTTP checks, in order, the method (405), the X-Account-Identifier header and the
// Basic credentials when configured (401), the size (413) and the envelope (400), then
// queues the event.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := h.read(w, r)
	if err != nil {
		h.fail(w, nil, err)
		return
	}
	e, err := parseEnvelope(body)
	if err != nil {
		h.fail(w, nil, &httpsrc.RequestError{Status: http.StatusBadRequest, Msg: err.Error()})
		return
	}
	var res result
	switch {
	case e.Type == typePing:
		res.OK = true
	case !handled(e.Type):
		res.Ignored = true
	case e.Content.ConversationID == "":
		h.fail(w, e, httpsrc.BadRequest("a %s event needs content.conversationId", e.Type))
		return
	default:
		added, err := h.q.Enqueue(r.Context(), Source, e.Content.ConversationID, e.ID, string(body))
		if err != nil {
			h.fail(w, e, err)
			return
		}
		res.Queued, res.Duplicate = added, !added
	}
	h.log.Debug("event taken", zap.String("type", e.Type), zap.String("event", e.ID),
		zap.String("conversation", e.Content.ConversationID), zap.Bool("queued", res.Queued),
		zap.Bool("duplicate", res.Duplicate), zap.Bool("ignored", res.Ignored))
	httpsrc.WriteJSON(w, http.StatusOK, res)
}

// read checks the method and the credentials and reads the body. Any content type is
// taken as long as the body is JSON.
func (h *Handler) read(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &httpsrc.RequestError{Status: http.StatusMethodNotAllowed, Msg: "method_not_allowed"}
	}
	if !h.authorized(r) {
		if h.basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="frontdesk"`)
		}
		return nil, errUnauthorized
	}
	return httpsrc.ReadBody(w, r, maxBodyBytes)
}

// authorized compares the X-Account-Identifier header, and the Basic credentials when
// configured, with the configured ones in constant time: it compares SHA-256 digests, so
// not even their lengths leak. Every comparison is made whatever the others gave.
func (h *Handler) authorized(r *http.Request) bool {
	account := sha256.Sum256([]byte(r.Header.Get("X-Account-Identifier")))
	ok := subtle.ConstantTimeCompare(account[:], h.accountSum[:])
	if h.basic {
		user, pass, given := r.BasicAuth()
		us, ps := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
		ok &= subtle.ConstantTimeCompare(us[:], h.userSum[:])
		ok &= subtle.ConstantTimeCompare(ps[:], h.passSum[:])
		if !given {
			ok = 0
		}
	}
	return ok == 1
}

// fail answers err through errorTable. Only an internal error is logged above debug
// level, with ids and never the request's body or credentials.
func (h *Handler) fail(w http.ResponseWriter, e *envelope, err error) {
	status, msg, internal := httpsrc.ErrorStatus(err, errorTable)
	fields := []zap.Field{zap.Int("status", status)}
	if e != nil {
		fields = append(fields, zap.String("type", e.Type), zap.String("event", e.ID),
			zap.String("conversation", e.Content.ConversationID))
	}
	if internal {
		h.log.Error("event not queued", append(fields, zap.Error(err))...)
	} else {
		h.log.Debug("event refused", append(fields, zap.String("error", msg))...)
	}
	httpsrc.WriteJSON(w, status, errorBody{Error: msg})
}
