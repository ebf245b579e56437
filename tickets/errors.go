package tickets

import (
	"errors"
	"fmt"
	"time"
)

// Domain outcomes. Adapters translate them at their edge (an ephemeral message in Slack,
// a status code in a webhook handler); none of them is an internal failure.
var (
	// ErrNotFound: no such ticket, no open ticket for that conversation, or no ticket for
	// that inbox channel.
	ErrNotFound = errors.New("tickets: not found")
	// ErrClosed: the ticket is closed; nothing more can happen to it.
	ErrClosed = errors.New("tickets: ticket is closed")
	// ErrNotActive: the operation needs an active ticket (e.g. an agent reply while the
	// ticket waits for a pick after a transfer).
	ErrNotActive = errors.New("tickets: ticket is not active")
	// ErrSameTeam: a pending ticket cannot be transferred to the team it waits in.
	ErrSameTeam = errors.New("tickets: ticket is already pending in that team")
	// ErrUnknownTeam: the channel is not one of the ticketing channels.
	ErrUnknownTeam = errors.New("tickets: not a ticketing channel")
	// ErrNotConfigured: there is no ticketing channel to put a ticket in.
	ErrNotConfigured = errors.New("tickets: no ticketing channel is configured")
	// ErrUnknownSource: no connector is registered under the ticket's source name.
	ErrUnknownSource = errors.New("tickets: unknown source")
	// ErrRated: the message did not ask for a human; it was the customer's rating of their
	// last chat (a reply of 1 to 5 to the "ended" message), recorded as its CSAT.
	ErrRated = errors.New("tickets: the message rated the last chat")
	// ErrNotRequester: only the customer who asked may do that (rate their request in a
	// customer channel, where others see the rating question too).
	ErrNotRequester = errors.New("tickets: only the requester may do that")
	// ErrSameStatus: the ticket is in that status already.
	ErrSameStatus = errors.New("tickets: ticket is in that status already")
	// ErrStale: the change was meant for a state the ticket has left since (a hold's
	// wake-up time for a hold ended or renewed).
	ErrStale = errors.New("tickets: ticket changed since")
	// ErrInvalid: the input is malformed; the wrapping error says what is wrong.
	ErrInvalid = errors.New("tickets: invalid input")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// AlreadyPickedError is returned by Pick when another pick won: By is the agent holding
// the ticket. It is a normal outcome of simultaneous clicks, not a failure.
type AlreadyPickedError struct {
	By Agent
}

func (e *AlreadyPickedError) Error() string {
	return fmt.Sprintf("tickets: already picked by %s", e.By.ID)
}

// IsAlreadyPicked reports whether err says the ticket was already picked, and by whom.
func IsAlreadyPicked(err error) (Agent, bool) {
	var e *AlreadyPickedError
	if errors.As(err, &e) {
		return e.By, true
	}
	return Agent{}, false
}

// Errors from side effects (Desk, Source, Sink calls) tell the outbox worker what to do:
// a plain error is retried with backoff; a PermanentError will fail the same way every
// time and is set aside as failed at once; a RetryAfterError asks for a given pause first.

// PermanentError marks a side effect that must not be retried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err (or an error it wraps) is permanent.
func IsPermanent(err error) bool {
	var e *PermanentError
	return errors.As(err, &e)
}

// NotStartedError is a transient failure before any side effect was attempted: the next
// attempt need not look for what this one may have done (it did nothing).
type NotStartedError struct{ Err error }

func (e *NotStartedError) Error() string { return "not started: " + e.Err.Error() }
func (e *NotStartedError) Unwrap() error { return e.Err }

// NotStarted marks err as a failure before any side effect was attempted.
func NotStarted(err error) error {
	if err == nil {
		return nil
	}
	return &NotStartedError{Err: err}
}

// IsNotStarted reports whether err (or an error it wraps) came before any side effect.
func IsNotStarted(err error) bool {
	var e *NotStartedError
	return errors.As(err, &e)
}

// RetryAfterError is a transient failure that names how long to wait (a 429's Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter reports the pause err asks for, if it asks for one.
func RetryAfter(err error) (time.Duration, bool) {
	var e *RetryAfterError
	if errors.As(err, &e) {
		return e.After, true
	}
	return 0, false
}

// isOutcome reports whether err is one of the domain outcomes above.
func isOutcome(err error) bool {
	if _, ok := IsAlreadyPicked(err); ok {
		return true
	}
	for _, e := range []error{ErrNotFound, ErrClosed, ErrNotActive, ErrSameTeam, ErrUnknownTeam, ErrNotConfigured, ErrUnknownSource, ErrInvalid, ErrRated,
		ErrSameStatus, ErrStale, ErrNotRequester} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// wrap passes domain outcomes through unchanged and names the operation on anything else.
func wrap(op string, err error) error {
	if err == nil || isOutcome(err) {
		return err
	}
	return fmt.Errorf("tickets: %s: %w", op, err)
}
