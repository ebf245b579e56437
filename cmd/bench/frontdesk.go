package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// teamLabels are the four ticketing channels' labels.
var teamLabels = []string{"Support", "Billing", "Technical", "Sales"}

// mainPrefix is the key prefix of the main run's Frontdesk.
const mainPrefix = "bench:"

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
	return b.startFrontdeskWith(w, prefix, nil)
}

// startFrontdeskWith is startFrontdesk with edit applied to its environment first (nil:
// none).
func (b *bench) startFrontdeskWith(w *world, prefix string, edit func(env map[string]string)) (*proc, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	env := w.frontdeskEnv(b.redis.URL(), prefix, addr)
	if os.Getenv("BENCH_HEAP") == "1" {
		env["BENCH_HEAPPROFILE"] = filepath.Join(b.dir, "heap-"+strings.TrimSuffix(prefix, ":")+".pprof")
	}
	if edit != nil {
		edit(env)
	}
	p, err := startProc(b.dir, "frontdesk", "frontdesk-"+strings.TrimSuffix(prefix, ":"), b.fdBin, nil, env)
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

// runFrontdesk runs the measured run's phases: costs, bytes per closed ticket, relay
// curves, the relay with a stalled sink, interactions, memory.
func (b *bench) runFrontdesk(ctx context.Context) error {
	cfg := b.cfg
	w, err := newWorld(b.dir, cfg.agents, teamLabels)
	if err != nil {
		return err
	}
	defer w.close()
	r := &fdRun{bench: b, w: w, prefix: mainPrefix, rdb: redis.NewClient(&redis.Options{Addr: b.redis.Addr()})}
	defer r.rdb.Close()
	r.fd, r.addr, err = b.startFrontdesk(w, r.prefix)
	if err != nil {
		return err
	}
	defer r.fd.stop(15 * time.Second)
	b.rep.FrontdeskRSSStart = rssBytes(r.fd.pid())

	// Vitally's rate limit is lifted from the set-up to the end of the stalled-sink runs,
	// so that the sinks keep up with the set-up, each cost window counts its operations'
	// own sink work, and the stalled-sink runs find Vitally with room in its window.
	w.liftVitallyLimit(true)
	t0 := time.Now()
	chats, err := w.openChats(ctx, r.addr, cfg.chats)
	if err != nil {
		return fmt.Errorf("opening %d chats: %w", cfg.chats, err)
	}
	r.open += len(chats)
	logf("frontdesk: %d chats opened and picked in %.1fs", len(chats), time.Since(t0).Seconds())
	r.tg = r.target("Frontdesk", chats)
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
		r.waitSinks(cfg.sinksWait())
		b.quiet(ctx)
		pprofStop := b.startProfile()
		for _, d := range []direction{toSlack, toCustomer} {
			if d == toCustomer && !b.on("costs") {
				// Each inbox channel's first agent message reads its history (bot/gaps.go);
				// the cost windows did that already when they ran.
				if err := r.warmAgents(ctx); err != nil {
					return err
				}
			}
			cv := measure(ctx, r.tg, d, cfg, r.maxRate(d), logf)
			b.rep.Frontdesk = append(b.rep.Frontdesk, cv)
			w.tail.forget()
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		pprofStop()
	}
	if b.on("stall") {
		b.quiet(ctx)
		if err := r.stalled(ctx); err != nil {
			r.fail("relay with a stalled sink", err)
		}
		w.tail.forget()
	}
	w.liftVitallyLimit(false)
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

// target is Frontdesk in this run under load, relaying over chats.
func (r *fdRun) target(name string, chats []*chat) *target {
	w := r.w
	return &target{name: name, w: w, chats: chats, procs: []counted{r.fd.counted(), r.redisCounted()}, metrics: r.addr,
		send: func(ctx context.Context, c *chat, seq int) error {
			status, _, err := w.post(ctx, hookURL(r.addr), hookToken, customerMessage(c, seq))
			if err != nil || status != http.StatusAccepted && status != http.StatusOK {
				return errRefused
			}
			return nil
		}}
}

// maxRate is the most the saturation search offers in direction d.
func (r *fdRun) maxRate(d direction) float64 {
	if d == toSlack {
		return r.cfg.perChat * float64(len(r.tg.chats)) // the webhook's per-member limit
	}
	return r.cfg.bareMax
}

// fail notes a phase that failed; the run goes on (and exits non-zero at the end).
func (r *fdRun) fail(phase string, err error) {
	logf("frontdesk: %s failed: %v", phase, err)
	r.rep.problems("frontdesk: "+phase, []string{err.Error()})
	r.w.quiesce(10 * time.Second)
}

// checkLog notes Frontdesk's error lines.
func (r *fdRun) checkLog() { r.rep.FrontdeskErrors += r.errorLines() }

// errorLines counts Frontdesk's error lines in its log.
func (r *fdRun) errorLines() int {
	n := 0
	for _, line := range strings.Split(tailFile(r.fd.log, 1_000_000), "\n") {
		if strings.Contains(line, `"level":"error"`) {
			n++
		}
	}
	return n
}

// outboxGroups are the consumer groups of the outbox: one stream each per partition,
// P{N}:outbox:<group> (store/emit.go); the keys beside them that are not streams (a
// group's latest-only events, store/latest.go) are not groups.
func (r *fdRun) outboxGroups(ctx context.Context) []string {
	seen := map[string]bool{}
	iter := r.rdb.ScanType(ctx, 0, r.prefix+"{*}:outbox:*", 5000, "stream").Iterator()
	for iter.Next(ctx) {
		if _, group, ok := strings.Cut(strings.TrimPrefix(iter.Val(), r.prefix), "}:outbox:"); ok {
			seen[group] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
