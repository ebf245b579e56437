package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// opCost is what one kind of operation costs.
type opCost struct {
	Name        string
	Ops         int
	SlackCalls  float64            // Web API calls per operation
	ByMethod    map[string]float64 // per method, per operation
	Limited     int                // 429s (none expected with the limits off)
	Replayed    float64            // customer messages posted per operation that a pick replayed (not in SlackCalls)
	RedisCmds   float64            // INFO commandstats: every command run, scripts' inside included, net of idle
	Client      float64            // MONITOR: commands clients sent, net of idle
	RoundTrips  float64            // MONITOR: round trips (a pipeline is one), net of idle
	InScripts   float64            // MONITOR: commands run inside scripts
	ByCommand   string             // client commands per operation
	ByScript    string             // EVALSHA per operation, by script
	ScriptInner string             // commands inside scripts per operation
	Scripts     map[string]float64 // EVALSHA per operation, by script name
	Commands    map[string]float64 // client commands per operation, by command

	customerPosts float64 // chat.postMessage under a customer's name, per operation
}

// withoutReplays takes the customer messages a pick replayed (each ticket's opening
// message, held while it was pending) out of the pick's Slack calls: they are relayed
// messages, which cost one call each wherever they are posted, not costs of the pick.
func (c *opCost) withoutReplays() {
	c.Replayed = c.customerPosts
	c.SlackCalls -= c.Replayed
	if c.ByMethod["chat.postMessage"] -= c.Replayed; c.ByMethod["chat.postMessage"] <= 0 {
		delete(c.ByMethod, "chat.postMessage")
	}
}

// ByCommandCount is how many times per operation clients sent cmd.
func (c *opCost) ByCommandCount(cmd string) float64 { return c.Commands[cmd] }

// costWindow runs do (ops operations of one kind) with nothing else going on, waits until
// everything it caused is done, and measures the Slack calls and Redis commands.
func (r *fdRun) costWindow(ctx context.Context, name string, ops int, do func() error) (opCost, error) {
	w := r.w
	calls0 := w.tail.snapshot()
	if err := r.rdb.ConfigResetStat(ctx).Err(); err != nil {
		return opCost{}, err
	}
	mon, err := startMonitor(r.redis.Addr())
	if err != nil {
		return opCost{}, err
	}
	t0 := time.Now()
	err = do()
	w.quiesce(10 * time.Second)
	took := time.Since(t0)
	recs := mon.stop()
	if err != nil {
		return opCost{}, err
	}
	r.dumpMonitor(name, recs)
	stats, err := commandStats(ctx, r.rdb)
	if err != nil {
		return opCost{}, err
	}
	calls := diffCounts(calls0, w.tail.snapshot())
	factor := took.Seconds() / r.idleFor.Seconds()
	oc := opCost{Name: name, Ops: ops, ByMethod: map[string]float64{}, Scripts: map[string]float64{}}
	for k, v := range calls {
		if strings.Contains(k, "!") || strings.Contains(k, ":") {
			if strings.HasSuffix(k, "!ratelimited") {
				oc.Limited += v
			}
			if k == "chat.postMessage:customer" {
				oc.customerPosts = float64(v) / float64(ops)
			}
			continue
		}
		oc.ByMethod[k] = float64(v) / float64(ops)
		oc.SlackCalls += float64(v) / float64(ops)
	}
	rc := summarize(withoutDriver(recs), r.scripts)
	var total float64
	for k, v := range stats {
		if !driverCommand(k) {
			total += float64(v)
		}
	}
	// Net of the background scripts seen in this window and of the idle rate of the rest.
	oc.RedisCmds = (total - float64(rc.Background) - r.idleOther*factor) / float64(ops)
	rc = rc.sub(r.idle, factor)
	oc.Client = float64(rc.Client) / float64(ops)
	oc.RoundTrips = float64(rc.RoundTrips) / float64(ops)
	oc.InScripts = float64(rc.InScripts) / float64(ops)
	oc.ByCommand = perOp(rc.ByCommand, ops)
	oc.ByScript = perOp(rc.ByScript, ops)
	oc.ScriptInner = perOp(rc.ByScriptCommand, ops)
	for k, v := range rc.ByScript {
		oc.Scripts[k] = float64(v) / float64(ops)
	}
	oc.Commands = map[string]float64{}
	for k, v := range rc.ByCommand {
		oc.Commands[k] = float64(v) / float64(ops)
	}
	logf("  cost of %-22s Slack %5.2f/op %v  Redis %5.1f cmds/op (%4.1f round trips, %4.1f in scripts)  %s",
		name, oc.SlackCalls, fmtPerOp(oc.ByMethod), oc.RedisCmds, oc.RoundTrips, oc.InScripts, oc.ByScript)
	return oc, nil
}

