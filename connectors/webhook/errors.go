package webhook

import (
	"fmt"
	"net/http"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// errNoClosedTicket is what tickets.ErrNotFound means for a CSAT: there is no closed
// ticket to rate. It wraps ErrNotFound, so it must come first in errorTable.
var errNoClosedTicket = fmt.Errorf("%w: no closed ticket", tickets.ErrNotFound)

// errNoSuchMessage: an edit or deletion names a message_id the open ticket never took.
var errNoSuchMessage = fmt.Errorf("%w: no such message", tickets.ErrNotFound)

// errorTable maps the ticket service's outcomes to HTTP statuses, first match wins. An
// empty code means the body says what the error says (without the "tickets: invalid
// input: " prefix). Any other error is a 500 "internal".
var errorTable = []httpsrc.ErrorRule{
	{Err: errNoClosedTicket, Status: http.StatusNotFound, Code: "no_closed_ticket"},
	{Err: errNoSuchMessage, Status: http.StatusNotFound, Code: "no_such_message"},
	{Err: tickets.ErrNotFound, Status: http.StatusNotFound, Code: "no_open_ticket"},
	{Err: tickets.ErrClosed, Status: http.StatusNotFound, Code: "no_open_ticket"},
	{Err: tickets.ErrInvalid, Status: http.StatusBadRequest, Code: ""},
	{Err: tickets.ErrNotConfigured, Status: http.StatusServiceUnavailable, Code: "not_configured"},
}

type errorBody struct {
	Error string `json:"error"`
}
