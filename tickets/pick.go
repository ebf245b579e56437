package tickets

import (
	"context"
	"strings"
)

func validAgent(a Agent) error {
	if strings.TrimSpace(string(a.ID)) == "" {
		return invalidf("agent id is required")
	}
	if len(a.ID) > maxIDBytes || len(a.Name) > maxFieldBytes {
		return invalidf("agent id or name is too long")
	}
	return nil
}

// Pick gives a pending ticket to agent: it becomes active, the inbox channel is opened
// (or reopened, after a transfer) with the agent in it, messages held while pending are
// replayed there and the customer is told. However many agents click at once on however
// many replicas, exactly one wins. Returns ErrInvalid, ErrNotFound, ErrClosed, or
// *AlreadyPickedError (see IsAlreadyPicked) naming the agent who has it.
func (s *Service) Pick(ctx context.Context, id ID, agent Agent) (*Ticket, error) {
	if err := validAgent(agent); err != nil {
		return nil, err
	}
	t, err := s.store.Pick(ctx, id, agent, s.now())
	if err != nil {
		return t, wrap("pick", err)
	}
	s.observePick(t)
	return t, nil
}
