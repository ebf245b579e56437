package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report is everything a run measured, and where.
type report struct {
	cfg     config
	Date    time.Time
	Machine string
	Cores   int
	RAM     string
	Kernel  string
	Go      string
	Commit  string
	Command string
	Took    time.Duration

	RedisVersion      string
	Bare, Frontdesk   []curve
	Costs             []opCost
	IdleRedisPerSec   float64
	Closed            closedTickets
	Interactions      interactions
	InteractionLoad   [2]float64
	Memory            memoryFigures
	FrontdeskRSSStart int64
	FrontdeskErrors   int
	Burst             *burstFigures
	NoSinks           *noSinksFigures // the nosinks phase: Frontdesk without the Vitally and AI sinks
	SLA               *slaFigures     // the sla phase: open tickets under SLA policies, while idle
	Stalled           []stallFigures  // the stall phase: the relay with Vitally answering, then hanging
	DriverProfile     string          // go tool pprof -top of the driver during Frontdesk's relay runs
	Groups            []string        // Frontdesk's outbox consumer groups
	Profile           *profileRun     // Frontdesk's CPU profile over a saturation search
	OthersAtStart     float64         // cores other programs used when the runs began
	Problems          []string
}

func newReport(cfg config, root string) *report {
	r := &report{cfg: cfg, Date: time.Now().UTC(), Cores: runtime.NumCPU(), Go: runtime.Version(),
		Command: "make bench (go run ./cmd/bench)"}
	if cfg.smoke {
		r.Command = "BENCH_SMOKE=1 go run ./cmd/bench"
	}
	r.Machine = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		var n int64
		fmt.Sscanf(kb, "%d", &n)
		r.RAM = fmt.Sprintf("%.1f GB", float64(n)/(1<<20))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		r.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	r.Commit = gitCommit(root)
	return r
}

// procField is the value of the first "name : value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// gitCommit is HEAD's short hash, "+ local changes" when the tree differs from it.
func gitCommit(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += " + local changes"
	}
	return c
}

func redisVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "redis-server", "--version").Output()
	if err != nil {
		return "?"
	}
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "v="); ok {
			return v
		}
	}
	return strings.TrimSpace(string(out))
}

// problems records what went wrong with the benchmark itself.
func (r *report) problems(where string, ps []string) {
	for _, p := range ps {
		r.Problems = append(r.Problems, where+": "+p)
	}
}

// curveOf finds a target's curve in one direction.
func curveOf(cs []curve, d direction) *curve {
	for i := range cs {
		if cs[i].Dir == d {
			return &cs[i]
		}
	}
	return nil
}

// costOf finds an operation's cost.
func (r *report) costOf(name string) *opCost {
	for i := range r.Costs {
		if r.Costs[i].Name == name {
			return &r.Costs[i]
		}
	}
	return nil
}

// atFrac is the run of c at fraction f of its saturation.
func (c *curve) atFrac(f float64) *step {
	for i := range c.At {
		if c.At[i].Frac == f {
			return &c.At[i]
		}
	}
	return nil
}

// full is the search's last step: the most load the target got.
func (c *curve) full() *step {
	if len(c.Search) == 0 {
		return nil
	}
	return &c.Search[len(c.Search)-1]
}

func (c *curve) satString() string {
	if c == nil {
		return "—"
	}
	s := fmt.Sprintf("%.0f/s", c.Saturation)
	if c.Capped {
		s = "≥ " + s + " (driver limit)"
	} else if c.Peak > 1.02*c.Saturation {
		s += fmt.Sprintf(" (peak %.0f/s overloaded)", c.Peak)
	}
	return s
}

// target is one line of the targets table.
type targetLine struct {
	what, want, got string
	met             string // "yes", "no", "—"
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}

