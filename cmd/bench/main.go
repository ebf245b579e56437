// Command bench is Frontdesk's load driver (make bench, GitHub issue 10). It builds the
// real binary and a bare transport (cmd/bench/bare: the same libraries doing only the
// transport, with no state and no durability), starts a redis-server of its own on a
// spare loopback port (no persistence), runs the Slack simulator (bot/slacktest) and a
// fake chatbot endpoint in this process, and measures:
//
//   - relay in both directions (customer → Slack: a webhook MESSAGE until its
//     chat.postMessage in the inbox channel; Slack → customer: an agent's message event
//     until the AGENT_MESSAGE POST at the chatbot), at increasing offered load until it
//     saturates, then p50/p99/max latency at 25%, 50% and 90% of the saturation rate,
//     and Socket Mode ack times, for Frontdesk and for the bare transport;
//   - interactions: Pick clicks and Live Chat Control submissions (transfer, end): time
//     to ack and to the resulting card update;
//   - cost per operation: Redis commands (INFO commandstats after CONFIG RESETSTAT, and
//     MONITOR to tell round trips from commands run inside scripts) and Slack Web API
//     calls per ticket opened, pick, relayed message, transfer and end;
//   - memory: Frontdesk's RSS and Redis's used_memory with 10,000 open tickets and
//     100,000 relayed messages, and Redis bytes per closed ticket with a 20-message
//     transcript;
//   - sla: 10,000 open tickets under SLA policies, their timers armed: the timer sets'
//     memory and Redis's commands a minute while idle, before and after (sla.go);
//   - with the simulator's model of Slack's rate limits on: a burst of 200 new tickets
//     across 4 ticketing channels beside 50 busy chats;
//   - profile: the same search against a build of cmd/frontdesk with one file added at
//     build time (go build -overlay; see profile.go) that takes a CPU profile of
//     Frontdesk. The measured binary is built without it.
//   - the sinks (GitHub issue 19; sinks.go): the measured run has the Vitally and AI sinks
//     on, against fakes in this process; "nosinks" starts Frontdesk again on a key prefix
//     and in a workspace of its own with neither configured, and repeats the relay's cost
//     windows and its saturation search both ways, so that round trips and throughput
//     compare with and without them; "stall", in the measured run, relays at half the
//     saturation rate each way with Vitally answering, then with every request to it held
//     unanswered for the whole run (Frontdesk reaches the fake through a pass-through in
//     this process, stallFront) and released when the run ends.
//
// Usage, from the repository:
//
//	go run ./cmd/bench               # the full run (9 to 13 minutes on 2 cores); writes BENCHMARKS.md
//	BENCH_SMOKE=1 go run ./cmd/bench # a few seconds: checks the benchmark still runs; writes nothing
//	BENCH_PHASES=relay,costs go run ./cmd/bench # only some phases (bare, costs, relay, stall,
//	                                 # interactions, memory, nosinks, sla, profile, burst); writes no BENCHMARKS.md
//
// It prints a table and, in a full run, writes BENCHMARKS.md at the repository's root:
// that file is the latest real run and is never edited by hand. BENCH_OUT=path writes
// the report elsewhere (in smoke mode too). BENCH_KEEP=1 keeps the working directory
// (every process's log, and each cost window's MONITOR capture) instead of removing it.
// BENCH_HEAP=1 (with BENCH_PHASES, say memory) runs the instrumented build (see
// profile.go) in the measured run's place and writes its heap profile, with the 10,000
// tickets open, to heap-bench.pprof (and its goroutines to heap-bench.pprof.goroutines) in
// the kept working directory: to see what holds the RSS.
//
// It needs Go and redis-server on PATH. It judges no speed (CI runs the smoke mode only
// to see that it still works), but it exits non-zero when the benchmark itself breaks (a
// message lost, a process that will not start, a phase that fails). A full run waits up
// to 90 s for other programs to leave the CPU alone before it starts (and up to 30 s
// before each throughput phase), and reports how much they used.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/frontdeskhq/frontdesk/store/redisserver"
)

