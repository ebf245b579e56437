package outbox

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// renewScript extends a lease if it is still ours.
//
// KEYS[1] -> P+"lease:<group>:<N>"
// ARGV[1] -> our consumer name
// ARGV[2] -> the lease's TTL, ms
//
// Returns 1 renewed | 0 not ours (expired, or taken by another consumer).
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// releaseScript deletes a lease if it is still ours.
//
// KEYS[1] -> P+"lease:<group>:<N>"
// ARGV[1] -> our consumer name
//
// Returns 1 released | 0 not ours.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// acquire takes partition p's lease if nobody holds it.
func (w *Worker) acquire(ctx context.Context, p int) (bool, error) {
	return w.c.SetNX(ctx, w.s.Lease(w.group, p), w.cfg.Consumer, w.cfg.LeaseTTL).Result()
}

// renew extends partition p's lease; false means it is no longer ours.
func (w *Worker) renew(ctx context.Context, p int) (bool, error) {
	n, err := renewScript.Run(ctx, w.c, []string{w.s.Lease(w.group, p)},
		w.cfg.Consumer, w.cfg.LeaseTTL.Milliseconds()).Int64()
	return n == 1, err
}

// release gives partition p's lease up, if it is still ours.
func (w *Worker) release(p int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := releaseScript.Run(ctx, w.c, []string{w.s.Lease(w.group, p)}, w.cfg.Consumer).Err(); err != nil {
		w.log.Warn("release lease", zapPartition(p), zap.Error(err))
	}
}

// keepLease renews partition p's lease every LeaseTTL/3 until ctx ends. When a renewal
// fails it calls lost at once: another consumer may hold the partition now.
func (w *Worker) keepLease(ctx context.Context, p int, lost func()) {
	t := time.NewTicker(w.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, w.cfg.LeaseTTL/3)
		ok, err := w.renew(rctx, p)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if !ok || err != nil {
			w.log.Warn("lost lease", zapPartition(p), zap.Error(err))
			lost()
			return
		}
	}
}
