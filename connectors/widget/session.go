package widget

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/connectors/internal/keyrate"
)

// sessionBody is the answer to a new session: the new visitor's token.
type sessionBody struct {
	Token string `json:"token"`
}

type errorBody struct {
	Error string `json:"error"`
}

func writeError(rw http.ResponseWriter, status int, code string) {
	httpsrc.WriteJSON(rw, status, errorBody{Error: code})
}

// allowedOrigin reports whether origin is one of the configured ones, exactly.
func (w *Widget) allowedOrigin(origin string) bool {
	return origin != "" && slices.Contains(w.origins, origin)
}

// cors lets an allowed origin's script read the answer; false (and a 403 answered) for
// any other origin.
func (w *Widget) cors(rw http.ResponseWriter, r *http.Request) bool {
	rw.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if !w.allowedOrigin(origin) {
		writeError(rw, http.StatusForbidden, "origin_not_allowed")
		return false
	}
	rw.Header().Set("Access-Control-Allow-Origin", origin)
	return true
}

// serveSession issues a new visitor's token to a script on an allowed origin. Its body,
// if any, is ignored (the script sends none, so browsers need no preflight).
func (w *Widget) serveSession(rw http.ResponseWriter, r *http.Request) {
	if !w.cors(rw, r) {
		return
	}
	ip := w.clientIP(r)
	for _, l := range []*keyrate.Limits{w.ips, w.sessions} {
		if ok, wait := l.Allow(ip); !ok {
			rw.Header().Set("Retry-After", strconv.FormatInt(retryAfter(wait), 10))
			writeError(rw, http.StatusTooManyRequests, "rate_limited")
			return
		}
	}
	rw.Header().Set("Cache-Control", "no-store")
	httpsrc.WriteJSON(rw, http.StatusCreated, sessionBody{Token: w.signer.issue(newVisitorID(), w.now())})
}

// servePreflight answers a CORS preflight for the session endpoint.
func (w *Widget) servePreflight(rw http.ResponseWriter, r *http.Request) {
	if !w.cors(rw, r) {
		return
	}
	rw.Header().Set("Access-Control-Allow-Methods", "POST")
	rw.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	rw.Header().Set("Access-Control-Max-Age", "600")
	rw.WriteHeader(http.StatusNoContent)
}
