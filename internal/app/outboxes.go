package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/outbox"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// newOutboxes makes an outbox worker for every consumer group of svc and for every
// connector's inbound queue, on a Redis client of their own: each keeps a blocking read
// and a lease renewal per partition, plus a trimmer. Workers are named after this process
// so that the entries of a worker that died can be told apart and claimed by the others.
// Events a worker gives up on are reported back to svc; every handler call is counted.
func (a *App) newOutboxes(svc *tickets.Service, inbound map[string]tickets.Handler, m *metrics) (map[string]*outbox.Worker, error) {
	handlers := svc.Handlers()
	rdb := a.cfg.Redis.NewClient((len(handlers) + len(inbound)) * (2*store.Partitions + 1))
	a.closers = append(a.closers, rdb.Close)
	st, err := store.New(rdb, store.Config{Prefix: a.cfg.RedisPrefix, Retention: a.cfg.Retention})
	if err != nil {
		return nil, err
	}
	st.SetRoutes(svc.Routes()) // the follow-ups appended with acknowledgements go there too
	consumer := consumerName()
	obs := make(map[string]*outbox.Worker, len(handlers)+len(inbound))
	for group, h := range handlers {
		cfg := outbox.Config{Consumer: consumer, Observe: m.outboxObserver(group),
			MaxAttempts: tickets.MaxAttempts(group), Linger: tickets.Linger(group), Supersedes: tickets.Supersedes(group), Absorbs: tickets.Absorbs(group),
			Latest: tickets.Latest(group) != nil,
			GaveUp: func(ctx context.Context, ev tickets.Event, cause error) error {
				return svc.GaveUp(ctx, group, ev, cause)
			}}
		if cfg.Linger > 0 {
			// What is read together is acknowledged together. These groups' vendors bound
			// them (Vitally's rate limit, Slack's Tier 3 reactions): fewer entries in hand
			// do as much, and a backlog (a sink rate-limited or down) stays in Redis
			// rather than in memory, one waiting goroutine per ticket.
			cfg.AckDelay, cfg.MaxInFlight, cfg.Concurrency = cfg.Linger, lingeringInFlight, lingeringCalls
			if cfg.Latest {
				cfg.MaxInFlight = latestInFlight
			}
		} else {
			// The relay's groups read a busy partition a few entries at a time.
			cfg.BusyLinger, cfg.BusyGap = relayBusyLinger, relayBusyGap
			if group == tickets.GroupDesk {
				cfg.Concurrency = deskCalls
			}
		}
		if cfg.WrittenAt = tickets.WrittenAt(group); cfg.WrittenAt != nil {
			cfg.Settle = a.agentOrderSettle
		}
		ob, err := outbox.New(st, group, h, cfg, a.log)
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", group, err)
		}
		obs[group] = ob
	}
	for name, h := range inbound {
		// A connector's webhook only queues its events; this worker does the work, in
		// order per conversation, with retries.
		group := tickets.InboundGroupPrefix + name
		ob, err := outbox.New(st, group, h, outbox.Config{
			Consumer: consumer, Inbound: true, MaxAttempts: tickets.MaxAttempts(group), Observe: m.outboxObserver(group),
		}, a.log)
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", group, err)
		}
		obs[group] = ob
	}
	return obs, nil
}

// A partition of a relay group (the desk's, the source's) is busy when its reads bring
// entries less than relayBusyGap apart (over 50 a second; 16 partitions: 800 a second in
// all); its reader then waits relayBusyLinger before the next read, so that a read brings
// a few entries rather than one: fewer Redis round trips per message when many come, for
// at most that wait added to a message's way.
const (
	relayBusyLinger = 8 * time.Millisecond
	relayBusyGap    = 20 * time.Millisecond
)

// lingeringInFlight bounds the entries of a partition a lingering group (tickets.Linger)
// has in hand: 16 partitions × 32 is 512 at a time, far more than a sink's vendor or
// Slack's reactions take in a second.
const lingeringInFlight = 32

// latestInFlight bounds the entries of a partition the marks group has in hand: its ✅
// marks keep to Slack's pace (50 a minute, bot/marks.go), so 4 per partition, 64 in all,
// are more than a minute of work, and the rest wait in Redis, one per ticket, rather than
// as goroutines waiting their turn.
const latestInFlight = 4

// lingeringCalls bounds the handler calls a lingering group makes at once, over all
// partitions: the batch it reads each second is carried out a few at a time, not in a
// burst that would take the CPU and the connections from the relay.
const lingeringCalls = 8

// deskCalls bounds the handler calls the desk group makes at once, over all partitions:
// as many as the bot keeps connections to Slack (256, pooledTransport). Past that, a call
// would dial a connection only to close it after, and an overloaded replica would spend
// its CPU on connections and goroutines rather than on the backlog. The desk calls one
// host, Slack, so one bound is right; the source group's deliveries are bounded per source
// instead (tickets.Service), so that a slow source holds back only itself.
const deskCalls = 256

// agentOrderWindow is how long an agent's message waits, once stored, for those the agent
// wrote before it to be stored too (outbox.Config.Settle), while more than one replica
// takes the app's Slack events: two messages written a few milliseconds apart may reach
// two replicas, and the one written first be stored a few milliseconds later.
const agentOrderWindow = 100 * time.Millisecond

// agentOrderSettle is the wait outbox.Config.Settle asks for: agentOrderWindow while more
// than one replica's bot beats, none with one alone.
func (a *App) agentOrderSettle() time.Duration {
	if a.bot.Replicas() > 1 {
		return agentOrderWindow
	}
	return 0
}

// consumerName names this process's outbox workers: host, pid and a random part that tells
// apart two instances in one process (tests) or a restarted process with the same pid.
func consumerName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "frontdesk"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:6])
}
