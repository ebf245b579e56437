package gladly

import (
	"net/http"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

var errUnauthorized = &httpsrc.RequestError{Status: http.StatusUnauthorized, Msg: "unauthorized"}

// errorTable maps the queue's outcomes to HTTP statuses, first match wins. An empty code
// means the body says what the error says (without the "tickets: invalid input: "
// prefix). Any other error is a 500 "internal", which Gladly retries.
var errorTable = []httpsrc.ErrorRule{
	{Err: tickets.ErrInvalid, Status: http.StatusBadRequest, Code: ""},
}

type errorBody struct {
	Error string `json:"error"`
}
