package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// runPartition works partition p whenever it holds the partition's lease, and tries to
// take the lease every LeaseTTL/3 while it does not, until ctx ends.
func (o *Outbox) runPartition(ctx context.Context, p int) {
	for {
		ok, err := o.acquire(ctx, p)
		if err != nil && ctx.Err() == nil {
			o.log.Warn("acquire lease", zapPartition(p), zap.Error(err))
		}
		if ok {
			o.work(ctx, p)
		}
		if !sleep(ctx, o.cfg.LeaseTTL/3) {
			return
		}
	}
}

// work works partition p while we hold its lease: it first takes over and handles what
// the group's consumers read and never acknowledged, then reads new entries, one batch at
// a time. It returns when ctx ends (after the batch in hand), when the lease is lost, or
// on a Redis error; then it gives the lease up. The next holder (maybe us again) takes
// over whatever was left unacknowledged, in order.
func (o *Outbox) work(ctx context.Context, p int) {
	log := o.log.With(zapPartition(p))
	// hctx is for handler calls: it outlives ctx by ShutdownGrace, but ends at once when
	// the lease is lost. wctx ends with either: no new work starts after it.
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(o.cfg.ShutdownGrace, cancel) })
	defer stop()
	wctx, cancelWork := context.WithCancel(ctx)
	defer cancelWork()
	context.AfterFunc(hctx, cancelWork)

	o.held[p].Store(true)
	renewing := make(chan struct{})
	go func() {
		defer close(renewing)
		o.keepLease(hctx, p, cancel)
	}()
	defer func() {
		o.held[p].Store(false)
		cancel()
		<-renewing // so that no renewal follows the release
		o.release(p)
	}()

	if err := o.createGroup(hctx, p); err != nil {
		log.Error("create consumer group", zap.Error(err))
		return
	}
	log.Debug("working partition")
	for wctx.Err() == nil {
		msgs, err := o.claim(hctx, p)
		claimed := len(msgs) > 0
		if err == nil && !claimed {
			msgs, err = o.read(hctx, p)
		}
		if err != nil {
			if hctx.Err() == nil {
				log.Error("read outbox", zap.Error(err))
			}
			return
		}
		if err := o.processBatch(wctx, hctx, p, msgs, claimed); err != nil {
			if hctx.Err() == nil && !errors.Is(err, errStopped) {
				log.Error("outbox bookkeeping failed; starting the partition over", zap.Error(err))
			}
			return
		}
	}
}

// createGroup makes sure the group exists on partition p's stream.
func (o *Outbox) createGroup(ctx context.Context, p int) error {
	err := o.r.c.XGroupCreateMkStream(ctx, o.r.keys.outbox(p), o.group, o.cfg.StartID).Err()
	if err != nil && strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return nil
	}
	return err
}

// claim takes over up to Batch of the oldest entries pending in the group on partition
// p, whoever read them. Between batches we leave nothing of our own unacknowledged, so
// these are entries a consumer read and never acknowledged before it died or lost the
// lease; the lease guarantees it no longer works them, hence min-idle 0.
func (o *Outbox) claim(ctx context.Context, p int) ([]redis.XMessage, error) {
	msgs, _, err := o.r.c.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: o.r.keys.outbox(p), Group: o.group, Consumer: o.cfg.Consumer,
		Start: "0-0", MinIdle: 0, Count: o.cfg.Batch,
	}).Result()
	if len(msgs) > 0 {
		o.log.Info("took over unacknowledged entries", zapPartition(p), zap.Int("entries", len(msgs)))
	}
	return msgs, err
}

// read reads up to Batch new entries of partition p, waiting up to Block for them.
func (o *Outbox) read(ctx context.Context, p int) ([]redis.XMessage, error) {
	streams, err := o.r.c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: o.group, Consumer: o.cfg.Consumer, Streams: []string{o.r.keys.outbox(p), ">"},
		Count: o.cfg.Batch, Block: o.cfg.Block,
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