// config sizes a run.
type config struct {
	smoke  bool
	phases map[string]bool // nil: every phase

	agents   int // agents, each in every ticketing channel
	chats    int // chats relaying both ways (Frontdesk, and channels for the bare transport)
	bareMax  float64
	stepDur  time.Duration // each step of the saturation search
	measDur  time.Duration // each run at a fraction of the saturation rate
	warm     time.Duration // left out of throughput at the start of a step
	start    float64       // the search's first rate
	bareFrom float64       // the bare transport's (it goes further)
	factor   float64       // and how it grows
	maxSteps int           // the search's most steps
	bisect   int           // steps halving the gap after the first rate it did not keep up with
	confirm  int           // runs, each 5% lower, confirming the rate kept up with for measDur
	perChat  float64       // at most this many customer messages per second per chat (the webhook allows 5)
	fracs    []float64
	costOps  int // operations of each kind in the cost windows
	picks    int // timed picks
	controls int // timed transfers, and as many ends
	open     int // open tickets for the memory figure
	relayed  int // relayed messages for the memory figure
	closed   int // closed tickets for bytes per closed ticket
	closedN  int // messages in each of their transcripts

	burstTickets, burstBusy int
	busyEvery               time.Duration // each busy chat: a customer message and an agent message this often
	burstTail               time.Duration // how long busy chats go on after the last card
}

func fullConfig() config {
	return config{
		agents: 20, chats: 1000, bareMax: 40000,
		stepDur: 4 * time.Second, measDur: 6 * time.Second, warm: time.Second,
		start: 250, bareFrom: 400, factor: 1.6, maxSteps: 10, bisect: 2, confirm: 3, perChat: 4.5, fracs: []float64{0.25, 0.5, 0.9},
		costOps: 40, picks: 100, controls: 40,
		open: 10000, relayed: 100000, closed: 200, closedN: 20,
		burstTickets: 200, burstBusy: 50, busyEvery: 20 * time.Second, burstTail: 10 * time.Second,
	}
}

func smokeConfig() config {
	return config{
		smoke: true, agents: 4, chats: 20, bareMax: 400,
		stepDur: 300 * time.Millisecond, measDur: 300 * time.Millisecond, warm: 50 * time.Millisecond,
		start: 60, bareFrom: 60, factor: 2, maxSteps: 1, bisect: 1, confirm: 1, perChat: 4.5, fracs: []float64{0.5},
		costOps: 4, picks: 6, controls: 3,
		open: 60, relayed: 200, closed: 6, closedN: 20,
		burstTickets: 16, burstBusy: 3, busyEvery: time.Second, burstTail: 500 * time.Millisecond,
	}
}

func main() {
	cfg := fullConfig()
	if os.Getenv("BENCH_SMOKE") == "1" {
		cfg = smokeConfig()
	}
	if p := os.Getenv("BENCH_PHASES"); p != "" {
		cfg.phases = map[string]bool{}
		for _, name := range strings.Split(p, ",") {
			cfg.phases[strings.TrimSpace(name)] = true
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		close(stopping)
	}()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// stopping is closed when the run is interrupted: every wait gives up at once.
var stopping = make(chan struct{})

func aborted() bool {
	select {
	case <-stopping:
		return true
	default:
		return false
	}
}

// logf prints a progress line with the time since the start.
var logf = func() func(string, ...any) {
	began := time.Now()
	var mu sync.Mutex
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf("[%6.1fs] %s\n", time.Since(began).Seconds(), fmt.Sprintf(format, args...))
	}
}()

func run(ctx context.Context, cfg config) error {
	began := time.Now()
	// The simulator keeps a whole workspace in this process; fewer collections leave
	// more of the two cores to the processes under test.
	debug.SetGCPercent(400)
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "frontdesk-bench-")
	if err != nil {
		return err
	}
	keep := os.Getenv("BENCH_KEEP") == "1"
	defer func() {
		if keep {
			fmt.Println("bench: logs kept in", dir)
		} else {
			_ = os.RemoveAll(dir)
		}
	}()
	rep := newReport(cfg, root)
	logf("building cmd/frontdesk and cmd/bench/bare")
	var fdBin, bareBin, instrBin string
	var fdErr, bareErr, instrErr error
	var wg sync.WaitGroup
	wg.Go(func() { fdBin, fdErr = build(root, dir, "./cmd/frontdesk", "frontdesk") })
	wg.Go(func() { bareBin, bareErr = build(root, dir, "./cmd/bench/bare", "bare") })
	wg.Go(func() { instrBin, instrErr = buildInstrumented(root, dir) })
	wg.Wait()
	for _, err := range []error{fdErr, bareErr, instrErr} {
		if err != nil {
			return err
		}
	}
	redis, err := startRedis(ctx, dir)
	if err != nil {
		return err
	}
	defer redis.Stop(5 * time.Second)
	rep.RedisVersion = redisVersion(ctx)
	logf("redis-server on %s (no persistence); working directory %s", redis.Addr(), dir)

	if !cfg.smoke {
		rep.OthersAtStart = waitQuiet(ctx, 0.25, 90*time.Second)
	}
	if os.Getenv("BENCH_HEAP") == "1" {
		fdBin, keep = instrBin, true
	}
	b := &bench{cfg: cfg, root: root, dir: dir, fdBin: fdBin, bareBin: bareBin, fdInstrumented: instrBin, redis: redis, rep: rep,
		scripts: scriptNames(root)}
	err = b.all(ctx)
	rep.Took = time.Since(began)
	if err != nil {
		keep = true
		return err
	}
	fmt.Println()
	fmt.Print(rep.table())
	out := os.Getenv("BENCH_OUT")
	if out == "" && !cfg.smoke && cfg.phases == nil {
		out = filepath.Join(root, "BENCHMARKS.md")
	}
	if out != "" {
		if err := os.WriteFile(out, []byte(rep.markdown()), 0o644); err != nil {
			return err
		}
		fmt.Println("bench: wrote", out)
	}
	if len(rep.Problems) > 0 {
		keep = true
		return fmt.Errorf("the benchmark itself went wrong: %v", rep.Problems)
	}
	fmt.Printf("bench: done in %.0fs\n", time.Since(began).Seconds())
	return nil
}