// bareRatio is the target line of Frontdesk's throughput as a share of the bare
// transport's. The share is shown rounded down, so that it never reads as the target when
// it falls short. When the driver could not offer Frontdesk more than it carried, its
// figure is only a lower bound: so is the share, and a share short of the target then
// tells nothing (met "—").
func bareRatio(d direction, fd, bare *curve) targetLine {
	ratio := fd.Saturation / bare.Saturation
	shown := math.Floor(ratio*100) / 100
	l := targetLine{what: "relay " + d.String() + " vs bare transport", want: "≥ 0.5 × bare",
		got: fmt.Sprintf("%.2f × (%.0f vs %.0f msg/s)", shown, fd.Saturation, bare.Saturation), met: yes(ratio >= 0.5)}
	if fd.Capped {
		l.got = fmt.Sprintf("≥ %.2f × (≥ %.0f vs %.0f msg/s; the load driver's limit, not Frontdesk's)", shown, fd.Saturation, bare.Saturation)
		if ratio < 0.5 {
			l.met = "—"
		}
	}
	return l
}

func (r *report) targets() []targetLine {
	var out []targetLine
	for _, d := range []direction{toSlack, toCustomer} {
		fd, bare := curveOf(r.Frontdesk, d), curveOf(r.Bare, d)
		if fd == nil || bare == nil {
			continue
		}
		got := fd.satString()
		if off := r.NoSinks.curveOf(d); off != nil {
			got += "; sinks off: " + off.satString()
		}
		out = append(out, targetLine{"relay " + d.String(), "≥ 2,000 msg/s per process", got, yes(fd.Saturation >= 2000)})
		out = append(out, bareRatio(d, fd, bare))
		if h := fd.atFrac(0.5); h != nil {
			out = append(out, targetLine{"p99 latency " + d.String() + " at half saturation", "< 50 ms",
				fmt.Sprintf("%s at %.0f msg/s", ms(h.P99), h.Rate), yes(h.P99 > 0 && h.P99 < 50*time.Millisecond)})
		}
		if f := fd.atFrac(0.9); f != nil {
			got := fmt.Sprintf("%s at %.0f msg/s, 90%% of saturation (max %s, %d envelopes)", ms(f.AckP99), f.Rate, ms(f.AckMax), f.Acks)
			if o := fd.full(); o != nil && !o.KeptUp {
				got += fmt.Sprintf("; overloaded at %.0f msg/s offered: %s", o.Rate, ms(o.AckP99))
			}
			out = append(out, targetLine{"Socket Mode ack p99 under full load (" + d.String() + ")", "< 100 ms",
				got, yes(f.Acks > 0 && f.AckP99 < 100*time.Millisecond)})
		}
	}
	for _, f := range r.Stalled {
		out = append(out, stallLine(f))
	}
	for _, name := range []string{"relayed message (C→S)", "relayed message (S→C)"} {
		if c := r.costOf(name); c != nil {
			got := fmt.Sprintf("%.1f (%.1f commands, %.1f more inside scripts)", c.RoundTrips, c.Client, c.InScripts)
			if off := r.NoSinks.costOf(name); off != nil {
				got += fmt.Sprintf("; sinks off: %.1f (%.1f commands, %.1f more inside scripts)", off.RoundTrips, off.Client, off.InScripts)
			}
			out = append(out, targetLine{"Redis round trips per " + name, "≤ 3", got, yes(c.RoundTrips <= 3.05)})
		}
	}
	if l, ok := r.sinksRoundTripsLine(); ok {
		out = append(out, l)
	}
	if c := r.costOf("pick"); c != nil {
		n := c.Scripts["pickScript"]
		out = append(out, targetLine{"atomic scripts deciding a pick", "exactly 1",
			fmt.Sprintf("pickScript %.2f per pick (all scripts: %s)", n, c.ByScript), yes(n > 0.99 && n < 1.01)})
		got := fmt.Sprintf("%.2f (%s)", c.SlackCalls, fmtPerOp(c.ByMethod))
		if c.Replayed > 0 {
			got += fmt.Sprintf("; besides, %.2f held customer messages replayed per pick, relayed messages at one call each", c.Replayed)
		}
		out = append(out, targetLine{"Slack calls per pick", "≤ 5", got, yes(c.SlackCalls <= 5.01)})
	}
	if c := r.costOf("ticket opened"); c != nil {
		// The card's own calls are those of a ticket opened with the sinks off; with them on,
		// the sinks add theirs about the ticket (Vitally's sync line and permalink, the AI's
		// details on the card), shown beside.
		card := c
		got := fmt.Sprintf("%.2f (%s)", c.SlackCalls, fmtPerOp(c.ByMethod))
		if off := r.NoSinks.costOf("ticket opened"); off != nil {
			card = off
			got = fmt.Sprintf("%.2f (%s) with the sinks off; with the sinks on %s, what they add: %s", off.SlackCalls,
				fmtPerOp(off.ByMethod), fmt.Sprintf("%.2f", c.SlackCalls), fmtPerOp(subPerOp(c.ByMethod, off.ByMethod)))
		}
		out = append(out, targetLine{"Slack calls per ticket card", "1", got, yes(card.SlackCalls < 1.01)})
	}
	for _, name := range []string{"relayed message (C→S)", "relayed message (S→C)"} {
		if c := r.costOf(name); c != nil {
			out = append(out, targetLine{"Slack calls per " + name, "1", fmt.Sprintf("%.2f (%s)", c.SlackCalls, fmtPerOp(c.ByMethod)), yes(c.SlackCalls < 1.01)})
		}
	}
	if r.Memory.OpenTickets > 0 {
		out = append(out, targetLine{fmt.Sprintf("Frontdesk RSS with %d open tickets", r.Memory.OpenTickets), "< 100 MB",
			mb(r.Memory.RSS), yes(r.Memory.RSS < 100<<20)})
	}
	if b := r.Burst; b != nil {
		out = append(out, targetLine{"429s reaching users in the burst", "none",
			fmt.Sprintf("%s (Frontdesk got 429s: %s)", b.userImpact(), b.limitedLine()), yes(!b.usersSaw429())})
		out = append(out, targetLine{"time until the last card in the burst", "the limits' minimum",
			fmt.Sprintf("%.1f s (%d of %d cards posted); minimum %.1f s", b.LastCard.Seconds(), b.CardsPosted, b.Tickets, b.Theoretical.Seconds()),
			yes(b.CardsMissing == 0 && b.LastCard <= b.Theoretical*3/2+5*time.Second)})
	}
	return out
}

