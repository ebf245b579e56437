package store

import (
	"context"
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// SetCard records card c, posted for event. Returns ErrNotFound when there is no such
// ticket.
func (r *Redis) SetCard(ctx context.Context, id tickets.ID, event string, c tickets.Card) error {
	ref, err := r.existing(ctx, id)
	if err == nil {
		err = r.c.HSet(ctx, r.keys.cards(ref), event, mustJSON(c)).Err()
	}
	return wrapErr("set card", id, err)
}

// CardOf returns the card posted for event. Returns ErrNotFound when none was.
func (r *Redis) CardOf(ctx context.Context, id tickets.ID, event string) (tickets.Card, error) {
	ref, err := parseID(id)
	if err != nil {
		return tickets.Card{}, err
	}
	s, err := r.c.HGet(ctx, r.keys.cards(ref), event).Result()
	if err != nil {
		return tickets.Card{}, wrapErr("card of", id, notFound(err))
	}
	var c tickets.Card
	if err := unmarshalJSON([]byte(s), &c); err != nil {
		return tickets.Card{}, fmt.Errorf("store: card of %s: corrupt card: %w", id, err)
	}
	return c, nil
}

// SetInbox records the ticket's inbox channel so that FindByInbox finds it. The index is
// written first: if the second write is lost, the ticket shows no inbox and the caller
// sets it again, which repairs it. Returns ErrNotFound when there is no such ticket.
func (r *Redis) SetInbox(ctx context.Context, id tickets.ID, channelID string) error {
	ref, err := r.existing(ctx, id)
	if err == nil {
		err = r.c.Set(ctx, r.keys.inbox(channelID), string(id), 0).Err()
	}
	if err == nil {
		err = r.c.HSet(ctx, r.keys.ticket(ref), "inbox", channelID).Err()
	}
	return wrapErr("set inbox", id, err)
}

// existing parses id and checks that the ticket exists. Tickets are never deleted, so
// the answer stays true.
func (r *Redis) existing(ctx context.Context, id tickets.ID) (ref, error) {
	ref, err := parseID(id)
	if err != nil {
		return ref, err
	}
	n, err := r.c.Exists(ctx, r.keys.ticket(ref)).Result()
	if err == nil && n == 0 {
		err = tickets.ErrNotFound
	}
	return ref, err
}