// dumpMonitor keeps a cost window's MONITOR capture in the working directory
// (monitor-<name>.txt), for whoever wants to see which command comes from where
// (BENCH_KEEP=1 keeps the directory).
func (r *fdRun) dumpMonitor(name string, recs []monitored) {
	var b strings.Builder
	for _, m := range recs {
		fmt.Fprintf(&b, "%.6f %-21s %-12s %s\n", m.at, m.client, m.cmd, r.scripts[m.arg])
	}
	file := "monitor-" + strings.NewReplacer(" ", "-", "(", "", ")", "", "→", "to").Replace(name) + ".txt"
	if r.prefix != mainPrefix { // another run's windows, of the same names
		file = "monitor-" + strings.TrimSuffix(r.prefix, ":") + "-" + strings.TrimPrefix(file, "monitor-")
	}
	_ = os.WriteFile(filepath.Join(r.dir, file), []byte(b.String()), 0o644)
}

// driverCommand reports whether the benchmark itself sends that command.
func driverCommand(name string) bool {
	return strings.HasPrefix(name, "config") || strings.HasPrefix(name, "info") || name == "monitor" ||
		strings.HasPrefix(name, "memory") || name == "scan" || name == "dbsize" || name == "type"
}

func withoutDriver(recs []monitored) []monitored {
	out := recs[:0:0]
	for _, r := range recs {
		if !driverCommand(r.cmd) {
			out = append(out, r)
		}
	}
	return out
}

