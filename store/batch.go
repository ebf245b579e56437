package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// errStopped: work on a batch stopped because the Outbox is shutting down or lost the
// lease; what is left stays pending for the next holder.
var errStopped = errors.New("store: outbox stopped")

// entry is an outbox entry with the event it carries.
type entry struct {
	msg redis.XMessage
	ev  tickets.Event
}

// processBatch handles a batch of partition p's entries: each ticket's entries in
// stream order, different tickets concurrently. It returns when all are done, with nil
// when every entry was acknowledged (handled or dead-lettered). No new handler call
// starts once ctx ends; handler calls get hctx, which must end no earlier than ctx.
// claimed says the entries were taken over from another consumer, which may have carried
// some out already: handlers see them as retries (tickets.IsRetry).
func (o *Outbox) processBatch(ctx, hctx context.Context, p int, msgs []redis.XMessage, claimed bool) error {
	var (
		order    []tickets.ID
		byTicket = map[tickets.ID][]entry{}
	)
	for _, m := range msgs {
		ev, err := decodeEntry(p, m)
		if err != nil {
			o.log.Error("malformed outbox entry", zapPartition(p), zap.String("entry", m.ID), zap.Error(err))
			if err := o.deadLetter(hctx, p, m, fmt.Errorf("malformed entry: %w", err), 0); err != nil {
				return err
			}
			continue
		}
		if _, ok := byTicket[ev.TicketID]; !ok {
			order = append(order, ev.TicketID)
		}
		byTicket[ev.TicketID] = append(byTicket[ev.TicketID], entry{m, ev})
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, id := range order {
		wg.Go(func() {
			if err := o.handleTicket(ctx, hctx, p, byTicket[id], claimed); err != nil {
				mu.Lock()
				first = cmpErr(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// cmpErr keeps a bookkeeping error over errStopped.
func cmpErr(a, b error) error {
	if a == nil || errors.Is(a, errStopped) {
		return b
	}
	return a
}

// handleTicket handles one ticket's entries in order; an entry being retried holds
// back the ones after it.
func (o *Outbox) handleTicket(ctx, hctx context.Context, p int, es []entry, claimed bool) error {
	for _, e := range es {
		if err := o.handleEntry(ctx, hctx, p, e, claimed); err != nil {
			return err
		}
	}
	return nil
}

// handleEntry calls the handler until it succeeds, fails permanently or has failed
// MaxAttempts times, waiting between attempts; then acknowledges the entry, dead-lettering
// it unless it succeeded. Every attempt after the first, and every attempt at a claimed
// entry, runs with tickets.WithRetry.
func (o *Outbox) handleEntry(ctx, hctx context.Context, p int, e entry, claimed bool) error {
	log := o.log.With(zap.String("event", e.ev.ID), zap.String("ticket", string(e.ev.TicketID)),
		zap.String("type", string(e.ev.Type)))
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return errStopped
		}
		cctx := hctx
		if claimed || attempt > 1 {
			cctx = tickets.WithRetry(hctx)
		}
		err := o.call(cctx, e.ev)
		switch {
		case err == nil:
			return o.ack(hctx, p, e.msg.ID)
		case hctx.Err() != nil:
			return errStopped // the handler was cut short; the next holder tries again
		case tickets.IsPermanent(err) || attempt >= o.cfg.MaxAttempts:
			log.Error("giving up on outbox entry", zap.Int("attempts", attempt), zap.Error(err))
			if derr := o.deadLetter(hctx, p, e.msg, err, attempt); derr != nil {
				return derr
			}
			if o.cfg.GaveUp != nil {
				if gerr := o.cfg.GaveUp(hctx, e.ev, err); gerr != nil {
					log.Error("reporting the entry given up on", zap.Error(gerr))
				}
			}
			return nil
		}
		wait := o.backoff(attempt, err)
		log.Warn("outbox entry failed; will retry", zap.Int("attempt", attempt),
			zap.Int("max_attempts", o.cfg.MaxAttempts), zap.Duration("wait", wait), zap.Error(err))
		if !sleep(ctx, wait) {
			return errStopped
		}
	}
}

// call runs the handler, turning a panic into an error.
func (o *Outbox) call(ctx context.Context, ev tickets.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	return o.h(ctx, ev)
}

// backoff is the pause after the attempt-th failure err: what err asks for, if it asks,
// else RetryBase doubled per attempt up to RetryMax, less up to half of it at random.
func (o *Outbox) backoff(attempt int, err error) time.Duration {
	if d, ok := tickets.RetryAfter(err); ok && d > 0 {
		return d
	}
	d := o.cfg.RetryBase
	for i := 1; i < attempt && d < o.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, o.cfg.RetryMax)
	return d - rand.N(d/2+1)
}
