package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// direction is which way messages go.
type direction int

const (
	toSlack    direction = iota // a customer's message: webhook in → posted in the inbox channel
	toCustomer                  // an agent's message: Slack event in → POSTed to the chatbot
)

func (d direction) String() string {
	if d == toSlack {
		return "customer → Slack"
	}
	return "Slack → customer"
}

// short names d in file names.
func (d direction) short() string {
	if d == toSlack {
		return "to-slack"
	}
	return "to-customer"
}

// target is a system under load: Frontdesk, or the bare transport.
type target struct {
	name  string
	w     *world
	chats []*chat
	procs []counted // whose CPU time is accounted: the target's processes
	// send hands the customer message seq of chat c to the target.
	send func(ctx context.Context, c *chat, seq int) error
	rr   int // round-robin position over chats
	// metrics is the address whose /metrics tells the target's own ack times and
	// scheduling waits (Frontdesk's; empty for the bare transport).
	metrics string
}

// step is one run at an offered rate, and what came of it.
type step struct {
	Target     string
	Dir        direction
	Rate       float64       // offered, messages/s
	Frac       float64       // the fraction of the saturation rate Rate is, for runs after the search
	Dur        time.Duration // sending window
	Sent       int
	SentRate   float64
	Refused    int // the target did not take them (not 2xx)
	Arrived    int
	Lost       int // taken but not arrived when the drain gave up
	Throughput float64
	P50, P99   time.Duration
	Max        time.Duration
	Acks       int // Socket Mode envelopes written during the window and acked
	AckP50     time.Duration
	AckP99     time.Duration
	AckMax     time.Duration
	Unacked    int
	CPU        []cpuUse
	Drain      time.Duration // from the end of sending until the last arrival (or giving up)
	KeptUp     bool
	Confirm    bool // a run of the search's last kept-up rate for as long as the measured runs
	// The target's own view (Frontdesk's /metrics) over the run and its drain: its time
	// from taking an envelope to handing its ack to the connection
	// (frontdesk_slack_envelope_ack_seconds; p50 and p99 as bucket bounds), and the share
	// of goroutines that waited more than 10 ms for a CPU (go_sched_latencies_seconds).
	OwnAckP50, OwnAckP99 float64
	SchedOver10ms        float64
	// New TCP connections the simulator's server (Slack) and the chatbot's endpoint
	// accepted during the run and its drain.
	SlackConns, HookConns int64
}

// cpuUse is how many cores a process used during a window.
type cpuUse struct {
	Name  string
	Cores float64
}

// counted is a process whose CPU time a run accounts for.
type counted struct {
	name string
	pid  int
}

// cpuSnapshot reads the CPU time of each process, of this one, and of the whole machine.
func cpuSnapshot(procs []counted) []time.Duration {
	out := make([]time.Duration, 0, len(procs)+2)
	for _, p := range procs {
		out = append(out, cpuTime(p.pid))
	}
	return append(out, cpuTime(os.Getpid()), machineBusy())
}

// cpuUses is the cores each process used between two snapshots, then "driver+sim" (this
// process) and "others" (everything else on the machine: the kernel's own work, and any
// other program running meanwhile).
func cpuUses(procs []counted, a, b []time.Duration, d time.Duration) []cpuUse {
	var out []cpuUse
	ours := 0.0
	for i := 0; i < len(a)-1; i++ {
		name := "driver+sim"
		if i < len(procs) {
			name = procs[i].name
		}
		c := (b[i] - a[i]).Seconds() / d.Seconds()
		ours += c
		out = append(out, cpuUse{name, c})
	}
	machine := (b[len(b)-1] - a[len(a)-1]).Seconds() / d.Seconds()
	return append(out, cpuUse{"others", math.Max(0, machine-ours)})
}

