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

// beatScript records a bot's heartbeat and the epoch it reads, forgets the bots whose
// latest heartbeat is too old (raising the epoch: they may have died with events in
// flight) and returns the epoch and how many bots are alive.
//
// KEYS[1] -> P{socket}:members
// KEYS[2] -> P{socket}:epoch
// KEYS[3] -> P{socket}:read
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
		redis.call('HDEL', KEYS[3], m)
	end
	epoch = redis.call('INCR', KEYS[2])
else
	epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
end
redis.call('HSET', KEYS[3], ARGV[2], epoch)
return {epoch, redis.call('ZCARD', KEYS[1])}
`)

// unheardScript counts the bots other than one that have not read an epoch yet.
//
// KEYS[1] -> P{socket}:members
// KEYS[2] -> P{socket}:read
// ARGV[1] -> the member asking
// ARGV[2] -> the epoch
var unheardScript = redis.NewScript(`
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
	if m ~= ARGV[1] and tonumber(redis.call('HGET', KEYS[2], m) or '0') < tonumber(ARGV[2]) then
		n = n + 1
	end
end
return n
`)

// BeatSocket records that member (one running bot) is alive at now, raises the socket
// epoch when another member's latest heartbeat is more than stale old (it stopped
// without leaving), and returns the epoch and how many members are alive, member
// included.
func (r *Redis) BeatSocket(ctx context.Context, member string, now time.Time, stale time.Duration) (epoch int64, alive int, err error) {
	res, err := beatScript.Run(ctx, r.c, []string{r.keys.socketMembers(), r.keys.socketEpoch(), r.keys.socketRead()},
		now.UnixMilli(), member, now.Add(-stale).UnixMilli()).Int64Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("the script answered %d values", len(res))
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: socket heartbeat: %w", err)
	}
	return res[0], int(res[1]), nil
}

// SocketUnheard returns how many running bots other than member have not read epoch (or
// a later one) at a heartbeat yet.
func (r *Redis) SocketUnheard(ctx context.Context, member string, epoch int64) (int, error) {
	n, err := unheardScript.Run(ctx, r.c, []string{r.keys.socketMembers(), r.keys.socketRead()}, member, epoch).Int()
	if err != nil {
		return 0, fmt.Errorf("store: socket epoch readers: %w", err)
	}
	return n, nil
}

// LeaveSocket forgets member, which stops cleanly: its heartbeats stopping is no sign of
// events lost (it raised the epoch itself before its connection closed).
func (r *Redis) LeaveSocket(ctx context.Context, member string) error {
	_, err := r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, r.keys.socketMembers(), member)
		p.HDel(ctx, r.keys.socketRead(), member)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: socket leave: %w", err)
	}
	return nil
}
