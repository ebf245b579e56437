package tickets

import "context"

// Transfer moves a ticket to the team whose ticketing channel is toChannel: it becomes
// pending there with a new card, the assignee is released, and the inbox channel is kept so
// that whoever picks it next joins the same history. An active ticket may go back to its
// own team (released for someone else to pick). Returns ErrInvalid, ErrUnknownTeam,
// ErrNotFound, ErrClosed, or ErrSameTeam when the ticket is already pending in that team.
func (s *Service) Transfer(ctx context.Context, id ID, toChannel string, by Agent) (*Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	team, ok := st.TeamByChannel(toChannel)
	if !ok {
		return nil, ErrUnknownTeam
	}
	t, err := s.store.Transfer(ctx, id, team, by, s.now())
	if err != nil {
		return t, wrap("transfer", err)
	}
	from := t.Team
	if n := len(t.Transfers); n > 0 {
		from = t.Transfers[n-1].From
	}
	s.obs.TicketTransferred(t, from)
	return t, nil
}
