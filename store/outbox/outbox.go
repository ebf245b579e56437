// Package outbox works through the partitioned streams the store keeps: each consumer
// group's outbox of side effects, which the ticket scripts append to the events the group
// wants (routed when written: store's emit.go), and the inbound queue of events sources
// sent. A Worker hands each entry of its group's streams to the group's handler, in order
// per ticket, with leases, retries, dead letters and trimming; Stats tells where the
// groups stand, for metrics and readiness.
//
// Since the outbox is routed, a group reads, acknowledges and decodes only the entries it
// acts on: another group costs it nothing. A group that needs only the latest of some
// events (the delivery marks: one per ticket) has those kept beside its stream, one per
// key, rather than appended to it (Config.Latest, latest.go; store's latest.go): however
// fast they come, and however long the group waits (Slack's pace for reactions), its
// backlog of them stays one per key, in Redis, through restarts and takeovers. The single
// outbox stream earlier versions wrote for every group is finished after an upgrade
// (legacy.go).
//
// It is a package of its own, on top of the stream primitives store exports
// (store.Streams), so that delivery stays apart from ticket storage, the widget's feeds
// and the socket heartbeats: store never imports it.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/internal/spare"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Config tunes a Worker. Zero fields take the defaults noted.
type Config struct {
	// Consumer names this process in the consumer group and holds its leases; it must
	// be unique among live processes, e.g. hostname-pid. Required.
	Consumer string
	// Block bounds each blocking read (2s). It is never 0: go-redis does not cancel a
	// blocking read when its context ends, so shutdown waits up to Block.
	Block time.Duration
	// Batch is how many entries are read at a time (100).
	Batch int64
	// MaxInFlight bounds the entries of a partition in hand at once: queued or being
	// handled, across its tickets (1000). Reading waits while it is reached.
	MaxInFlight int
	// LeaseTTL is how long a partition's lease lives unless renewed (15s); it is renewed
	// every LeaseTTL/3. A crashed holder's partitions move on after at most LeaseTTL.
	LeaseTTL time.Duration
	// RetryBase and RetryMax bound the backoff between attempts (200ms, 1m).
	RetryBase, RetryMax time.Duration
	// MaxAttempts is how many failed attempts an entry gets before it is dead-lettered
	// (20); waits a RetryAfterError asks for (rate limits) do not count.
	MaxAttempts int
	// AckDelay is how long a handled entry may wait to be acknowledged together with the
	// entries handled after it (100ms): one XACK then carries them all, unless Batch of
	// them are waiting, which are acknowledged at once. Entries are acknowledged only
	// once handled, and before a partition is let go; a crash within AckDelay of an
	// entry's handling has it handled again (as after a crash before its XACK).
	AckDelay time.Duration
	// Concurrency, when above 0, bounds the handler calls in progress at once over all
	// partitions, so that a batch a lingering group reads (Linger) is carried out a few at
	// a time rather than in a burst that takes the CPU, and the connections, from the
	// relay. 0: one call per ticket in hand.
	Concurrency int
	// Linger is how long a partition's reader waits after a read that brought entries
	// before it reads again (0: not at all), so that entries that come one at a time are
	// read, and acknowledged (with an AckDelay as long), a batch at a time: a Redis round
	// trip serves many entries. For groups whose side effects may wait that long
	// (delivery marks, sinks); the relay's groups read at once.
	Linger time.Duration
	// BusyLinger is Linger for a busy partition only (0: none): after a read that brought
	// entries less than BusyGap after the partition's previous such read, the reader waits
	// BusyLinger before it reads again. Under load, entries then come a few to a read
	// instead of one each, which saves a Redis round trip (and its CPU, on both sides) per
	// entry; at a calm partition an entry is read the moment it is written. For the
	// relay's groups, whose entries may wait a few milliseconds when many come.
	BusyLinger, BusyGap time.Duration
	// ShutdownGrace is how long handler calls in flight may run on after Run's context
	// ends (10s).
	ShutdownGrace time.Duration
	// StartID is where a new consumer group starts: "0" (default) takes every entry
	// still in the stream, "$" only entries added from now on.
	StartID string
	// TrimEvery is how often the streams of held partitions are trimmed (1m).
	TrimEvery time.Duration
	// Inbound makes the Worker work through the queue of events sources sent
	// (store.Redis.Enqueue) instead of the outbox of side effects.
	Inbound bool
	// WrittenAt, when set, says which events must be carried out in the order they were
	// written rather than the order they were stored, and when they were written
	// (tickets.WrittenAt: agents' messages, which two replicas may store in either order).
	// Such an event waits until Settle has passed since it was stored, for any written
	// before it to be stored too; then, of the run of such events at the head of its
	// ticket's queue, the earliest written goes first.
	WrittenAt func(tickets.Event) (time.Time, bool)
	// Settle is that wait, asked for each such event (nil or 0: none, as when a single
	// replica takes the app's events).
	Settle func() time.Duration
	// Supersedes, when set, says whether the side effect of later, an event of the same
	// ticket read after earlier, stands for earlier's too (tickets.Supersedes: a delivery
	// mark on the latest message delivered stands for those before it). An entry that a
	// later one already in hand supersedes when its turn comes is acknowledged without a
	// handler call (OutcomeSuperseded); the later one is handled in its turn as usual.
	Supersedes func(earlier, later tickets.Event) bool
	// Absorbs, when set, says whether earlier, when its turn comes, takes in later, an
	// event of the same ticket already in hand after it, and what earlier then is
	// (tickets.Absorbs: an agent message not yet delivered is delivered as the agent last
	// edited it, and its edits need no delivery of their own). The absorbed entries are
	// acknowledged with earlier once it is handled (OutcomeSuperseded); when it is not
	// (a stop), they stay pending as they were. Entries taken over from another holder,
	// which may have carried them out already, neither absorb nor are absorbed.
	Absorbs func(earlier, later tickets.Event) (tickets.Event, bool)
	// Latest makes the Worker also work the events its group keeps only the latest of
	// (tickets.Latest: one per ticket, see store/latest.go): every time it looks for
	// entries (each Linger, or Block when that is shorter), it queues those kept on each
	// partition it holds that it has not in hand, oldest first, up to MaxInFlight, behind
	// the stream's entries of their ticket; once one is carried out it is dropped, unless
	// a later one took its place meanwhile, which then comes in its turn.
	Latest bool
	// GaveUp, when set, is told of every event set aside for good (after it is in the
	// dead stream), so the product can show the failure; its error is logged.
	GaveUp func(ctx context.Context, ev tickets.Event, cause error) error
	// Observe, when set, is told of every handler call, for metrics: its outcome
	// (OutcomeOK, OutcomeRetry or OutcomeGaveUp) and how long it took; and of every entry
	// acknowledged without a call (OutcomeSuperseded, with 0). It must be quick.
	Observe func(outcome string, took time.Duration)
}

