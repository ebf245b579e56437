package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// requestError is a request the handler refuses before it reaches the ticket service.
type requestError struct {
	status int
	msg    string // the "error" of the response body
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// errNoClosedTicket is what tickets.ErrNotFound means for a CSAT: there is no closed
// ticket to rate. It wraps ErrNotFound, so it must come first in errorTable.
var errNoClosedTicket = fmt.Errorf("%w: no closed ticket", tickets.ErrNotFound)

// errorTable maps the ticket service's outcomes to HTTP statuses, first match wins. An
// empty code means the body says what the error says (without the "tickets: invalid
// input: " prefix). Any other error is a 500 "internal".
var errorTable = []struct {
	err    error
	status int
	code   string
}{
	{errNoClosedTicket, http.StatusNotFound, "no_closed_ticket"},
	{tickets.ErrNotFound, http.StatusNotFound, "no_open_ticket"},
	{tickets.ErrClosed, http.StatusNotFound, "no_open_ticket"},
	{tickets.ErrInvalid, http.StatusBadRequest, ""},
	{tickets.ErrNotConfigured, http.StatusServiceUnavailable, "not_configured"},
}

// errorStatus returns the status and body message for err, and whether it is internal.
func errorStatus(err error) (status int, msg string, internal bool) {
	var re *requestError
	if errors.As(err, &re) {
		return re.status, re.msg, false
	}
	for _, e := range errorTable {
		if !errors.Is(err, e.err) {
			continue
		}
		if e.code != "" {
			return e.status, e.code, false
		}
		return e.status, strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": "), false
	}
	return http.StatusInternalServerError, "internal", true
}

type errorBody struct {
	Error string `json:"error"`
}
