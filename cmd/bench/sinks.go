package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/connectors/vitally/vitallytest"
)

// The sinks' figures (GitHub issue 19): the relay's Redis round trips and throughput with
// the Vitally and AI sinks on (the main run) and off (the nosinks phase: Frontdesk again
// with neither configured), and the relay at a fixed rate while Vitally hangs (the stall
// phase, in the main run).

// stallFront stands in front of the Vitally fake (vitallytest, which is not the
// benchmark's to change): Frontdesk's VITALLY_API_URL points here, and every request
// goes through to the fake, except while stalled, when each is held unanswered until
// release, or until Frontdesk's client gives up, as a Vitally that hangs would.
type stallFront struct {
	URL   string
	srv   *httptest.Server
	proxy *httputil.ReverseProxy

	mu      sync.Mutex
	gate    chan struct{} // while stalled; release closes it
	held    int           // requests held now
	heldAll int           // requests held since the stall began
	gaveUp  int           // of those, the ones the client gave up on before release
}

func newStallFront(target string) (*stallFront, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	f := &stallFront{proxy: &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute},
		// A request its client gave up on is no news: answered 502, never logged.
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) },
	}}
	f.srv = httptest.NewServer(f)
	f.URL = f.srv.URL
	return f, nil
}

func (f *stallFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	gate := f.gate
	if gate != nil {
		f.held++
		f.heldAll++
	}
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		f.mu.Lock()
		f.held--
		if r.Context().Err() != nil {
			f.gaveUp++
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
	}
	f.proxy.ServeHTTP(w, r)
}

// stall holds every request from now on until release.
func (f *stallFront) stall() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gate == nil {
		f.gate, f.heldAll, f.gaveUp = make(chan struct{}), 0, 0
	}
}

// release lets the held requests through to the fake, ends the stall, and returns how
// many requests it held and how many of those the client gave up on meanwhile. Releasing
// what is not stalled does nothing.
func (f *stallFront) release() (held, gaveUp int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gate != nil {
		close(f.gate)
		f.gate = nil
	}
	return f.heldAll, f.gaveUp
}

// holding is how many requests are held now.
func (f *stallFront) holding() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held
}

