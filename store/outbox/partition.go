package outbox

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/store"
)

// runPartition works partition p whenever it holds the partition's lease, and tries to
// take the lease every LeaseTTL/3 while it does not, until ctx ends.
func (w *Worker) runPartition(ctx context.Context, p int) {
	for {
		ok, err := w.acquire(ctx, p)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("acquire lease", zapPartition(p), zap.Error(err))
		}
		if ok {
			w.work(ctx, p)
		}
		if !sleep(ctx, w.cfg.LeaseTTL/3) {
			return
		}
	}
}

// work works partition p while we hold its lease. It first takes over what the group's
// consumers read and never acknowledged, then reads new entries as they come, handing
// each to its ticket's queue (see queues), while fewer than MaxInFlight are in hand. Every
// LeaseTTL it takes over entries that have been idle that long and are not its own: those
// a consumer read after losing the lease. It returns when ctx ends, when the lease is
// lost, or on a Redis error, once the entries in hand are done or cut short; then it gives
// the lease up. The next holder (maybe us again) takes over whatever was left.
func (w *Worker) work(ctx context.Context, p int) {
	log := w.log.With(zapPartition(p))
	// hctx is for handler calls: it outlives ctx by ShutdownGrace, but ends at once when
	// the lease is lost. wctx ends with either, or on a bookkeeping failure: no new work
	// starts after it.
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(w.cfg.ShutdownGrace, cancel) })
	defer stop()
	wctx, cancelWork := context.WithCancel(ctx)
	defer cancelWork()
	context.AfterFunc(hctx, cancelWork)

	w.held[p].Store(true)
	renewing := make(chan struct{})
	go func() {
		defer close(renewing)
		w.keepLease(hctx, p, cancel)
	}()
	q := newQueues(w, p, wctx, hctx, cancelWork)
	go q.runAcks()
	defer func() {
		cancelWork()
		q.wg.Wait()
		q.stopAcks()
		w.held[p].Store(false)
		cancel()
		<-renewing // so that no renewal follows the release
		w.release(p)
	}()

	if err := w.createGroup(hctx, p); err != nil {
		log.Error("create consumer group", zap.Error(err))
		return
	}
	log.Debug("working partition")
	minIdle := time.Duration(0) // at first, everything pending: its consumer is gone
	var lastClaim time.Time
	firstLatest := true    // the latest events first read may have been an earlier holder's
	var lastTook time.Time // when a read last brought entries (BusyLinger)
	for wctx.Err() == nil {
		if time.Since(lastClaim) >= w.cfg.LeaseTTL {
			// What an earlier version left comes first: it is older.
			if err := w.finishLegacy(wctx, hctx, p, minIdle, q); err != nil {
				if hctx.Err() == nil {
					log.Error("take up the entries of the unrouted outbox", zap.Error(err))
				}
				return
			}
			if err := w.takeOver(hctx, p, minIdle, lastClaim.IsZero(), q); err != nil {
				if hctx.Err() == nil {
					log.Error("take over outbox entries", zap.Error(err))
				}
				return
			}
			if lastClaim.IsZero() {
				// The partitions' later claims are spread over LeaseTTL rather than all
				// at once, as the partitions were taken.
				lastClaim = time.Now().Add(-w.cfg.LeaseTTL * time.Duration(p) / store.Partitions)
			} else {
				lastClaim = time.Now()
			}
			minIdle = w.cfg.LeaseTTL
		}
		if q.size() >= w.cfg.MaxInFlight {
			q.waitRoom(wctx)
			continue
		}
		block := w.cfg.Block
		if w.cfg.Latest && w.cfg.Linger > 0 {
			block = min(block, w.cfg.Linger) // the latest events are looked for in between
		}
		msgs, err := w.read(hctx, w.stream(p), block)
		if err == nil {
			err = q.add(w.stream(p), msgs, false)
		}
		took := len(msgs)
		if err == nil && w.cfg.Latest {
			var n int
			n, err = w.takeLatest(q, p, firstLatest)
			took, firstLatest = took+n, false
		}
		if err != nil {
			if hctx.Err() == nil {
				log.Error("read outbox", zap.Error(err))
			}
			return
		}
		switch {
		case took > 0 && w.cfg.Linger > 0:
			sleep(wctx, w.cfg.Linger) // let more come, to be read together
		case took > 0 && w.cfg.BusyLinger > 0:
			now := time.Now()
			if now.Sub(lastTook) < w.cfg.BusyGap {
				sleep(wctx, w.cfg.BusyLinger) // busy: let a few more come, to be read together
			}
			lastTook = now
		}
	}
	if err := q.failure(); err != nil && hctx.Err() == nil && !errors.Is(err, errStopped) {
		log.Error("outbox bookkeeping failed; starting the partition over", zap.Error(err))
	}
}

// createGroup makes sure the group exists on partition p's stream.
func (w *Worker) createGroup(ctx context.Context, p int) error {
	err := w.c.XGroupCreateMkStream(ctx, w.stream(p), w.group, w.cfg.StartID).Err()
	if err != nil && strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return nil
	}
	return err
}

// takeOver queues the entries of partition p's stream pending in the group that have been
// idle at least minIdle, whoever read them (claimAll). On taking the partition (first),
// it queues them together with the entries waiting unread, so that a ticket's entries of
// both are ordered together (Config.WrittenAt).
func (w *Worker) takeOver(ctx context.Context, p int, minIdle time.Duration, first bool, q *queues) error {
	return q.claim(func() error {
		claimed, err := w.claimAll(ctx, w.stream(p), minIdle)
		if err != nil {
			return err
		}
		bs := []batch{{stream: w.stream(p), msgs: claimed, claimed: true}}
		if first {
			fresh, err := w.read(ctx, w.stream(p), -1)
			if err != nil {
				return err
			}
			bs = append(bs, batch{stream: w.stream(p), msgs: fresh})
		}
		if n := q.notHeld(claimed); n > 0 {
			w.log.Info("took over unacknowledged entries", zapPartition(p), zap.Int("entries", n))
		}
		return q.addBatches(bs...)
	})
}

// claimAll takes over and returns, in stream order, every entry of stream pending in the
// group that has been idle at least minIdle, whoever read it. A consumer that lost the
// lease stops its work at once, so what it read and did not acknowledge is ours to do;
// our own entries in hand (say, waiting to retry) come back too, and queues.add skips them.
func (w *Worker) claimAll(ctx context.Context, stream string, minIdle time.Duration) ([]redis.XMessage, error) {
	var all []redis.XMessage
	start := "0-0"
	for {
		msgs, next, err := w.c.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: stream, Group: w.group, Consumer: w.cfg.Consumer,
			Start: start, MinIdle: minIdle, Count: w.cfg.Batch,
		}).Result()
		if err != nil {
			return nil, err
		}
		all = append(all, msgs...)
		if next == "0-0" || next == "" || len(msgs) == 0 {
			return all, nil
		}
		start = next
	}
}

// read reads up to Batch new entries of stream, waiting up to block for them (not at
// all when block is negative).
func (w *Worker) read(ctx context.Context, stream string, block time.Duration) ([]redis.XMessage, error) {
	streams, err := w.c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: w.group, Consumer: w.cfg.Consumer, Streams: []string{stream, ">"},
		Count: w.cfg.Batch, Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil // nothing came within Block
	}
	if err != nil || len(streams) == 0 {
		return nil, err
	}
	return streams[0].Messages, nil
}

func zapPartition(p int) zap.Field { return zap.Int("partition", p) }
