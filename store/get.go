package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Get returns the ticket. Returns ErrNotFound.
func (r *Redis) Get(ctx context.Context, id tickets.ID) (*tickets.Ticket, error) {
	t, err := r.get(ctx, id)
	return t, wrapErr("get", id, err)
}

func (r *Redis) get(ctx context.Context, id tickets.ID) (*tickets.Ticket, error) {
	ref, err := parseID(id)
	if err != nil {
		return nil, err
	}
	var (
		h     *redis.MapStringStringCmd
		trs   *redis.StringSliceCmd
		cards *redis.MapStringStringCmd
		edits *redis.StringSliceCmd
	)
	_, err = r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		h = p.HGetAll(ctx, r.keys.ticket(ref))
		trs = p.LRange(ctx, r.keys.transfers(ref), 0, -1)
		cards = p.HGetAll(ctx, r.keys.cards(ref))
		edits = p.LRange(ctx, r.keys.edits(ref), 0, -1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(h.Val()) == 0 {
		return nil, tickets.ErrNotFound
	}
	t, err := decodeTicket(h.Val(), trs.Val(), cards.Val(), edits.Val())
	if err != nil {
		return nil, fmt.Errorf("corrupt ticket: %w", err)
	}
	return t, nil
}

// FindOpen returns the open ticket of a source conversation. Returns ErrNotFound.
func (r *Redis) FindOpen(ctx context.Context, source, conversationID string) (*tickets.Ticket, error) {
	key := r.keys.conv(PartitionOf(source, conversationID), source, conversationID)
	id, err := r.c.Get(ctx, key).Result()
	if err != nil {
		if err = notFound(err); err != tickets.ErrNotFound {
			err = fmt.Errorf("store: find open %s %s: %w", source, conversationID, err)
		}
		return nil, err
	}
	t, err := r.Get(ctx, tickets.ID(id))
	if err != nil {
		return nil, err
	}
	if !t.IsOpen() {
		return nil, tickets.ErrNotFound
	}
	r.open.put(key, t.ID) // for Inbound
	return t, nil
}

// FindByInbox returns the ticket whose inbox channel is channelID. Returns ErrNotFound.
func (r *Redis) FindByInbox(ctx context.Context, channelID string) (*tickets.Ticket, error) {
	id, err := r.c.Get(ctx, r.keys.inbox(channelID)).Result()
	if err != nil {
		if err = notFound(err); err != tickets.ErrNotFound {
			err = fmt.Errorf("store: find by inbox %s: %w", channelID, err)
		}
		return nil, err
	}
	return r.Get(ctx, tickets.ID(id))
}

// Messages returns the ticket's transcript in the order the messages were added.
// Returns ErrNotFound.
func (r *Redis) Messages(ctx context.Context, id tickets.ID) ([]tickets.Message, error) {
	ms, err := r.messages(ctx, id)
	return ms, wrapErr("messages", id, err)
}

func (r *Redis) messages(ctx context.Context, id tickets.ID) ([]tickets.Message, error) {
	ref, err := parseID(id)
	if err != nil {
		return nil, err
	}
	var (
		exists *redis.IntCmd
		list   *redis.StringSliceCmd
	)
	_, err = r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, r.keys.ticket(ref))
		list = p.LRange(ctx, r.keys.messages(ref), 0, -1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if exists.Val() == 0 {
		return nil, tickets.ErrNotFound
	}
	ms := make([]tickets.Message, 0, len(list.Val()))
	for i, s := range list.Val() {
		var m tickets.Message
		if err := unmarshalJSON([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("corrupt message %d: %w", i, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}