// runStep offers rate messages/s in direction d for dur, open loop (each message leaves
// on schedule whether or not the previous ones were answered, at most maxInFlight
// outstanding), then waits for them to arrive. Throughput counts arrivals in the window
// after warm.
//
// With settle, it also waits until every Socket Mode envelope is acked and Slack and the
// chatbot hear nothing more, so that the next step starts from an idle system.
func runStep(ctx context.Context, tg *target, d direction, rate float64, dur, warm time.Duration, settle bool) step {
	w := tg.w
	tr := w.cust
	if d == toCustomer {
		tr = w.agent
	}
	st := step{Target: tg.name, Dir: d, Rate: rate, Dur: dur}
	// This process holds the simulator, whose workspace keeps every message sent, so its
	// live heap grows to a few hundred MB over a run, and a collection's mark phase then
	// takes 100-300 ms of wall time on two busy cores, slowing the simulator's handlers
	// (and the timestamps taken in them) while it runs. Collecting here, between steps,
	// leaves the next one due after about 4 times the live heap (SetGCPercent(400)),
	// which a step does not allocate: the latencies measured are the target's, not this
	// process's.
	runtime.GC()
	// Read only around measured runs (settle): a scrape has Frontdesk read its outbox
	// stats from Redis, which a cost window (settle false) would count as the relay's.
	metrics := ""
	if settle {
		metrics = tg.metrics
	}
	before := scrapeHistograms(metrics, ackMetric, schedMetric)
	a := tr.next()
	_, envPos := w.sim.DeliveriesFrom(math.MaxInt)
	slack0, hook0 := w.sim.ClientConnections(), w.bot.conns.Load()
	cpu0 := cpuSnapshot(tg.procs)
	const maxInFlight = 4096
	sem := make(chan struct{}, maxInFlight)
	var refusedMu sync.Mutex
	refused := map[int]bool{}
	var inflight sync.WaitGroup
	var sent atomic.Int64
	total := int(rate*dur.Seconds() + 0.5)
	t0 := time.Now()
	for i := 0; i < total && ctx.Err() == nil; {
		due := min(total, int(time.Since(t0).Seconds()*rate)+1)
		for ; i < due; i++ {
			c := tg.chats[tg.rr%len(tg.chats)]
			tg.rr++
			sem <- struct{}{}
			inflight.Add(1)
			go func() {
				defer func() { <-sem; inflight.Done() }()
				seq := tr.begin()
				sent.Add(1)
				if d == toCustomer {
					c.agent.Post(c.inbox, agentMark+strconv.Itoa(seq)+filler)
					return
				}
				if err := tg.send(ctx, c, seq); err != nil {
					refusedMu.Lock()
					refused[seq] = true
					refusedMu.Unlock()
				}
			}()
		}
		if i < total {
			time.Sleep(time.Millisecond)
		}
	}
	if d := time.Until(t0.Add(dur)); d > 0 && ctx.Err() == nil {
		time.Sleep(d)
	}
	t1 := time.Now()
	cpu1 := cpuSnapshot(tg.procs)
	inflight.Wait()
	b := tr.next()
	st.Sent = b - a
	st.SentRate = float64(st.Sent) / t1.Sub(t0).Seconds()
	st.Refused = len(refused)

	// Drain: until everything taken arrived, or nothing new arrived for 5 s.
	last, lastChange := -1, time.Now()
	for ctx.Err() == nil {
		n := tr.arrivedIn(a, b)
		if n+st.Refused >= st.Sent {
			break
		}
		if n != last {
			last, lastChange = n, time.Now()
		} else if time.Since(lastChange) > 5*time.Second {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if settle {
		w.waitEnvelopes(envPos, 60*time.Second)
		w.quiesce(30 * time.Second)
	}
	st.SlackConns, st.HookConns = w.sim.ClientConnections()-slack0, w.bot.conns.Load()-hook0
	sentAt, doneAt := tr.span(a, b)
	var lat []time.Duration
	var lastArrival time.Time
	for k := range sentAt {
		if doneAt[k].IsZero() {
			if !refused[a+k] {
				st.Lost++
			}
			continue
		}
		lat = append(lat, doneAt[k].Sub(sentAt[k]))
		if doneAt[k].After(lastArrival) {
			lastArrival = doneAt[k]
		}
	}
	st.Arrived = len(lat)
	st.P50, st.P99, st.Max = quantiles(lat)
	if lastArrival.After(t1) {
		st.Drain = lastArrival.Sub(t1)
	}
	st.Throughput = float64(tr.arrivalsBetween(t0.Add(warm), t1)) / (t1.Sub(t0) - warm).Seconds()
	st.CPU = cpuUses(tg.procs, cpu0, cpu1, t1.Sub(t0))

	ds, _ := w.sim.DeliveriesFrom(envPos)
	var acks []time.Duration
	for _, e := range ds {
		if e.Written.IsZero() || e.Written.Before(t0) || e.Written.After(t1) {
			continue
		}
		switch {
		case e.Acked:
			acks = append(acks, e.Latency)
		case !e.Dropped:
			st.Unacked++
		}
	}
	st.Acks = len(acks)
	st.AckP50, st.AckP99, st.AckMax = quantiles(acks)
	if metrics != "" {
		after := scrapeHistograms(metrics, ackMetric, schedMetric)
		own := after[ackMetric].since(before[ackMetric])
		st.OwnAckP50, st.OwnAckP99 = own.quantile(0.5), own.quantile(0.99)
		st.SchedOver10ms = after[schedMetric].since(before[schedMetric]).over(0.010)
	}
	st.KeptUp = st.SentRate >= 0.95*rate && st.Throughput >= 0.95*rate && st.Lost == 0 && st.Refused == 0 &&
		st.P99 < keptUpP99
	return st
}

// The histograms of Frontdesk's /metrics a run reads.
const (
	ackMetric   = "frontdesk_slack_envelope_ack_seconds"
	schedMetric = "go_sched_latencies_seconds"
)

// keptUpP99 is the p99 latency above which a run counts as not kept up: a queue was
// building.
const keptUpP99 = 250 * time.Millisecond

// quantiles returns p50, p99 and max (zeros for none).
func quantiles(ds []time.Duration) (p50, p99, maxd time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(math.Ceil(q*float64(len(s))))-1)] }
	return at(0.50), at(0.99), s[len(s)-1]
}