func fmtPerOp(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// openedCost opens n tickets and measures what that costs, until every card is posted
// and everything else it caused is done.
func (r *fdRun) openedCost(ctx context.Context, n int) (opCost, []*chat, error) {
	var chats []*chat
	oc, err := r.costWindow(ctx, "ticket opened", n, func() error {
		var err error
		if chats, err = r.w.openTickets(ctx, r.addr, n, 8); err != nil {
			return err
		}
		return r.w.waitCards(chats, 30*time.Second)
	})
	r.open += len(chats)
	return oc, chats, err
}

// costs measures each kind of operation alone: open, pick, relay both ways, transfer,
// end.
func (r *fdRun) costs(ctx context.Context) error {
	w, n := r.w, r.cfg.costOps
	r.waitSinks(r.cfg.sinksWait())
	idle, err := r.idleBaseline(ctx)
	if err != nil {
		return err
	}
	r.rep.IdleRedisPerSec = idle
	oc, chats, err := r.openedCost(ctx, 2*n)
	if err != nil {
		return err
	}
	r.rep.Costs = append(r.rep.Costs, oc)
	if oc, err = r.costWindow(ctx, "pick", 2*n, func() error {
		_, err := w.pickAll(chats, 8, 30*time.Second)
		return err
	}); err != nil {
		return err
	}
	oc.withoutReplays()
	r.rep.Costs = append(r.rep.Costs, oc)

	for _, d := range []direction{toSlack, toCustomer} {
		if oc, err = r.relayCost(ctx, d); err != nil {
			return err
		}
		r.rep.Costs = append(r.rep.Costs, oc)
	}

	transfer, end := chats[:n], chats[n:]
	msgs := r.controlMessages(chats)
	if oc, err = r.costWindow(ctx, "transfer", n, func() error {
		_, err := r.controlAll(transfer, msgs[:n], true, 8)
		return err
	}); err != nil {
		return err
	}
	r.rep.Costs = append(r.rep.Costs, oc)
	if oc, err = r.costWindow(ctx, "end", n, func() error {
		_, err := r.controlAll(end, msgs[n:], false, 8)
		return err
	}); err != nil {
		return err
	}
	r.open -= n
	r.rep.Costs = append(r.rep.Costs, oc)
	return nil
}

// idleBaseline measures Frontdesk's idle background (blocking reads timing out, lease
// renewals), which the cost windows are net of, and returns its Redis commands per second.
func (r *fdRun) idleBaseline(ctx context.Context) (float64, error) {
	r.idleFor = 5 * time.Second
	if r.cfg.smoke {
		r.idleFor = 500 * time.Millisecond
	}
	if err := r.rdb.ConfigResetStat(ctx).Err(); err != nil {
		return 0, err
	}
	mon, err := startMonitor(r.redis.Addr())
	if err != nil {
		return 0, err
	}
	time.Sleep(r.idleFor)
	r.idle = summarize(withoutDriver(mon.stop()), r.scripts)
	idleStats, err := commandStats(ctx, r.rdb)
	if err != nil {
		return 0, err
	}
	r.idleOther = 0
	for k, v := range idleStats {
		if !driverCommand(k) {
			r.idleOther += float64(v)
		}
	}
	perSec := r.idleOther / r.idleFor.Seconds()
	r.idleOther -= float64(r.idle.Background)
	return perSec, nil
}

// waitOutbox waits, at most max, until every outbox group has acknowledged every entry;
// the ✅ marks still to be made, which keep to Slack's pace (see quiesce), are left to
// run in the background.
func (r *fdRun) waitOutbox(max time.Duration) {
	deadline := time.Now().Add(max)
	for !aborted() && time.Now().Before(deadline) {
		all, ok := outboxBacklog(r.addr, `group="`)
		marks, _ := outboxBacklog(r.addr, `group="`+tickets.GroupMarks+`"`)
		if !ok || all-marks == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// relayCostName is the cost window's name for relayed messages in direction d.
func relayCostName(d direction) string {
	if d == toCustomer {
		return "relayed message (S→C)"
	}
	return "relayed message (C→S)"
}

// relayCost is the cost window of 10 × cfg.costOps messages relayed in direction d over
// the target's chats.
func (r *fdRun) relayCost(ctx context.Context, d direction) (opCost, error) {
	relayed, name := 10*r.cfg.costOps, relayCostName(d)
	r.waitSinks(r.cfg.sinksWait())
	if d == toCustomer {
		// The first agent message in each inbox channel after Frontdesk connected has the
		// channel's history read first (bot/gaps.go: nothing Slack has not sent may be
		// overtaken); that is a cost per channel and connection, not per message, so every
		// chat has had one before the window.
		if err := r.warmAgents(ctx); err != nil {
			return opCost{}, err
		}
	}
	// The idle background is measured again just before the window, once every group is
	// done with what came before (the warm-up's delivery marks, say): the window is net
	// of it, and a baseline taken in another moment (a group still busy, say) would
	// shift the figure by tenths of a round trip per message.
	r.waitOutbox(10 * time.Second)
	if _, err := r.idleBaseline(ctx); err != nil {
		return opCost{}, err
	}
	return r.costWindow(ctx, name, relayed, func() error {
		st := runStep(ctx, r.tg, d, float64(relayed)/r.costDur(), time.Duration(r.costDur()*float64(time.Second)), 0, false)
		if st.Lost+st.Refused > 0 || st.Sent != relayed {
			return fmt.Errorf("%s: sent %d, lost %d, refused %d", name, st.Sent, st.Lost, st.Refused)
		}
		return nil
	})
}

// costDur is how long the relay cost windows send.
func (r *fdRun) costDur() float64 {
	if r.cfg.smoke {
		return 0.5
	}
	return 2
}

// warmAgents sends one agent message in every chat of the target (round-robin, so at
// least one each), outside any measurement, and waits for them.
func (r *fdRun) warmAgents(ctx context.Context) error { return warmAgents(ctx, r.tg) }

// warmAgents sends one agent message in every chat of tg (round-robin, so at least one
// each), outside any measurement, and waits for them: the first agent message in each
// inbox channel after Frontdesk connected has the channel's history read first
// (bot/gaps.go), a cost per channel and connection, not per message.
func warmAgents(ctx context.Context, tg *target) error {
	n := len(tg.chats)
	const rate = 400
	st := runStep(ctx, tg, toCustomer, rate, time.Duration(float64(n+1)/rate*float64(time.Second)), 0, true)
	if st.Lost+st.Refused > 0 || st.Sent < n {
		return fmt.Errorf("warming the inbox channels: sent %d of %d, lost %d, refused %d", st.Sent, n, st.Lost, st.Refused)
	}
	return nil
}

// subPerOp is a − b per key, leaving out what is not above 0.005.
func subPerOp(a, b map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range a {
		if d := v - b[k]; d > 0.005 {
			out[k] = d
		}
	}
	return out
}
