package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// instrumentation is a file added to cmd/frontdesk at build time (go build -overlay), for
// the profile run only; the measured binary is built without it and the repository
// never holds it. It changes nothing unless its variable is set.
const instrumentation = `package main

// Added by cmd/bench at build time (go build -overlay) for its profile run; not part of
// Frontdesk.

import (
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

func init() {
	// BENCH_HEAPPROFILE=path: SIGUSR2 writes a heap profile (after a GC), and the
	// goroutines' stacks to path.goroutines.
	if path := os.Getenv("BENCH_HEAPPROFILE"); path != "" {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGUSR2)
		go func() {
			for range sig {
				runtime.GC()
				if f, err := os.Create(path + ".goroutines"); err == nil {
					_ = pprof.Lookup("goroutine").WriteTo(f, 1)
					f.Close()
				}
				if f, err := os.Create(path + ".part"); err == nil {
					_ = pprof.WriteHeapProfile(f)
					f.Close()
					_ = os.Rename(path+".part", path)
				}
			}
		}()
	}
	// BENCH_CPUPROFILE=path: SIGUSR1 starts a CPU profile, the next one writes it.
	path := os.Getenv("BENCH_CPUPROFILE")
	if path == "" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		var f *os.File
		for range sig {
			if f == nil {
				var err error
				if f, err = os.Create(path + ".part"); err == nil && pprof.StartCPUProfile(f) != nil {
					f.Close()
					f = nil
				}
				continue
			}
			pprof.StopCPUProfile()
			f.Close()
			f = nil
			_ = os.Rename(path+".part", path)
		}
	}()
}
`

// buildInstrumented builds cmd/frontdesk with the instrumentation file added.
func buildInstrumented(root, dir string) (string, error) {
	src := filepath.Join(dir, "zz_bench_instrumentation.go")
	if err := os.WriteFile(src, []byte(instrumentation), 0o644); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(root, "cmd", "frontdesk", "zz_bench_instrumentation.go"): src},
	})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "frontdesk-instrumented")
	cmd := exec.Command("go", "build", "-overlay", ov, "-o", out, "./cmd/frontdesk")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -overlay ./cmd/frontdesk: %v\n%s", err, b)
	}
	return out, nil
}

// profileRun is the profile run's figures.
type profileRun struct {
	Curves  []curve
	Profile []string // go tool pprof -top of Frontdesk during the run: by flat time, then cumulative
}

// runProfile runs the instrumented build (the same code, able to take a CPU profile)
// through the same saturation search, with a CPU profile of Frontdesk over it.
func (b *bench) runProfile(ctx context.Context) error {
	cfg := b.cfg
	w, err := newWorld(b.dir, cfg.agents, teamLabels)
	if err != nil {
		return err
	}
	defer w.close()
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env := w.frontdeskEnv(b.redis.URL(), "profile:", addr)
	prof := filepath.Join(b.dir, "frontdesk-profile.pprof")
	env["BENCH_CPUPROFILE"] = prof
	p, err := startProc(b.dir, "frontdesk", "frontdesk-profile", b.fdInstrumented, nil, env)
	if err != nil {
		return err
	}
	p.addr = addr
	defer p.stop(15 * time.Second)
	if err := p.waitReady(60 * time.Second); err != nil {
		return err
	}
	logf("profile: Frontdesk built to take a CPU profile, %d chats", cfg.chats)
	chats, err := w.openChats(ctx, addr, cfg.chats)
	if err != nil {
		return err
	}
	tg := &target{name: "Frontdesk, profiled", w: w, chats: chats, procs: []counted{p.counted(), b.redisCounted()},
		send: func(ctx context.Context, c *chat, seq int) error {
			status, _, err := w.post(ctx, hookURL(addr), hookToken, customerMessage(c, seq))
			if err != nil || status != http.StatusAccepted && status != http.StatusOK {
				return errRefused
			}
			return nil
		}}
	w.quiesce(5 * time.Second)
	search := cfg
	search.fracs = nil
	wi := &profileRun{}
	// One profile per direction (frontdesk-profile-<direction>.pprof in the working
	// directory, kept with BENCH_KEEP=1); the report reads them together.
	var profs []string
	for _, d := range []direction{toSlack, toCustomer} {
		maxRate := cfg.bareMax
		if d == toSlack {
			maxRate = cfg.perChat * float64(len(chats))
		} else if err := warmAgents(ctx, tg); err != nil {
			return err
		}
		_ = p.cmd.Process.Signal(syscall.SIGUSR1) // start the profile
		wi.Curves = append(wi.Curves, measure(ctx, tg, d, search, maxRate, logf))
		w.tail.forget()
		_ = p.cmd.Process.Signal(syscall.SIGUSR1) // write it
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(prof); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		named := filepath.Join(b.dir, "frontdesk-profile-"+d.short()+".pprof")
		if err := os.Rename(prof, named); err != nil {
			logf("profile: no CPU profile of %s: %v", d, err) // the report says pprof failed
			continue
		}
		profs = append(profs, named)
	}
	for _, args := range [][]string{
		{"-top", "-nodecount=30"},
		{"-top", "-cum", "-nodecount=40", "-show=frontdeskhq"},
	} {
		args = append(append(append([]string{"tool", "pprof"}, args...), b.fdInstrumented), profs...)
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			out = append([]byte("go tool pprof failed: "+err.Error()+"\n"), out...)
		}
		wi.Profile = append(wi.Profile, string(out))
	}
	b.rep.Profile = wi
	b.rep.problems("profile simulator", w.sim.Problems())
	return ctx.Err()
}

// profileSection renders the profile run.
func (r *report) profileSection(p func(string, ...any)) {
	wi := r.Profile
	if wi == nil {
		return
	}
	p("## Where Frontdesk's CPU goes\n\n")
	p("The same saturation search against a build of `cmd/frontdesk` with one file added at build time (`go build\n")
	p("-overlay`, never in the repository; see cmd/bench/profile.go) that takes a CPU profile when told to, and\n")
	p("changes nothing else. It is not the measured binary (profiling costs a little CPU), so its rates are shown only\n")
	p("beside the measured ones.\n\n")
	p("| direction | Frontdesk | Frontdesk, profiled | bare transport | other programs during the profiled search |\n|---|---|---|---|---|\n")
	for _, c := range wi.Curves {
		fd, bare := curveOf(r.Frontdesk, c.Dir), curveOf(r.Bare, c.Dir)
		p("| %s | %s | %s | %s | %.2f cores on average |\n", c.Dir, fd.satString(), c.satString(), bare.satString(), c.othersAvg())
	}
	p("\n| direction | offered/s | delivered/s | p50 | p99 | CPU cores | CPU per message | new connections per message (Slack, chatbot) |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range wi.Curves {
		for _, st := range c.Search {
			p("| %s | %.0f | %.0f | %s | %s | %s | %s | %s |\n", c.Dir, st.Rate, st.Throughput, ms(st.P50), ms(st.P99), cpuLine(st.CPU),
				strings.Join(cpuPerMessage(&st), ", "), st.connsLine())
		}
	}
	if len(wi.Profile) == 2 {
		p("\nFrontdesk's CPU profile over that whole search, by own time (`go tool pprof -top`):\n\n```\n%s```\n\n", wi.Profile[0])
		p("The same by cumulative time, Frontdesk's own functions only (`-top -cum -show=frontdeskhq`):\n\n```\n%s```\n\n", wi.Profile[1])
	}
}
