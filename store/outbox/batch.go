package outbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// errStopped: work on a partition stopped because the Worker is shutting down or lost the
// lease; what is left stays pending for the next holder.
var errStopped = errors.New("outbox: stopped")

// entry is an outbox entry with the event it carries. claimed says it was taken over
// from another consumer, which may have carried it out already.
type entry struct {
	stream  string // the stream it was read from: the group's, or the legacy one; or the HASH of latest events
	msg     redis.XMessage
	ev      tickets.Event
	claimed bool
	field   string // for an event kept as its group's latest (Config.Latest), its key there
	try     *tries // where its handling stands, from its first attempt on
}

// tries is where an entry's handling stands between its attempts, which may run on
// different goroutines: a queue waiting to try again holds none (queues.park).
type tries struct {
	begun    bool  // the failures an earlier holder counted were read
	attempt  int   // the attempts made, counting an earlier holder's failures
	failures int   // the failures that count towards MaxAttempts
	kept     bool  // a count may be in Redis, to drop once done (see handleEntry)
	lastErr  error // the last attempt's error
	// absorbed are the later entries of its ticket taken into it (Config.Absorbs): done
	// when it is, pending again when it stops.
	absorbed []entry
}

// handleEntry makes one attempt at entry e: it calls the handler unless the work has
// stopped. It reports whether the entry is handled and awaits its acknowledgement (see
// queues.acked), with the follow-ups the successful call asked for (tickets.FollowUps:
// each call gets its own); or how long to wait before the next attempt (wait > 0); or
// neither, when the entry was given up on (dead-lettered and acknowledged here) or the
// work stopped (err). It tries until the handler succeeds, fails permanently or has
// failed MaxAttempts times. A failure that asks for a pause (a RetryAfterError: a rate
// limit) is waited out and does not count: the entry waits its turn however long the
// queue ahead of it is. Every attempt after the first, and every attempt at a claimed
// entry, runs with tickets.WithRetry. e.try carries the count from one attempt to the
// next.
//
// The failures that count are kept in Redis (store.Streams.Attempts) as they happen, so
// that a consumer that takes the entry over goes on from the count its last holder
// reached rather than from 0; the count is dropped once the entry is handled or given up.
func (w *Worker) handleEntry(ctx, hctx context.Context, p int, e entry) (handled bool, follow []tickets.Event, wait time.Duration, err error) {
	// The entry's fields are added only when something is logged: zap's With copies the
	// encoder, which an entry handled at once should not pay for.
	log := func() *zap.Logger {
		return w.log.With(zap.String("event", e.ev.ID), zap.String("ticket", string(e.ev.TicketID)),
			zap.String("type", string(e.ev.Type)))
	}
	tr := e.try
	if !tr.begun {
		tr.begun = true
		if e.claimed {
			tr.failures, tr.kept = w.priorFailures(hctx, p, e.msg.ID)
		}
		tr.attempt = tr.failures
	}
	if ctx.Err() != nil {
		return false, nil, 0, errStopped
	}
	tr.attempt++
	attempt := tr.attempt
	cctx := hctx
	if e.claimed || tr.lastErr != nil {
		cctx = tickets.WithRetry(hctx)
	}
	if tr.lastErr != nil {
		cctx = tickets.WithLastError(cctx, tr.lastErr)
	}
	cctx, followUps := tickets.WithFollowUps(cctx)
	release, ok := w.slot(ctx)
	if !ok {
		return false, nil, 0, errStopped
	}
	began := time.Now()
	err = w.call(cctx, e.ev)
	release()
	tr.lastErr = err
	took := time.Since(began)
	counted := false
	if _, limited := tickets.RetryAfter(err); err != nil && !limited {
		tr.failures, counted = tr.failures+1, true
	}
	switch {
	case err == nil:
		w.observe(OutcomeOK, took)
		if tr.kept {
			w.forgetFailures(hctx, p, e.msg.ID)
		}
		return true, followUps.Events(), 0, nil
	case hctx.Err() != nil:
		w.observe(OutcomeRetry, took)
		return false, nil, 0, errStopped // the handler was cut short; the next holder tries again
	case tickets.IsPermanent(err) || tr.failures >= w.cfg.MaxAttempts:
		w.observe(OutcomeGaveUp, took)
		log().Error("giving up on outbox entry", zap.Int("attempts", attempt), zap.Error(err))
		if derr := w.deadLetter(hctx, p, e, err, attempt); derr != nil {
			return false, nil, 0, derr
		}
		if w.cfg.GaveUp != nil {
			if gerr := w.cfg.GaveUp(hctx, e.ev, err); gerr != nil {
				log().Error("reporting the entry given up on", zap.Error(gerr))
			}
		}
		return false, nil, 0, nil
	}
	w.observe(OutcomeRetry, took)
	if counted {
		w.countFailure(hctx, p, e.msg.ID)
		tr.kept = true
	}
	wait = max(w.backoff(attempt, err), time.Nanosecond)
	if counted {
		log().Warn("outbox entry failed; will retry", zap.Int("attempt", attempt),
			zap.Int("max_attempts", w.cfg.MaxAttempts), zap.Duration("wait", wait), zap.Error(err))
	} else if ce := w.log.Check(zap.DebugLevel, "outbox entry waits its turn (rate limit)"); ce != nil {
		// Waiting out a rate limit is flow control, not a failure: the retry metrics
		// count it, and a burst of it does not flood the log.
		ce.Write(zap.String("event", e.ev.ID), zap.String("ticket", string(e.ev.TicketID)),
			zap.String("type", string(e.ev.Type)), zap.Duration("wait", wait), zap.Error(err))
	}
	return false, nil, wait, nil
}