// waitQuiet waits until the rest of the machine uses less than cores, at most max (the
// figures are only worth what the machine gave them), and returns what it used last.
func waitQuiet(ctx context.Context, cores float64, max time.Duration) float64 {
	deadline := time.Now().Add(max)
	for {
		a, self := machineBusy(), cpuTime(os.Getpid())
		time.Sleep(2 * time.Second)
		others := ((machineBusy() - a) - (cpuTime(os.Getpid()) - self)).Seconds() / 2
		if others < cores || time.Now().After(deadline) || ctx.Err() != nil {
			return others
		}
		logf("other programs use %.2f cores: waiting for a quieter machine (at most until %s)", others, deadline.Format("15:04:05"))
	}
}

// quiet waits, in a full run, up to 30 s for other programs to leave the CPU alone.
func (b *bench) quiet(ctx context.Context) {
	if !b.cfg.smoke {
		waitQuiet(ctx, 0.25, 30*time.Second)
	}
}

// bench is one run: its configuration, binaries, Redis and report.
type bench struct {
	cfg            config
	root, dir      string
	fdBin, bareBin string
	fdInstrumented string // cmd/frontdesk with profile.go's instrumentation, for the profile run only
	redis          *redisserver.Server
	rep            *report
	scripts        map[string]string // EVALSHA sha → script name
}

// redisCounted is the benchmark's redis-server for the CPU accounting.
func (b *bench) redisCounted() counted { return counted{"redis", b.redis.PID()} }

// on reports whether a phase runs (BENCH_PHASES).
func (b *bench) on(phase string) bool { return b.cfg.phases == nil || b.cfg.phases[phase] }

// all runs every phase in turn. A phase that fails is noted among the run's problems
// and the next one runs: the report shows what was measured (and the run exits
// non-zero).
func (b *bench) all(ctx context.Context) error {
	phase := func(name string, f func(context.Context) error) {
		if ctx.Err() != nil {
			return
		}
		if err := f(ctx); err != nil && ctx.Err() == nil {
			logf("%s failed: %v", name, err)
			b.rep.problems(name, []string{err.Error()})
		}
	}
	if b.on("bare") {
		phase("bare transport", b.runBare)
	}
	b.quiet(ctx)
	if b.on("costs") || b.on("relay") || b.on("stall") || b.on("interactions") || b.on("memory") {
		phase("frontdesk", b.runFrontdesk)
	}
	b.quiet(ctx)
	if b.on("nosinks") {
		phase("frontdesk without the sinks", b.runNoSinks)
	}
	b.quiet(ctx)
	if b.on("sla") {
		phase("open tickets under SLA policies", b.runSLA)
	}
	b.quiet(ctx)
	if b.on("profile") {
		phase("profile", b.runProfile)
	}
	if b.on("burst") {
		phase("burst with Slack's limits", b.runBurst)
	}
	return ctx.Err()
}

// startProfile takes a CPU profile of this process (the driver and the simulator) until
// the returned function is called, then keeps go tool pprof's top functions for the
// report.
func (b *bench) startProfile() func() {
	path := filepath.Join(b.dir, "driver.pprof")
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=25", path).CombinedOutput()
		if err == nil {
			b.rep.DriverProfile = string(out)
		}
	}
}
