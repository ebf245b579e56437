package gladly

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// requestError is a webhook the handler refuses before it reaches the queue.
type requestError struct {
	status int
	msg    string // the "error" of the response body
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

var errUnauthorized = &requestError{status: http.StatusUnauthorized, msg: "unauthorized"}

// errorTable maps the queue's outcomes to HTTP statuses, first match wins. An empty code
// means the body says what the error says (without the "tickets: invalid input: "
// prefix). Any other error is a 500 "internal", which Gladly retries.
var errorTable = []struct {
	err    error
	status int
	code   string
}{
	{tickets.ErrInvalid, http.StatusBadRequest, ""},
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