// Outcomes of a handler call, as Config.Observe is told them.
const (
	// OutcomeOK: the handler succeeded; the entry is acknowledged.
	OutcomeOK = "ok"
	// OutcomeRetry: the handler failed (or was cut short) and the entry will be tried
	// again.
	OutcomeRetry = "retry"
	// OutcomeGaveUp: the handler failed for good (permanently, or MaxAttempts times);
	// the entry is dead-lettered.
	OutcomeGaveUp = "gave_up"
	// OutcomeSuperseded: the handler was not called, because a later entry of the same
	// ticket stands for this one (Config.Supersedes); the entry is acknowledged.
	OutcomeSuperseded = "superseded"
)

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Block, 2*time.Second)
	def(&c.LeaseTTL, 15*time.Second)
	def(&c.RetryBase, 200*time.Millisecond)
	def(&c.RetryMax, time.Minute)
	def(&c.ShutdownGrace, 10*time.Second)
	def(&c.AckDelay, 100*time.Millisecond)
	def(&c.TrimEvery, time.Minute)
	if c.Batch == 0 {
		c.Batch = 100
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 1000
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 20
	}
	if c.StartID == "" {
		c.StartID = "0"
	}
}

// Validate reports the first problem with c (after defaults are applied).
func (c Config) Validate() error {
	c.setDefaults()
	switch {
	case c.Consumer == "":
		return errors.New("outbox: a consumer name is required")
	case c.Block < time.Millisecond:
		return fmt.Errorf("outbox: block %s must be at least 1ms", c.Block)
	case c.LeaseTTL < 3*time.Millisecond:
		return fmt.Errorf("outbox: lease TTL %s must be at least 3ms", c.LeaseTTL)
	case c.Batch < 1 || c.MaxAttempts < 1 || c.MaxInFlight < 1:
		return fmt.Errorf("outbox: batch %d, max attempts %d and max in flight %d must be positive",
			c.Batch, c.MaxAttempts, c.MaxInFlight)
	case c.RetryBase <= 0 || c.RetryMax < c.RetryBase:
		return fmt.Errorf("outbox: retry base %s must be positive and at most retry max %s", c.RetryBase, c.RetryMax)
	case c.ShutdownGrace < 0 || c.TrimEvery <= 0:
		return fmt.Errorf("outbox: shutdown grace %s and trim every %s must not be negative", c.ShutdownGrace, c.TrimEvery)
	case c.Concurrency < 0:
		return fmt.Errorf("outbox: concurrency %d must not be negative", c.Concurrency)
	case c.Latest && c.Inbound:
		return errors.New("outbox: the inbound queue keeps no latest events")
	case c.AckDelay < 0 || c.Linger < 0 || c.BusyLinger < 0 || c.BusyGap < 0:
		return fmt.Errorf("outbox: ack delay %s, linger %s and busy linger %s (gap %s) must not be negative", c.AckDelay, c.Linger, c.BusyLinger, c.BusyGap)
	}
	return nil
}