// table is the summary printed at the end.
func (r *report) table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Frontdesk benchmark — %s, %d cores; %s; redis %s; commit %s\n\n", r.Machine, r.Cores, r.Go, r.RedisVersion, r.Commit)
	fmt.Fprintf(&sb, "%-62s %-28s %-10s %s\n", "target", "wanted", "met", "measured")
	for _, t := range r.targets() {
		fmt.Fprintf(&sb, "%-62s %-28s %-10s %s\n", t.what, t.want, strings.Trim(t.met, "*"), t.got)
	}
	sb.WriteString("\n")
	fmt.Fprintf(&sb, "%-20s %-17s %16s %10s %10s %10s %10s %10s\n", "system", "direction", "load", "msg/s", "p50", "p99", "max", "ack p99")
	var off []curve
	if r.NoSinks != nil {
		off = r.NoSinks.Curves
	}
	for _, cs := range [][]curve{r.Frontdesk, off, r.Bare} {
		for _, c := range cs {
			fmt.Fprintf(&sb, "%-20s %-17s %16s %10s %10s %10s %10s %10s\n", c.Target, c.Dir, "saturation", fmt.Sprintf("%.0f", c.Saturation), "", "", "", "")
			for _, st := range c.At {
				fmt.Fprintf(&sb, "%-20s %-17s %16s %10.0f %10s %10s %10s %10s\n", "", "", fmt.Sprintf("%.0f%%", st.Frac*100),
					st.Throughput, ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP99))
			}
		}
	}
	for _, f := range r.Stalled {
		for i, st := range []step{f.Free, f.Stalled} {
			load := [...]string{"Vitally answers", "Vitally stalled"}[i]
			fmt.Fprintf(&sb, "%-20s %-17s %16s %10.0f %10s %10s %10s %10s\n", st.Target, st.Dir, load,
				st.Throughput, ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP99))
		}
	}
	return sb.String()
}