// waitHolding waits until a request is held, at most max, and reports whether one is.
func (f *stallFront) waitHolding(max time.Duration) bool {
	deadline := time.Now().Add(max)
	for f.holding() == 0 {
		if time.Now().After(deadline) || aborted() {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// close releases what is held and stops the front.
func (f *stallFront) close() {
	f.release()
	f.srv.Close()
}

// sinkBacklog is how many outbox entries the sinks' consumer groups (sink:vitally,
// sink:ai) have not acknowledged yet, from Frontdesk's frontdesk_outbox_depth; ok is
// false when it does not tell.
func sinkBacklog(addr string) (n float64, ok bool) { return outboxBacklog(addr, `group="sink:`) }

// outboxBacklog is the outbox entries not yet acknowledged by the groups whose metric
// labels contain match (`group="` for all of them); ok is false when Frontdesk's metrics
// did not say.
func outboxBacklog(addr, match string) (n float64, ok bool) {
	for _, line := range metricsLines(addr) {
		if strings.HasPrefix(line, "frontdesk_outbox_depth{") && strings.Contains(line, match) {
			if i := strings.LastIndexByte(line, ' '); i > 0 {
				v, err := strconv.ParseFloat(line[i+1:], 64)
				n, ok = n+v, ok || err == nil
			}
		}
	}
	return n, ok
}

// waitSinks waits until the sinks have acknowledged every outbox entry, at most max, and
// reports whether they had: a cost window measures one kind of operation alone, and a
// relay run the relay alone, not the sinks still working off what came before.
func (r *fdRun) waitSinks(max time.Duration) bool {
	t0 := time.Now()
	deadline := t0.Add(max)
	first := -1.0
	for !aborted() {
		n, ok := sinkBacklog(r.addr)
		if !ok || n == 0 {
			if took := time.Since(t0); took >= time.Second {
				logf("  waited %.1fs for the sinks' backlog of %.0f outbox entries", took.Seconds(), first)
			}
			return ok
		}
		if first < 0 {
			first = n
		}
		if time.Now().After(deadline) {
			logf("  the sinks still have %.0f outbox entries to do after %.0fs: going on", n, max.Seconds())
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

// sinksWait is the longest the benchmark waits for the sinks' backlog (with Vitally's
// rate limit lifted, the main run's set-up is synced in seconds).
func (c config) sinksWait() time.Duration {
	if c.smoke {
		return 10 * time.Second
	}
	return time.Minute
}

// liftVitallyLimit lifts the Vitally fake's rate limit, or puts Vitally's documented one
// (1,000 requests a minute) back. The benchmark's set-up opens hundreds of tickets in
// seconds, whose syncs would keep the Vitally sink minutes behind under the limit (the
// window full, and the outbox retrying) and spill into the measurements after; with it
// lifted, they are done in seconds.
func (w *world) liftVitallyLimit(lift bool) {
	if lift {
		w.vitally.SetRateLimit(1<<30, vitallytest.DefaultRateWindow)
	} else {
		w.vitally.SetRateLimit(vitallytest.DefaultRateLimit, vitallytest.DefaultRateWindow)
	}
}

// withoutSinks takes the Vitally and AI sinks' configuration out of Frontdesk's
// environment: the AI sink is then off, and Vitally is left to the admin panel, where
// nobody sets it up.
func withoutSinks(env map[string]string) {
	for _, k := range []string{"VITALLY_API_URL", "VITALLY_SECRET", "AI_BASE_URL", "AI_API_KEY", "AI_MODEL"} {
		delete(env, k)
	}
}

// noSinksFigures are the nosinks phase's: Frontdesk with neither sink configured.
type noSinksFigures struct {
	Costs           []opCost // the cost windows: tickets opened, the relay both ways
	Curves          []curve  // the saturation searches, without the runs at fractions of them
	Groups          []string // its outbox consumer groups
	IdleRedisPerSec float64
	Errors          int // error lines in its log
}

// costOf finds an operation's cost in the run without the sinks.
func (f *noSinksFigures) costOf(name string) *opCost {
	if f == nil {
		return nil
	}
	for i := range f.Costs {
		if f.Costs[i].Name == name {
			return &f.Costs[i]
		}
	}
	return nil
}

// curveOf is the run without the sinks' curve in direction d, or nil.
func (f *noSinksFigures) curveOf(d direction) *curve {
	if f == nil {
		return nil
	}
	return curveOf(f.Curves, d)
}

// runNoSinks starts Frontdesk again, on a prefix of its own in a workspace of its own,
// with neither sink configured, and measures the relay's cost windows and saturation both
// ways, as the main run does with the sinks on.
func (b *bench) runNoSinks(ctx context.Context) error {
	cfg := b.cfg
	w, err := newWorld(b.dir, cfg.agents, teamLabels)
	if err != nil {
		return err
	}
	defer w.close()
	r := &fdRun{bench: b, w: w, prefix: "nosinks:", rdb: redis.NewClient(&redis.Options{Addr: b.redis.Addr()})}
	defer r.rdb.Close()
	r.fd, r.addr, err = b.startFrontdeskWith(w, r.prefix, withoutSinks)
	if err != nil {
		return err
	}
	defer r.fd.stop(15 * time.Second)
	f := &noSinksFigures{}
	b.rep.NoSinks = f

	t0 := time.Now()
	chats, err := w.openChats(ctx, r.addr, cfg.chats)
	if err != nil {
		return fmt.Errorf("opening %d chats: %w", cfg.chats, err)
	}
	logf("frontdesk without the sinks (Vitally and AI not configured): %d chats opened and picked in %.1fs", len(chats), time.Since(t0).Seconds())
	r.tg = r.target("Frontdesk, sinks off", chats)
	w.quiesce(5 * time.Second)
	if f.IdleRedisPerSec, err = r.idleBaseline(ctx); err != nil {
		return err
	}
	// A card's own Slack calls, without the calls the sinks make about its ticket.
	oc, _, err := r.openedCost(ctx, 2*cfg.costOps)
	if err != nil {
		return err
	}
	f.Costs = append(f.Costs, oc)
	w.quiesce(5 * time.Second)
	for _, d := range []direction{toSlack, toCustomer} {
		oc, err := r.relayCost(ctx, d)
		if err != nil {
			return err
		}
		f.Costs = append(f.Costs, oc)
	}
	w.tail.forget()
	b.quiet(ctx)
	search := cfg
	search.fracs = nil // the saturation is the figure compared
	for _, d := range []direction{toSlack, toCustomer} {
		f.Curves = append(f.Curves, measure(ctx, r.tg, d, search, r.maxRate(d), logf))
		w.tail.forget()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	f.Groups = r.outboxGroups(ctx)
	f.Errors = r.errorLines()
	b.rep.problems("the simulator without the sinks", w.sim.Problems())
	if counts, bad := w.bot.counts(); bad > 0 {
		b.rep.problems("chatbot without the sinks", []string{fmt.Sprintf("%d callbacks with a bad signature (%v)", bad, counts)})
	}
	return ctx.Err()
}

// stallFigures are the relay in one direction at one offered rate, in rounds of a run
// with Vitally answering and then one with it stalled.
type stallFigures struct {
	Dir     direction
	Tickets int // tickets opened just before each run, which the Vitally sink syncs
	Rounds  []stallRound
	// Free and Stalled are the medians over the rounds (medianStep): the target is
	// judged on them, since one run's p99 moves by more than 10% from run to run.
	Free, Stalled step
	Held, GaveUp  int           // Vitally requests held in the stalled runs, and those Frontdesk gave up on
	Backlog       time.Duration // the longest from a release until the sinks had acknowledged every entry
	Drained       bool          // every backlog was done within the wait
}

// stallRound is one run with Vitally answering and the next with it stalled.
type stallRound struct {
	Free, Stalled step
	Held, GaveUp  int
	Backlog       time.Duration
	Drained       bool
}

// stallRounds is how many rounds the stall phase runs each way: five, since at about
// 20 ms one run's p99 moves by more than the 10% the target allows (three rounds' medians
// of the same build were 21 and 23 ms apart by chance).
func (c config) stallRounds() int {
	if c.smoke {
		return 1
	}
	return 5
}

// medianStep is the runs' figures as one: the median of each of throughput, p50, p99,
// max and ack p99 (of an even number, the higher middle one), what was sent, arrived and
// lost summed, the rest of the first run's.
func medianStep(runs []step) step {
	if len(runs) == 0 {
		return step{}
	}
	med := func(get func(step) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	dur := func(get func(step) time.Duration) time.Duration {
		return time.Duration(med(func(s step) float64 { return float64(get(s)) }))
	}
	m := runs[0]
	m.Sent, m.Arrived, m.Lost = 0, 0, 0
	for _, r := range runs {
		m.Sent, m.Arrived, m.Lost = m.Sent+r.Sent, m.Arrived+r.Arrived, m.Lost+r.Lost
	}
	m.Throughput = med(func(s step) float64 { return s.Throughput })
	m.P50 = dur(func(s step) time.Duration { return s.P50 })
	m.P99 = dur(func(s step) time.Duration { return s.P99 })
	m.Max = dur(func(s step) time.Duration { return s.Max })
	m.AckP99 = dur(func(s step) time.Duration { return s.AckP99 })
	return m
}

// stallTickets is how many tickets are opened before each run of the stall phase.
func (c config) stallTickets() int {
	if c.smoke {
		return 3
	}
	return 20
}

// stalled runs the relay each way at half its saturation rate (half cfg.start when the
// relay phase did not run) for cfg.measDur, in rounds (cfg.stallRounds): first with
// Vitally answering, then with every request to it held for the whole run, released when
// the run is over. Alternating the two spreads the machine's drift over both.
func (r *fdRun) stalled(ctx context.Context) error {
	cfg, w, front := r.cfg, r.w, r.w.vitallyFront
	defer front.release()
	wait := min(30*time.Second, cfg.sinksWait())
	if !r.on("costs") && !r.on("relay") {
		// As in the relay runs, every inbox channel has had its first agent message
		// (which has its history read) before.
		if err := r.warmAgents(ctx); err != nil {
			return err
		}
	}
	for _, d := range []direction{toSlack, toCustomer} {
		rate := cfg.start / 2
		if cv := curveOf(r.rep.Frontdesk, d); cv != nil && cv.Saturation > 0 {
			rate = cv.Saturation / 2
		}
		f := stallFigures{Dir: d, Tickets: cfg.stallTickets(), Drained: true}
		for round := range cfg.stallRounds() {
			var rd stallRound
			for _, stall := range []bool{false, true} {
				if stall {
					front.stall()
				}
				// The Vitally sink syncs a ticket when it opens, is picked, transferred or
				// closed, not when a message is relayed: tickets opened before each run give it
				// requests to make, which hang in the stalled run.
				fresh, err := w.openTickets(ctx, r.addr, f.Tickets, 8)
				if err != nil {
					return err
				}
				r.open += len(fresh)
				if err := w.waitCards(fresh, 30*time.Second); err != nil {
					return err
				}
				if stall {
					front.waitHolding(10 * time.Second)
				} else {
					r.waitSinks(wait)
				}
				w.quiesce(5 * time.Second)
				st := runStep(ctx, r.tg, d, rate, cfg.measDur, cfg.warm, true)
				what := "Vitally answering"
				if stall {
					rd.Stalled = st
					rd.Held, rd.GaveUp = front.release()
					what = fmt.Sprintf("Vitally stalled (%d requests held, %d of them given up by Frontdesk)", rd.Held, rd.GaveUp)
					// The held syncs now go through, and the sink's backlog after them.
					t0 := time.Now()
					rd.Drained = r.waitSinks(wait)
					rd.Backlog = time.Since(t0)
					w.quiesce(10 * time.Second)
				} else {
					rd.Free = st
				}
				logf("  %-15s %-17s %7.0f/s offered  through %7.0f/s  p50 %6s  p99 %7s  max %7s  lost %d  round %d, %s",
					r.tg.name, d, st.Rate, st.Throughput, ms(st.P50), ms(st.P99), ms(st.Max), st.Lost, round+1, what)
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			f.Rounds = append(f.Rounds, rd)
			f.Held, f.GaveUp = f.Held+rd.Held, f.GaveUp+rd.GaveUp
			f.Backlog, f.Drained = max(f.Backlog, rd.Backlog), f.Drained && rd.Drained
		}
		var free, stalled []step
		for _, rd := range f.Rounds {
			free, stalled = append(free, rd.Free), append(stalled, rd.Stalled)
		}
		f.Free, f.Stalled = medianStep(free), medianStep(stalled)
		r.rep.Stalled = append(r.rep.Stalled, f)
	}
	return nil
}

// stallMet judges the stalled-sink target: with Vitally stalled, the relay's throughput
// at least 90% and its p99 at most 110% of the same run's with Vitally answering (more
// throughput or less latency is no fault), and nothing lost.
func stallMet(free, stalled step) bool {
	return stalled.Lost == 0 && stalled.Throughput >= 0.9*free.Throughput && stalled.P99 <= free.P99+free.P99/10
}

// stallLine is the target line of the relay in f.Dir with a stalled sink. A run in which
// no request to Vitally was held tested nothing (met "—").
func stallLine(f stallFigures) targetLine {
	l := targetLine{what: "relay " + f.Dir.String() + " with a stalled sink vs without", want: "throughput and p99 within 10%",
		got: fmt.Sprintf("stalled: %.0f msg/s, p99 %s; answering: %.0f msg/s, p99 %s (%.0f msg/s offered; %d requests to Vitally held through the runs%s)",
			f.Stalled.Throughput, ms(f.Stalled.P99), f.Free.Throughput, ms(f.Free.P99), f.Stalled.Rate, f.Held, roundsNote(len(f.Rounds))),
		met: yes(stallMet(f.Free, f.Stalled))}
	if f.Stalled.Lost > 0 {
		l.got += fmt.Sprintf("; %d lost with Vitally stalled", f.Stalled.Lost)
	}
	switch {
	case f.Held == 0:
		l.got += "; no request to Vitally was held, so the stall was not tested"
		l.met = "—"
	case f.Free.Arrived == 0:
		l.got += "; nothing arrived with Vitally answering, so there is nothing to compare with"
		l.met = "—"
	}
	return l
}

// roundsNote says, when there were several rounds, that the figures are medians.
func roundsNote(n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf("; medians of %d alternating runs each", n)
}

// roundTripsKept judges whether the sinks add no Redis round trips to a relayed message:
// with them, at most 0.1 more than without (the cost windows' noise).
func roundTripsKept(with, without float64) bool { return with <= without+0.1+1e-9 }

// sinksRoundTripsLine is the target line comparing the relay's Redis round trips with the
// sinks on and off, both ways; ok is false when either run lacks a figure.
func (r *report) sinksRoundTripsLine() (l targetLine, ok bool) {
	met := true
	var parts []string
	for _, d := range []direction{toSlack, toCustomer} {
		with, without := r.costOf(relayCostName(d)), r.NoSinks.costOf(relayCostName(d))
		if with == nil || without == nil {
			return l, false
		}
		met = met && roundTripsKept(with.RoundTrips, without.RoundTrips)
		parts = append(parts, fmt.Sprintf("per relayed message %s: %.2f with, %.2f without", d, with.RoundTrips, without.RoundTrips))
	}
	return targetLine{what: "Redis round trips do not rise when the sinks are on",
		want: "with ≤ without + 0.1 each way", got: parts[0] + "; " + parts[1], met: yes(met)}, true
}

// sinksSection renders the sinks' figures: on and off, and stalled.
func (r *report) sinksSection(p func(string, ...any)) {
	f := r.NoSinks
	if f == nil && len(r.Stalled) == 0 {
		return
	}
	p("## The sinks: on, off and stalled\n\n")
	p("Real installs run the Vitally and AI sinks, so every other Frontdesk figure in this file is with them on, against\n")
	p("their fakes (GitHub issue 19). Each sink is an outbox consumer group of its own, and neither acts on a relayed message\n")
	p("(Vitally syncs a ticket when it opens, is picked, transferred, updated, closed or rated; AI enriches it when it\n")
	p("opens and when it closes): adding them should cost the relay nothing, and a sink that hangs should not hold it\n")
	p("up.\n\n")
	if f != nil {
		p("**Sinks on and off.** After the measured run, Frontdesk is started again on a fresh key prefix (`nosinks:`), in a\n")
		p("workspace of its own with as many chats, with `VITALLY_API_URL`, `VITALLY_SECRET`, `AI_BASE_URL`, `AI_API_KEY` and\n")
		p("`AI_MODEL` unset (the AI sink is then off; Vitally is left to the admin panel, where nobody sets it up). It goes\n")
		p("through the relay's cost windows and the same saturation search each way as the measured run (without the runs\n")
		p("at fractions of it). Round trips are counted as in the cost windows below, net of each run's own idle background\n")
		p("(measured just before each relay window; before the first window, %.0f commands/s with the sinks on, %.0f off).\n\n", r.IdleRedisPerSec, f.IdleRedisPerSec)
		p("| direction | saturation, sinks on | sinks off | Redis round trips per message, sinks on | sinks off | client commands, on / off | inside scripts, on / off |\n")
		p("|---|---|---|---|---|---|---|\n")
		for _, d := range []direction{toSlack, toCustomer} {
			on, off := r.costOf(relayCostName(d)), f.costOf(relayCostName(d))
			rt := func(c *opCost) string {
				if c == nil {
					return "—"
				}
				return fmt.Sprintf("%.2f", c.RoundTrips)
			}
			cmds := "—"
			if on != nil && off != nil {
				cmds = fmt.Sprintf("%.1f / %.1f | %.1f / %.1f", on.Client, off.Client, on.InScripts, off.InScripts)
			} else {
				cmds += " | —"
			}
			p("| %s | %s | %s | %s | %s | %s |\n", d, curveOf(r.Frontdesk, d).satString(), f.curveOf(d).satString(), rt(on), rt(off), cmds)
		}
		if len(r.Groups) > 0 || len(f.Groups) > 0 {
			p("\nOutbox consumer groups with the sinks on: %s; off: %s.\n", strings.Join(r.Groups, ", "), strings.Join(f.Groups, ", "))
		}
		p("\nWhat clients sent per relayed message, by command (EVALSHA by script), with the sinks on and off:\n\n")
		p("| operation | sinks on | sinks off |\n|---|---|---|\n")
		for _, d := range []direction{toSlack, toCustomer} {
			if on, off := r.costOf(relayCostName(d)), f.costOf(relayCostName(d)); on != nil && off != nil {
				p("| %s | %s; %s | %s; %s |\n", on.Name, on.ByCommand, on.ByScript, off.ByCommand, off.ByScript)
			}
		}
		p("\n| direction, sinks off | offered/s | sent/s | delivered/s | p50 | p99 | max | ack p99 | lost | refused | CPU cores |\n")
		p("|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, c := range f.Curves {
			for _, st := range c.Search {
				p("| %s | %.0f | %.0f | %.0f | %s | %s | %s | %s | %d | %d | %s |\n", c.Dir, st.Rate, st.SentRate, st.Throughput,
					ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP99), st.Lost, st.Refused, cpuLine(st.CPU))
			}
		}
		p("\n")
	}
	if len(r.Stalled) > 0 {
		s := r.Stalled[0]
		p("**A stalled sink.** Frontdesk reaches the Vitally fake through a pass-through in the benchmark's process\n")
		p("(`stallFront`, cmd/bench/sinks.go). In the measured run, after its saturation searches, the relay runs each way\n")
		p("for %s at half its saturation rate, in %d rounds of two runs: with Vitally answering, then with the pass-through\n", s.Stalled.Dur, len(s.Rounds))
		p("holding every request to it unanswered for the whole run and its drain, as a Vitally that takes connections and\n")
		p("never replies would (Frontdesk's Vitally client gives up after 30 s). Just before each run %d new tickets are\n", s.Tickets)
		p("opened, whose syncs give the sink requests to make: in the stalled runs they hang. Then the held requests go\n")
		p("through to the fake, and the benchmark waits (at most 30 s) until the sinks have acknowledged every outbox entry\n")
		p("(`frontdesk_outbox_depth`) before it goes on. A single run's p99 moves by more than 10%% from one run to the\n")
		p("next, stall or not, so the target is judged on the medians of each kind's runs (the *median* rows).\n\n")
		p("| direction | Vitally | offered/s | delivered/s | p50 | p99 | max | ack p99 | lost | CPU cores | requests to Vitally held |\n")
		p("|---|---|---|---|---|---|---|---|---|---|---|\n")
		row := func(f stallFigures, what string, st step, held string, cpu bool) {
			c := "—"
			if cpu {
				c = cpuLine(st.CPU)
			}
			p("| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %d | %s | %s |\n", f.Dir, what,
				st.Rate, st.Throughput, ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP99), st.Lost, c, held)
		}
		for _, f := range r.Stalled {
			for i, rd := range f.Rounds {
				held := fmt.Sprintf("%d (%d given up by Frontdesk); the sinks' backlog done %s after the release", rd.Held, rd.GaveUp, rd.Backlog.Round(time.Millisecond))
				if !rd.Drained {
					held = fmt.Sprintf("%d (%d given up by Frontdesk); the sinks' backlog not done %s after the release", rd.Held, rd.GaveUp, rd.Backlog.Round(time.Second))
				}
				row(f, fmt.Sprintf("answering (%d)", i+1), rd.Free, "—", true)
				row(f, fmt.Sprintf("stalled (%d)", i+1), rd.Stalled, held, true)
			}
			if len(f.Rounds) > 1 {
				row(f, "**answering, median**", f.Free, "—", false)
				row(f, "**stalled, median**", f.Stalled, fmt.Sprintf("%d in all", f.Held), false)
			}
		}
		p("\n")
	}
}
