package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// slaFigures are the sla phase's: what open tickets under an SLA policy, their clocks'
// timers armed, cost while nothing happens.
type slaFigures struct {
	Tickets         int
	Timers          int64         // members of the partitions' timer sets: warnings and breaches to come
	TimerBytes      int64         // MEMORY USAGE of those sets
	UsedMemoryDelta int64         // used_memory after the tickets opened and armed − before
	IdleFor         time.Duration // each idle window
	IdleBefore      float64       // Redis commands a minute (INFO commandstats) before any opened
	IdleArmed       float64       // the same with every ticket's timers armed
	ArmedIn         time.Duration // from the first request to the last timer set
}

// slaPrefix is the sla phase's key prefix.
const slaPrefix = "sla:"

// runSLA starts Frontdesk on a prefix of its own, with an SLA policy for every team
// whose targets are far off (a first reply within a day, a resolution within 30), opens
// cfg.open tickets, waits until each one's warning and breach timers are set, and
// measures Redis's memory and the commands Frontdesk makes a minute while idle, before
// and after.
func (b *bench) runSLA(ctx context.Context) error {
	cfg := b.cfg
	w, err := newWorld(b.dir, cfg.agents, teamLabels)
	if err != nil {
		return err
	}
	defer w.close()
	r := &fdRun{bench: b, w: w, prefix: slaPrefix, rdb: redis.NewClient(&redis.Options{Addr: b.redis.Addr()})}
	defer r.rdb.Close()
	var policies []string
	for _, l := range w.labels {
		policies = append(policies, l+": none=1d/1d/30d")
	}
	r.fd, r.addr, err = b.startFrontdeskWith(w, r.prefix, func(env map[string]string) {
		withoutSinks(env)
		env["SLA_TARGETS"] = strings.Join(policies, " | ")
	})
	if err != nil {
		return err
	}
	defer r.fd.stop(15 * time.Second)
	f := &slaFigures{IdleFor: 30 * time.Second}
	if cfg.smoke {
		f.IdleFor = 3 * time.Second
	}
	b.rep.SLA = f
	w.quiesce(5 * time.Second)
	if f.IdleBefore, err = r.idlePerMinute(ctx, f.IdleFor); err != nil {
		return err
	}
	used0, err := infoField(ctx, r.rdb, "memory", "used_memory")
	if err != nil {
		return err
	}
	logf("sla: opening %d tickets under SLA policies", cfg.open)
	t0 := time.Now()
	if err := r.openMany(ctx, cfg.open); err != nil {
		return err
	}
	f.Tickets = r.open
	// Each ticket's first response and resolution clocks: the timer of each one's next
	// alert, its warning.
	want := int64(2 * f.Tickets)
	deadline := time.Now().Add(120 * time.Second)
	for {
		if f.Timers, f.TimerBytes, err = r.timers(ctx); err != nil {
			return err
		}
		if f.Timers >= want || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.ArmedIn = time.Since(t0)
	if f.Timers < want {
		return fmt.Errorf("%d timers set for %d tickets after %s, want %d", f.Timers, f.Tickets, f.ArmedIn.Round(time.Second), want)
	}
	r.waitOutbox(60 * time.Second)
	w.quiesce(10 * time.Second)
	used1, err := infoField(ctx, r.rdb, "memory", "used_memory")
	if err != nil {
		return err
	}
	f.UsedMemoryDelta = used1 - used0
	if f.IdleArmed, err = r.idlePerMinute(ctx, f.IdleFor); err != nil {
		return err
	}
	logf("  %d tickets armed in %.1fs: %d timers, %s in the timer sets (%s a ticket), used_memory +%s (%s a ticket)",
		f.Tickets, f.ArmedIn.Seconds(), f.Timers, mb(f.TimerBytes), bytesPer(f.TimerBytes, f.Tickets), mb(f.UsedMemoryDelta), bytesPer(f.UsedMemoryDelta, f.Tickets))
	logf("  idle: %.0f Redis commands a minute before, %.0f with them armed", f.IdleBefore, f.IdleArmed)
	b.rep.problems("the simulator of the sla phase", w.sim.Problems())
	return ctx.Err()
}

// timers counts the members of this run's timer sets and the bytes they take.
func (r *fdRun) timers(ctx context.Context) (n, bytes int64, err error) {
	for p := range 16 {
		key := fmt.Sprintf("%s{%d}:timers", r.prefix, p)
		c, err := r.rdb.ZCard(ctx, key).Result()
		if err != nil {
			return 0, 0, err
		}
		n += c
		if c > 0 {
			b, err := r.rdb.MemoryUsage(ctx, key, 0).Result()
			if err != nil {
				return 0, 0, err
			}
			bytes += b
		}
	}
	return n, bytes, nil
}

// idlePerMinute counts the Redis commands (INFO commandstats: scripts' own commands
// included, the benchmark's left out) made over d while nothing happens, per minute.
func (r *fdRun) idlePerMinute(ctx context.Context, d time.Duration) (float64, error) {
	if err := r.rdb.ConfigResetStat(ctx).Err(); err != nil {
		return 0, err
	}
	time.Sleep(d)
	stats, err := commandStats(ctx, r.rdb)
	if err != nil {
		return 0, err
	}
	var n int64
	var top []string
	for k, v := range stats {
		if !driverCommand(k) {
			n += v
			top = append(top, fmt.Sprintf("%s %.0f", k, float64(v)/d.Minutes()))
		}
	}
	sort.Slice(top, func(i, j int) bool { return lastNumber(top[i]) > lastNumber(top[j]) })
	logf("    idle over %s, a minute: %s", d, strings.Join(top[:min(len(top), 6)], ", "))
	return float64(n) / d.Minutes(), nil
}

// slaSection reports the sla phase.
func (r *report) slaSection(p func(string, ...any)) {
	f := r.SLA
	if f == nil || f.Tickets == 0 {
		return
	}
	p("## Open tickets under SLA policies, while idle\n\n")
	p("Frontdesk on a key prefix of its own, every team with an SLA policy (first reply within a day, resolution\n")
	p("within 30 days: armed, never due during the run), %d tickets opened through the webhook; then the wait until\n", f.Tickets)
	p("each ticket's two timers (the next alert of its first reply's clock and of its resolution's: their warnings)\n")
	p("are set, and two idle windows of %s: Redis commands counted by `INFO commandstats` (scripts' own commands\n", f.IdleFor)
	p("included), per minute.\n\n")
	p("| reading | value |\n|---|---|\n")
	p("| tickets opened, cards posted and timers armed in | %.1f s |\n", f.ArmedIn.Seconds())
	p("| timers set | %d (%.1f a ticket) |\n", f.Timers, float64(f.Timers)/float64(f.Tickets))
	p("| the timer sets' memory (`MEMORY USAGE`) | **%s** (%s a ticket) |\n", mb(f.TimerBytes), bytesPer(f.TimerBytes, f.Tickets))
	p("| `used_memory` after − before (tickets, transcripts, cards and timers) | %s (%s a ticket) |\n", mb(f.UsedMemoryDelta), bytesPer(f.UsedMemoryDelta, f.Tickets))
	p("| Redis commands a minute while idle, before any ticket | %.0f |\n", f.IdleBefore)
	p("| Redis commands a minute while idle, %d tickets armed | **%.0f** |\n\n", f.Tickets, f.IdleArmed)
	p("Armed timers cost nothing while idle: they wait in one sorted set per partition, and every replica's\n")
	p("timer loop asks each partition once a second for the timers due (16 script calls a second, however many are\n")
	p("armed); a ticket costs work only when one of its clocks starts, stops or comes due.\n\n")
}

// lastNumber is the number that ends s ("evalsha 960" gives 960).
func lastNumber(s string) float64 {
	f, _ := strconv.ParseFloat(s[strings.LastIndexByte(s, ' ')+1:], 64)
	return f
}