// Worker works through the outbox (or the inbound queue, see Config.Inbound) for one
// consumer group: it hands every event to the group's handler, in stream order per
// ticket, acknowledging each once handled (several in one XACK, see AckDelay) and
// dead-lettering those that fail for good.
//
// Each of the store.Partitions streams is worked by at most one live consumer of a group
// at a time: the one holding the partition's lease. Several replicas share the partitions
// between them; when one dies, the others take its partitions over once its leases
// expire, together with the entries it had read but not acknowledged.
//
// While it holds every partition a Worker keeps 16 connections in blocking reads, so
// the client's pool needs room for 16 per Worker besides the rest of the traffic.
type Worker struct {
	s     store.Streams         // the family of streams it works: keys and decoding
	c     redis.UniversalClient // s's client
	group string
	h     tickets.Handler
	cfg   Config
	log   *zap.Logger
	held  [store.Partitions]atomic.Bool // the partitions whose lease we hold
	calls chan struct{}                 // a slot per handler call in progress (Config.Concurrency); nil: unbounded
	spare *spare.Pool                   // the goroutines the tickets' queues are drained on
}

// A goroutine that drained a ticket's queue waits spareKeep for the next one to drain,
// while fewer than spareIdle others of the Worker wait: under load, the next starts
// within milliseconds.
const (
	spareKeep = 2 * time.Second
	spareIdle = 32
)

// New returns a Worker that runs h for group on r's streams. It returns an error when r
// or h is nil, group is empty or cfg is invalid. A nil log logs nothing.
func New(r *store.Redis, group string, h tickets.Handler, cfg Config, log *zap.Logger) (*Worker, error) {
	if r == nil || h == nil || group == "" {
		return nil, errors.New("outbox: New needs a store, a group name and a handler")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("outbox").With(zap.String("group", group), zap.String("consumer", cfg.Consumer))
	s := r.OutboxStreams(group)
	if cfg.Inbound {
		s = r.InboundStreams()
	}
	w := &Worker{s: s, c: s.Client(), group: group, h: h, cfg: cfg, log: log, spare: spare.New(spareKeep, spareIdle)}
	if cfg.Concurrency > 0 {
		w.calls = make(chan struct{}, cfg.Concurrency)
	}
	return w, nil
}

// Run works the outbox until ctx ends, then lets handler calls in flight finish (for up
// to ShutdownGrace), gives up its leases so that another replica takes over at once,
// and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	defer w.spare.Close()
	var wg sync.WaitGroup
	for p := range store.Partitions {
		wg.Go(func() { w.runPartition(ctx, p) })
	}
	wg.Go(func() { w.runTrim(ctx) })
	wg.Wait()
	return nil
}

// stream is the key of partition p's stream this Worker works.
func (w *Worker) stream(p int) string { return w.s.Stream(p) }

// sleep waits for d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
