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
