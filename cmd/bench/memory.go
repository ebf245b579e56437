package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// memory opens tickets until cfg.open are open and relays until cfg.relayed messages
// went through, then reads Frontdesk's RSS and Redis's used_memory.
func (r *fdRun) memory(ctx context.Context) error {
	cfg, w := r.cfg, r.w
	relayed := func() int { return w.cust.next() + w.agent.next() }
	if n := relayed(); n < cfg.relayed {
		logf("memory: relaying %d more messages to reach %d", cfg.relayed-n, cfg.relayed)
		// Each direction in turn, at 90% of its saturation rate, in runs of at most 8 s.
		rates := map[direction]float64{toSlack: 2 * r.cfg.start, toCustomer: 2 * r.cfg.start}
		for _, cv := range r.rep.Frontdesk {
			rates[cv.Dir] = 0.9 * cv.Saturation
		}
		for relayed() < cfg.relayed && ctx.Err() == nil {
			for _, d := range []direction{toSlack, toCustomer} {
				left := float64(cfg.relayed-relayed()) / 2
				dur := min(8*time.Second, time.Duration(left/rates[d]*float64(time.Second))+100*time.Millisecond)
				if st := runStep(ctx, r.tg, d, rates[d], dur, 0, false); st.Lost > 0 {
					return fmt.Errorf("relaying for the memory figure: %d lost", st.Lost)
				}
			}
		}
		w.quiesce(30 * time.Second)
		w.tail.forget()
	}
	if need := cfg.open - r.open; need > 0 {
		logf("memory: opening %d more tickets to have %d open", need, cfg.open)
		t0 := time.Now()
		if err := r.openMany(ctx, need); err != nil {
			return err
		}
		logf("  opened in %.1fs", time.Since(t0).Seconds())
	}
	w.quiesce(10 * time.Second)
	time.Sleep(time.Second)
	m := memoryFigures{OpenTickets: r.open, Relayed: relayed(), RSS: rssBytes(r.fd.pid())}
	var err error
	if m.UsedMemory, err = infoField(ctx, r.rdb, "memory", "used_memory"); err != nil {
		return err
	}
	if m.Keys, err = r.rdb.DBSize(ctx).Result(); err != nil {
		return err
	}
	if os.Getenv("BENCH_HEAP") == "1" {
		_ = r.fd.cmd.Process.Signal(syscall.SIGUSR2) // the instrumented build writes its heap profile
		time.Sleep(3 * time.Second)
	}
	m.Metrics = scrape(r.addr, "go_memstats_heap_inuse_bytes", "go_goroutines", "go_memstats_sys_bytes", "go_memstats_stack_inuse_bytes")
	r.rep.Memory = m
	logf("  with %d open tickets and %d relayed messages: Frontdesk RSS %s (Go heap in use %s, %0.f goroutines, their stacks %s), Redis used_memory %s (%d keys)",
		m.OpenTickets, m.Relayed, mb(m.RSS), mb(int64(m.Metrics["go_memstats_heap_inuse_bytes"])), m.Metrics["go_goroutines"],
		mb(int64(m.Metrics["go_memstats_stack_inuse_bytes"])), mb(m.UsedMemory), m.Keys)
	return nil
}

// memoryFigures are the memory phase's readings.
type memoryFigures struct {
	OpenTickets int
	Relayed     int
	RSS         int64
	UsedMemory  int64
	Keys        int64
	Metrics     map[string]float64
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// openMany opens n tickets, a thousand at a time, each batch's cards posted before the
// next, and counts them open.
func (r *fdRun) openMany(ctx context.Context, n int) error {
	for n > 0 && ctx.Err() == nil {
		batch := min(n, 1000)
		chats, err := r.w.openTickets(ctx, r.addr, batch, 64)
		if err != nil {
			return err
		}
		if err := r.w.waitCards(chats, 120*time.Second); err != nil {
			return err
		}
		r.open += batch
		n -= batch
		r.w.tail.forget()
	}
	return ctx.Err()
}
