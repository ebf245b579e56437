package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// teamLabels are the four ticketing channels' labels.
var teamLabels = []string{"Support", "Billing", "Technical", "Sales"}

// fdRun is Frontdesk running in a workspace, with what the phases share.
type fdRun struct {
	*bench
	w         *world
	fd        *proc
	addr      string
	prefix    string
	rdb       *redis.Client
	tg        *target
	idle      redisCost // MONITOR over idleFor with nothing to do
	idleFor   time.Duration
	idleOther float64 // commandstats over idleFor, less the background scripts
	open      int     // tickets open now
}

// startFrontdesk runs the binary in w with key prefix prefix and waits until it is ready.
func (b *bench) startFrontdesk(w *world, prefix string) (*proc, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	p, err := startProc(b.dir, "frontdesk", "frontdesk-"+strings.TrimSuffix(prefix, ":"), b.fdBin, nil, w.frontdeskEnv(b.redis.URL(), prefix, addr))
	if err != nil {
		return nil, "", err
	}
	p.addr = addr
	if err := p.waitReady(60 * time.Second); err != nil {
		p.stop(5 * time.Second)
		return nil, "", err
	}
	return p, addr, nil
}

// runFrontdesk runs every Frontdesk phase but the burst: costs, bytes per closed ticket,
// relay curves, interactions, memory.
func (b *bench) runFrontdesk(ctx context.Context) error {
	cfg := b.cfg
	w, err := newWorld(b.dir, cfg.agents, teamLabels)
	if err != nil {
		return err
	}
	defer w.close()
	r := &fdRun{bench: b, w: w, prefix: "bench:", rdb: redis.NewClient(&redis.Options{Addr: b.redis.Addr()})}
	defer r.rdb.Close()
	r.fd, r.addr, err = b.startFrontdesk(w, r.prefix)
	if err != nil {
		return err
	}
	defer r.fd.stop(15 * time.Second)
	b.rep.FrontdeskRSSStart = rssBytes(r.fd.pid())

	t0 := time.Now()
	chats, err := w.openChats(ctx, r.addr, cfg.chats)
	if err != nil {
		return fmt.Errorf("opening %d chats: %w", cfg.chats, err)
	}
	r.open += len(chats)
	logf("frontdesk: %d chats opened and picked in %.1fs", len(chats), time.Since(t0).Seconds())
	r.tg = &target{name: "Frontdesk", w: w, chats: chats, procs: []counted{r.fd.counted(), b.redisCounted()},
		send: func(ctx context.Context, c *chat, seq int) error {
			status, _, err := w.post(ctx, hookURL(r.addr), hookToken, customerMessage(c, seq))
			if err != nil || status != http.StatusAccepted && status != http.StatusOK {
				return errRefused
			}
			return nil
		}}
	w.quiesce(5 * time.Second)

	if b.on("costs") {
		if err := r.costs(ctx); err != nil {
			r.fail("costs", err)
		}
		if err := r.closedBytes(ctx); err != nil {
			r.fail("bytes per closed ticket", err)
		}
		w.tail.forget()
	}
	if b.on("relay") {
		b.quiet(ctx)
		pprofStop := b.startProfile()
		for _, d := range []direction{toSlack, toCustomer} {
			maxRate := cfg.bareMax
			if d == toSlack {
				maxRate = cfg.perChat * float64(len(chats)) // the webhook's per-member limit
			}
			cv := measure(ctx, r.tg, d, cfg, maxRate, logf)
			b.rep.Frontdesk = append(b.rep.Frontdesk, cv)
			w.tail.forget()
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		pprofStop()
	}
	if b.on("interactions") {
		if err := r.interactions(ctx); err != nil {
			r.fail("interactions", err)
		}
		w.tail.forget()
	}
	if b.on("memory") {
		if err := r.memory(ctx); err != nil {
			r.fail("memory", err)
		}
	}
	b.rep.Groups = r.outboxGroups(ctx)
	b.rep.problems("Frontdesk's simulator", w.sim.Problems())
	if counts, bad := w.bot.counts(); bad > 0 {
		b.rep.problems("chatbot", []string{fmt.Sprintf("%d callbacks with a bad signature (%v)", bad, counts)})
	}
	r.checkLog()
	return ctx.Err()
}

// fail notes a phase that failed; the run goes on (and exits non-zero at the end).
func (r *fdRun) fail(phase string, err error) {
	logf("frontdesk: %s failed: %v", phase, err)
	r.rep.problems("frontdesk: "+phase, []string{err.Error()})
	r.w.quiesce(10 * time.Second)
}

// checkLog notes Frontdesk's error lines.
func (r *fdRun) checkLog() {
	n := 0
	for _, line := range strings.Split(tailFile(r.fd.log, 1_000_000), "\n") {
		if strings.Contains(line, `"level":"error"`) {
			n++
		}
	}
	r.rep.FrontdeskErrors += n
}

// outboxGroups are the consumer groups of the outbox: one stream each per partition,
// P{N}:outbox:<group> (store/emit.go).
func (r *fdRun) outboxGroups(ctx context.Context) []string {
	seen := map[string]bool{}
	iter := r.rdb.Scan(ctx, 0, r.prefix+"{*}:outbox:*", 5000).Iterator()
	for iter.Next(ctx) {
		if _, group, ok := strings.Cut(strings.TrimPrefix(iter.Val(), r.prefix), "}:outbox:"); ok {
			seen[group] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
