package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The bots of all replicas share a counter, the socket epoch, which each raises when one
// of the app's Socket Mode connections may have ended with events in flight; each
// replica then checks its inbox channels for agents' messages Slack has not sent yet
// (bot/gaps.go). A replica that dies without a word is noticed by its heartbeats
// stopping.

// BumpSocketEpoch raises the socket epoch and returns its new value.
func (r *Redis) BumpSocketEpoch(ctx context.Context) (int64, error) {
	n, err := r.c.Incr(ctx, r.keys.socketEpoch()).Result()
	if err != nil {
		return 0, fmt.Errorf("store: socket epoch: %w", err)
	}
	return n, nil
}

// SocketEpoch returns the socket epoch; 0 before the first bump.
func (r *Redis) SocketEpoch(ctx context.Context) (int64, error) {
	n, err := r.c.Get(ctx, r.keys.socketEpoch()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: socket epoch: %w", err)
	}
	return n, nil
}

// beatScript records a bot's heartbeat, forgets the bots whose latest heartbeat is too
// old (raising the epoch: they may have died with events in flight) and returns the epoch
// and how many bots are alive.
//
// KEYS[1] -> P{socket}:members
// KEYS[2] -> P{socket}:epoch
// ARGV[1] -> now, unix ms
// ARGV[2] -> the member
// ARGV[3] -> heartbeats at or before this (unix ms) are too old
var beatScript = redis.NewScript(`
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local epoch
if #gone > 0 then
	for _, m in ipairs(gone) do
		redis.call('ZREM', KEYS[1], m)
	end
	epoch = redis.call('INCR', KEYS[2])
else
	epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
end
return {epoch, redis.call('ZCARD', KEYS[1])}
`)

// BeatSocket records that member (one running bot) is alive at now, raises the socket
// epoch when another member's latest heartbeat is more than stale old (it stopped
// without leaving), and returns the epoch and how many members are alive, member
// included.
func (r *Redis) BeatSocket(ctx context.Context, member string, now time.Time, stale time.Duration) (epoch int64, alive int, err error) {
	res, err := beatScript.Run(ctx, r.c, []string{r.keys.socketMembers(), r.keys.socketEpoch()},
		now.UnixMilli(), member, now.Add(-stale).UnixMilli()).Int64Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("the script answered %d values", len(res))
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: socket heartbeat: %w", err)
	}
	return res[0], int(res[1]), nil
}

// LeaveSocket forgets member, which stops cleanly: its heartbeats stopping is no sign of
// events lost.
func (r *Redis) LeaveSocket(ctx context.Context, member string) error {
	if err := r.c.ZRem(ctx, r.keys.socketMembers(), member).Err(); err != nil {
		return fmt.Errorf("store: socket leave: %w", err)
	}
	return nil
}
