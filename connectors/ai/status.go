package ai

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The ticket's AI status (tickets.SyncStatus under the sink's Name) is recorded only when
// agents need it: when the endpoint refuses a parameter of the request, no ticket will
// get suggestions until an operator changes the AI settings, and the status says what to
// change. It is cleared (Synced) by the next answer for that ticket. A ticket that never
// had a refusal has no AI status at all.

// refused logs rp, the endpoint's refusal of a parameter, saying what to change, and
// records it as t's AI status. It returns err (permanent: asking again the same way
// fails the same way), or a retryable error when the status could not be recorded.
func (s *Sink) refused(ctx context.Context, t *tickets.Ticket, ev tickets.Event, rp *refusedParam, err error) error {
	reason := s.refusedReason(rp)
	s.log.Error("the AI endpoint refused a parameter of the request: no suggestions until the AI settings change",
		ticketField(t), eventField(ev), zap.String("model", s.cfg.Model), zap.String("param", rp.param),
		zap.String("code", rp.code), zap.String("reason", reason), zap.Error(err))
	st := tickets.SyncStatus{Reason: reason, LastEvent: ev.ID, At: s.now()}
	if serr := s.store.SetSync(ctx, t.ID, Name, st); serr != nil && !errors.Is(serr, tickets.ErrNotFound) {
		return fmt.Errorf("ai: record the AI status: %w", serr)
	}
	return err
}

// refusedReason says, for operators and agents, which parameter the endpoint refused and
// what to change. It names the parameter only as refusedParam does (a safe name).
func (s *Sink) refusedReason(rp *refusedParam) string {
	what := rp.what()
	if rp.code != "" {
		what += " (" + rp.code + ")"
	}
	var todo string
	switch {
	case rp.param == "temperature" && s.cfg.Temperature != nil:
		todo = "This model takes only its default temperature: unset AI_TEMPERATURE."
	case rp.param == "temperature":
		todo = "Frontdesk sends none (AI_TEMPERATURE is unset): something between Frontdesk and the model adds it; check AI_BASE_URL."
	case rp.param != "":
		todo = "Frontdesk needs it: choose a model that takes it (AI_MODEL)."
	default:
		todo = "Check AI_TEMPERATURE and AI_MODEL."
	}
	return "The AI endpoint refused " + what + ". " + todo
}

// answered clears t's AI status when it records a refusal: the endpoint answered again.
// A failure to record that is only logged; the answer is used all the same.
func (s *Sink) answered(ctx context.Context, t *tickets.Ticket, ev tickets.Event) {
	prev, ok := t.Syncs[Name]
	if !ok || !prev.Failing() {
		return
	}
	st := tickets.SyncStatus{Synced: true, LastEvent: ev.ID, At: s.now()}
	if err := s.store.SetSync(ctx, t.ID, Name, st); err != nil && !errors.Is(err, tickets.ErrNotFound) {
		s.log.Warn("could not record that the AI endpoint answers again", ticketField(t), eventField(ev), zap.Error(err))
	}
}
