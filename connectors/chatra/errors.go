package chatra

import (
	"net/http"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// errNotFound answers a wrong or missing token, exactly as an unknown path would be.
var errNotFound = &httpsrc.RequestError{Status: http.StatusNotFound, Msg: "not_found"}

// errorTable maps the ticket service's outcomes to HTTP statuses, first match wins. An
// empty code means the body says what the error says (without the "tickets: invalid
// input: " prefix). Any other error is a 500 "internal".
var errorTable = []httpsrc.ErrorRule{
	{Err: tickets.ErrInvalid, Status: http.StatusBadRequest, Code: ""},
	{Err: tickets.ErrNotConfigured, Status: http.StatusServiceUnavailable, Code: "not_configured"},
	// The ticket closed twice while the handler worked on it: a retry opens a new one.
	{Err: tickets.ErrNotFound, Status: http.StatusConflict, Code: "no_open_ticket"},
	{Err: tickets.ErrClosed, Status: http.StatusConflict, Code: "no_open_ticket"},
}

type errorBody struct {
	Error string `json:"error"`
}
