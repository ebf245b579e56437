package tickets

import (
	"context"
	"slices"
	"time"
)

// Queues are what an agent's App Home lists: the open tickets the agent has, and each
// team's open tickets, soonest due first (Ticket.Due filled), then the oldest.
type Queues struct {
	Mine  []*Ticket
	Teams []TeamQueue
}

// TeamQueue is one team's open tickets.
type TeamQueue struct {
	Team    Team
	Tickets []*Ticket
}

// Queues returns agent's queues. It reads every open ticket: for a view now and then.
func (s *Service) Queues(ctx context.Context, agent AgentID) (Queues, error) {
	all, err := s.store.OpenTickets(ctx)
	if err != nil {
		return Queues{}, wrap("queues", err)
	}
	st, err := s.recentSettings(ctx)
	if err != nil {
		return Queues{}, err
	}
	now := s.now()
	for _, t := range all {
		if p, ok := st.SLAFor(t.Team.ChannelID); ok {
			t.Due = p.DueClocks(t, now)
		}
	}
	slices.SortStableFunc(all, func(a, b *Ticket) int {
		da, db := nextDue(a), nextDue(b)
		switch {
		case !da.IsZero() && !db.IsZero():
			if c := da.Compare(db); c != 0 {
				return c
			}
		case !da.IsZero():
			return -1
		case !db.IsZero():
			return 1
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	var q Queues
	for _, t := range all {
		if t.Status.Picked() && t.Assignee.ID == agent {
			q.Mine = append(q.Mine, t)
		}
	}
	for _, team := range st.TicketingChannels {
		tq := TeamQueue{Team: team}
		for _, t := range all {
			if t.Team.ChannelID == team.ChannelID {
				tq.Tickets = append(tq.Tickets, t)
			}
		}
		q.Teams = append(q.Teams, tq)
	}
	return q, nil
}

// nextDue is when t's soonest running clock falls due; zero when none runs.
func nextDue(t *Ticket) time.Time {
	for _, c := range t.Due {
		if !c.Paused {
			return c.Due // Due is soonest first
		}
	}
	return time.Time{}
}
