package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// CountWaiting counts the pending tickets of the team whose ticketing channel is
// teamChannel: it reads every partition's open tickets (P{N}:open) and each one's status
// and team, in two pipelines. It is for an answer now and then (a mention of the app), not
// for every message.
func (r *Redis) CountWaiting(ctx context.Context, teamChannel string) (int, error) {
	pipe := r.c.Pipeline()
	opens := make([]*redis.StringSliceCmd, Partitions)
	for p := range Partitions {
		opens[p] = pipe.ZRange(ctx, r.keys.open(p), 0, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("store: count waiting in %s: %w", teamChannel, err)
	}
	pipe = r.c.Pipeline()
	var fields []*redis.SliceCmd
	for _, open := range opens {
		for _, id := range open.Val() {
			ref, err := parseID(tickets.ID(id))
			if err != nil {
				continue
			}
			fields = append(fields, pipe.HMGet(ctx, r.keys.ticket(ref), "status", "team_channel"))
		}
	}
	if len(fields) == 0 {
		return 0, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("store: count waiting in %s: %w", teamChannel, err)
	}
	n := 0
	for _, f := range fields {
		v := f.Val()
		if len(v) == 2 && v[0] == string(tickets.StatusPending) && v[1] == teamChannel {
			n++
		}
	}
	return n, nil
}

// OpenTickets returns every open ticket: it reads every partition's open tickets
// (P{N}:open), then each one's HASH, transfers and cards, in two pipelines. See
// tickets.Store.
func (r *Redis) OpenTickets(ctx context.Context) ([]*tickets.Ticket, error) {
	pipe := r.c.Pipeline()
	opens := make([]*redis.StringSliceCmd, Partitions)
	for p := range Partitions {
		opens[p] = pipe.ZRange(ctx, r.keys.open(p), 0, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: open tickets: %w", err)
	}
	type reads struct {
		h         *redis.MapStringStringCmd
		transfers *redis.StringSliceCmd
		cards     *redis.MapStringStringCmd
	}
	pipe = r.c.Pipeline()
	var all []reads
	for _, open := range opens {
		for _, id := range open.Val() {
			ref, err := parseID(tickets.ID(id))
			if err != nil {
				continue
			}
			all = append(all, reads{pipe.HGetAll(ctx, r.keys.ticket(ref)), pipe.LRange(ctx, r.keys.transfers(ref), 0, -1),
				pipe.HGetAll(ctx, r.keys.cards(ref))})
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: open tickets: %w", err)
	}
	out := make([]*tickets.Ticket, 0, len(all))
	for _, rd := range all {
		h := rd.h.Val()
		if len(h) == 0 {
			continue // gone meanwhile
		}
		t, err := decodeTicket(h, rd.transfers.Val(), rd.cards.Val(), nil)
		if err != nil {
			return nil, fmt.Errorf("store: open tickets: corrupt ticket %s: %w", h["id"], err)
		}
		if t.IsOpen() {
			out = append(out, t)
		}
	}
	return out, nil
}