// curve is a target's figures in one direction: the search for its saturation rate and
// the runs at fractions of it.
type curve struct {
	Target string
	Dir    direction
	Search []step
	// Saturation is the most messages per second it delivered in a run it kept up with
	// (the sustained rate); Peak the most it delivered in any run, overloaded ones too.
	Saturation float64
	Peak       float64
	Capped     bool // the search stopped at the driver's limit before the target saturated
	Cap        float64
	At         []step // at cfg.fracs of Saturation
}

// measure finds the saturation rate of tg in direction d: rates from cfg.start, ×cfg.factor
// each step, until a step does not keep up (or maxRate or cfg.maxSteps is reached); then
// cfg.bisect more steps halve the gap between the last rate it kept up with and the
// first it did not, and confirms the rate it kept up with in a longer run. Then it runs at
// each of cfg.fracs of the saturation rate, the highest first.
func measure(ctx context.Context, tg *target, d direction, cfg config, maxRate float64, logf func(string, ...any)) curve {
	cv := curve{Target: tg.name, Dir: d, Cap: maxRate}
	try := func(rate float64) step {
		st := runStep(ctx, tg, d, rate, cfg.stepDur, cfg.warm, true)
		cv.Search = append(cv.Search, st)
		logf("  %-15s %-17s offered %7.0f/s  sent %7.0f/s  through %7.0f/s  p50 %6s  p99 %7s  lost %d refused %d  ack p99 %s  cpu %s  conns/msg %s  %s",
			tg.name, d, st.Rate, st.SentRate, st.Throughput, ms(st.P50), ms(st.P99), st.Lost, st.Refused, ms(st.AckP99), cpuLine(st.CPU),
			st.connsLine(), map[bool]string{true: "kept up", false: "saturated"}[st.KeptUp])
		cv.Peak = max(cv.Peak, st.Throughput)
		if st.KeptUp {
			cv.Saturation = max(cv.Saturation, st.Throughput)
		}
		return st
	}
	lo, hi := 0.0, 0.0 // the last rate it kept up with, the first it did not
	for rate := cfg.start; ctx.Err() == nil; rate = min(rate*cfg.factor, maxRate) {
		if st := try(rate); !st.KeptUp {
			hi = rate
			break
		}
		lo = rate
		if rate >= maxRate || len(cv.Search) == cfg.maxSteps {
			cv.Capped, cv.Cap = true, rate
			break
		}
	}
	for i := 0; i < cfg.bisect && hi > 0 && lo > 0 && ctx.Err() == nil; i++ {
		mid := (lo + hi) / 2
		if try(mid).KeptUp {
			lo = mid
		} else {
			hi = mid
		}
	}
	// The search's runs are short (cfg.stepDur): at a rate a little over what the target
	// can hold, the backlog grows too little in that time to show. So the last rate it
	// kept up with is run again for as long as the measured runs (cfg.measDur), and
	// lowered by 5% until the target keeps up with it for that long (cfg.confirm tries);
	// the saturation is that run's throughput.
	for i, rate := 0, lo; i < cfg.confirm && lo > 0 && ctx.Err() == nil; i, rate = i+1, rate*0.95 {
		st := runStep(ctx, tg, d, rate, cfg.measDur, cfg.warm, true)
		st.Confirm = true
		cv.Search = append(cv.Search, st)
		logf("  %-15s %-17s confirm %7.0f/s  through %7.0f/s  p50 %6s  p99 %7s  lost %d  ack p99 %s  cpu %s  %s",
			tg.name, d, st.Rate, st.Throughput, ms(st.P50), ms(st.P99), st.Lost, ms(st.AckP99), cpuLine(st.CPU),
			map[bool]string{true: "kept up", false: "saturated"}[st.KeptUp])
		cv.Peak = max(cv.Peak, st.Throughput)
		cv.Saturation = st.Throughput
		if st.KeptUp {
			break
		}
	}
	if cv.Saturation == 0 { // it kept up with nothing: the best it did
		cv.Saturation = cv.Peak
	}
	// Full load first, right after the search, so that what the machine gives the
	// processes has had the least time to change since the saturation was measured.
	for _, f := range slices.Backward(slices.Sorted(slices.Values(cfg.fracs))) {
		if ctx.Err() != nil {
			break
		}
		st := runStep(ctx, tg, d, f*cv.Saturation, cfg.measDur, cfg.warm, true)
		st.Frac = f
		cv.At = append([]step{st}, cv.At...)
		logf("  %-15s %-17s at %3.0f%%: %7.0f/s  through %7.0f/s  p50 %6s  p99 %7s  max %7s  lost %d  ack p99 %s (own ≤ %s, waits > 10 ms %.1f%%)  cpu %s",
			tg.name, d, f*100, st.Rate, st.Throughput, ms(st.P50), ms(st.P99), ms(st.Max), st.Lost, ms(st.AckP99),
			secs(st.OwnAckP99), 100*st.SchedOver10ms, cpuLine(st.CPU))
	}
	return cv
}

func cpuLine(us []cpuUse) string {
	s := ""
	for i, u := range us {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s %.2f", u.Name, u.Cores)
	}
	return s
}

// ms renders a duration in milliseconds.
func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// waitEnvelopes waits until every envelope queued from position pos on was acked (or
// dropped with its connection), at most max.
func (w *world) waitEnvelopes(pos int, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) && !aborted() {
		ds, _ := w.sim.DeliveriesFrom(pos)
		open := 0
		for _, d := range ds {
			if !d.Acked && !d.Dropped {
				open++
			}
		}
		if open == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// connsLine is the new connections per message to Slack and to the chatbot.
func (st *step) connsLine() string {
	if st.Sent == 0 {
		return "—"
	}
	return fmt.Sprintf("slack %.2f chatbot %.2f", float64(st.SlackConns)/float64(st.Sent), float64(st.HookConns)/float64(st.Sent))
}