// attemptsTTL is how long a partition's failure counts (store.Streams.Attempts) outlive
// its last failure: longer than any entry is retried for.
const attemptsTTL = 24 * time.Hour

// priorFailures is how many failures earlier holders of entry id of partition p counted
// (0 when Redis cannot tell: the count then starts over, as it did before it was kept),
// and whether a count may be there to drop once the entry is done.
func (w *Worker) priorFailures(hctx context.Context, p int, id string) (n int, kept bool) {
	ctx, cancel := bookkeeping(hctx)
	defer cancel()
	n, err := w.c.HGet(ctx, w.s.Attempts(w.group, p), id).Int()
	switch {
	case errors.Is(err, redis.Nil):
		return 0, false // nothing counted: a success need not drop anything
	case err != nil:
		w.log.Warn("read an entry's failures", zapPartition(p), zap.String("entry", id), zap.Error(err))
		return 0, true
	}
	return n, true
}

// countFailure adds a failure to entry id's count, for whoever holds it next.
func (w *Worker) countFailure(hctx context.Context, p int, id string) {
	ctx, cancel := bookkeeping(hctx)
	defer cancel()
	key := w.s.Attempts(w.group, p)
	_, err := w.c.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.HIncrBy(ctx, key, id, 1)
		pipe.PExpire(ctx, key, attemptsTTL)
		return nil
	})
	if err != nil {
		w.log.Warn("count an entry's failure", zapPartition(p), zap.String("entry", id), zap.Error(err))
	}
}

// forgetFailures drops entry id's count once it is handled.
func (w *Worker) forgetFailures(hctx context.Context, p int, id string) {
	ctx, cancel := bookkeeping(hctx)
	defer cancel()
	if err := w.c.HDel(ctx, w.s.Attempts(w.group, p), id).Err(); err != nil {
		w.log.Warn("drop an entry's failures", zapPartition(p), zap.String("entry", id), zap.Error(err))
	}
}

// observe tells Config.Observe, when set, of a handler call.
func (w *Worker) observe(outcome string, took time.Duration) {
	if w.cfg.Observe != nil {
		w.cfg.Observe(outcome, took)
	}
}

// slot waits for a free handler call slot (Config.Concurrency) and returns its release,
// or false when ctx (the partition's work) ends first: no new call starts then.
func (w *Worker) slot(ctx context.Context) (release func(), ok bool) {
	if w.calls == nil {
		return func() {}, true
	}
	select {
	case w.calls <- struct{}{}:
		return func() { <-w.calls }, true
	case <-ctx.Done():
		return nil, false
	}
}

// call runs the handler, turning a panic into an error.
func (w *Worker) call(ctx context.Context, ev tickets.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	return w.h(ctx, ev)
}

// backoff is the pause after the attempt-th failure err: what err asks for, if it asks,
// else RetryBase doubled per attempt up to RetryMax, less up to half of it at random.
func (w *Worker) backoff(attempt int, err error) time.Duration {
	if d, ok := tickets.RetryAfter(err); ok && d > 0 {
		return d
	}
	d := w.cfg.RetryBase
	for i := 1; i < attempt && d < w.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.RetryMax)
	return d - rand.N(d/2+1)
}
