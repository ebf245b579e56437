package tickets

import (
	"context"
	"errors"
	"time"
)

// CauseReopen: the customer wrote again within the team's reopen window after the
// ticket closed (SLAPolicy.ReopenWindow): the same ticket opens again.
const CauseReopen = "reopen"

// MaxReopenWindow bounds a team's reopen window.
const MaxReopenWindow = 30 * 24 * time.Hour

// reopen reopens the last closed ticket of in's conversation for in's new request, when
// its team reopens tickets (SLAPolicy.ReopenWindow), it closed within that window and it
// did not go back to the source's own desk, and reports whether it did. The ticket is
// active again with the agent who had it (pending again when no one had), in the same
// team, with the same card and inbox channel (kept open for the window: keepInbox).
func (s *Service) reopen(ctx context.Context, in Inbound) (bool, error) {
	last, err := s.store.FindLastClosed(ctx, in.Source, in.ConversationID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil || last.Status != StatusClosed || last.HandedBack {
		return false, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return false, err
	}
	window := st.reopenWindow(last.Team.ChannelID)
	if _, ok := st.TeamByChannel(last.Team.ChannelID); !ok || window <= 0 || s.now().Sub(last.ClosedAt) > window {
		return false, nil
	}
	_, err = s.store.Reopen(ctx, last.ID, s.now())
	if errors.Is(err, ErrStale) || errors.Is(err, ErrNotFound) {
		return false, nil // another ticket opened for the conversation, or it is gone
	}
	return err == nil, err
}

// reopenWindow is how long after a close the team whose ticketing channel is channel
// reopens a ticket its customer writes to; 0 when it does not.
func (s *Settings) reopenWindow(channel string) time.Duration {
	p, _ := s.SLAFor(channel)
	return p.ReopenWindow
}

// keepInbox is how long after closing event ev ticket t's inbox channel stays open before
// it is archived: for the customer's rating (RatingWindow, when they are asked) and for a
// reopen (the team's reopen window), whichever is longer; 0: archived at once. A bot
// cannot unarchive a channel (conversations.unarchive refuses bot tokens), so a ticket
// reopens only into an inbox channel kept open.
func (s *Service) keepInbox(ctx context.Context, t *Ticket, ev Event) (time.Duration, error) {
	var keep time.Duration
	if s.asksRating(ev) {
		keep = s.rating
	}
	if ev.HandedBack {
		return keep, nil
	}
	st, err := s.recentSettings(ctx)
	if err != nil {
		return 0, err
	}
	return max(keep, st.reopenWindow(t.Team.ChannelID)), nil
}
