package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
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
	p, err := startProc(b.dir, "frontdesk", "frontdesk-"+strings.TrimSuffix(prefix, ":"), b.fdBin, nil, w.frontdeskEnv(b.redis.url(), prefix, addr))
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
	r := &fdRun{bench: b, w: w, prefix: "bench:", rdb: redis.NewClient(&redis.Options{Addr: b.redis.addr})}
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
	r.tg = &target{name: "Frontdesk", w: w, chats: chats, procs: []*proc{r.fd, b.redis.proc},
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
	if gs, err := r.rdb.XInfoGroups(ctx, r.prefix+"{0}:outbox").Result(); err == nil {
		for _, g := range gs {
			b.rep.Groups = append(b.rep.Groups, g.Name)
		}
		sort.Strings(b.rep.Groups)
	}
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

// quietFor is how long Slack and the chatbot must hear nothing for the system to count
// as idle (shorter in smoke mode).
var quietFor = 300 * time.Millisecond

// quiesce waits until no Web API call and no chatbot callback happened for quietFor (at
// most max).
func (w *world) quiesce(max time.Duration) {
	deadline := time.Now().Add(max)
	total := func() int {
		n := 0
		for _, v := range w.tail.snapshot() {
			n += v
		}
		c, _ := w.bot.counts()
		for _, v := range c {
			n += v
		}
		return n
	}
	last, since := total(), time.Now()
	for time.Now().Before(deadline) && !aborted() {
		time.Sleep(quietFor / 6)
		if n := total(); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= quietFor {
			return
		}
	}
}

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
	mon, err := startMonitor(r.redis.addr)
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

// costs measures each kind of operation alone: open, pick, relay both ways, transfer,
// end.
func (r *fdRun) costs(ctx context.Context) error {
	w, n := r.w, r.cfg.costOps
	// The idle background: blocking reads timing out, lease renewals.
	r.idleFor = 3 * time.Second
	if r.cfg.smoke {
		r.idleFor = 500 * time.Millisecond
	}
	if err := r.rdb.ConfigResetStat(ctx).Err(); err != nil {
		return err
	}
	mon, err := startMonitor(r.redis.addr)
	if err != nil {
		return err
	}
	time.Sleep(r.idleFor)
	r.idle = summarize(withoutDriver(mon.stop()), r.scripts)
	idleStats, err := commandStats(ctx, r.rdb)
	if err != nil {
		return err
	}
	for k, v := range idleStats {
		if !driverCommand(k) {
			r.idleOther += float64(v)
		}
	}
	r.rep.IdleRedisPerSec = r.idleOther / r.idleFor.Seconds()
	r.idleOther -= float64(r.idle.Background)

	var chats []*chat
	oc, err := r.costWindow(ctx, "ticket opened", 2*n, func() error {
		var err error
		if chats, err = w.openTickets(ctx, r.addr, 2*n, 8); err != nil {
			return err
		}
		return w.waitCards(chats, 30*time.Second)
	})
	if err != nil {
		return err
	}
	r.open += len(chats)
	r.rep.Costs = append(r.rep.Costs, oc)
	if oc, err = r.costWindow(ctx, "pick", 2*n, func() error {
		_, err := w.pickAll(chats, 8, 30*time.Second)
		return err
	}); err != nil {
		return err
	}
	oc.withoutReplays()
	r.rep.Costs = append(r.rep.Costs, oc)

	relayed := 10 * n
	for _, d := range []direction{toSlack, toCustomer} {
		name := "relayed message (C→S)"
		if d == toCustomer {
			name = "relayed message (S→C)"
			// The first agent message in each inbox channel after Frontdesk connected
			// has the channel's history read first (bot/gaps.go: nothing Slack has not
			// sent may be overtaken); that is a cost per channel and connection, not per
			// message, so every chat has had one before the window.
			if err := r.warmAgents(ctx); err != nil {
				return err
			}
		}
		if oc, err = r.costWindow(ctx, name, relayed, func() error {
			st := runStep(ctx, r.tg, d, float64(relayed)/r.costDur(), time.Duration(r.costDur()*float64(time.Second)), 0, false)
			if st.Lost+st.Refused > 0 || st.Sent != relayed {
				return fmt.Errorf("%s: sent %d, lost %d, refused %d", name, st.Sent, st.Lost, st.Refused)
			}
			return nil
		}); err != nil {
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

// costDur is how long the relay cost windows send.
func (r *fdRun) costDur() float64 {
	if r.cfg.smoke {
		return 0.5
	}
	return 2
}

// controlResult is how one Live Chat Control use went.
type controlResult struct {
	shortcutAck time.Duration // the message shortcut's ack
	modal       time.Duration // shortcut → the modal open
	submitAck   time.Duration // the submission's ack (Frontdesk answers it once it acted)
	update      time.Duration // submit → the card's chat.update
}

// control has c's agent use Live Chat Control on msg, a message of theirs in the inbox
// channel: a transfer to the next team, or an end.
func (r *fdRun) control(c *chat, msg *slacktest.Message, transfer bool) (controlResult, error) {
	w := r.w
	var res controlResult
	// One modal at a time per person: a second shortcut would replace the first modal.
	unlock := w.lockAgent(c.agent.ID)
	defer unlock()
	start := time.Now()
	ack := c.agent.Shortcut(msg, "live_chat_control")
	if ack.EnvelopeID == "" {
		return res, fmt.Errorf("ticket #%d: the shortcut was not acked", c.ticket)
	}
	res.shortcutAck = ack.Latency
	var v *slacktest.View
	deadline := time.Now().Add(30 * time.Second)
	for v = c.agent.TopView(); v == nil; v = c.agent.TopView() {
		if time.Now().After(deadline) || aborted() {
			return res, fmt.Errorf("ticket #%d: Live Chat Control never opened", c.ticket)
		}
		time.Sleep(2 * time.Millisecond)
	}
	res.modal = time.Since(start)
	values := map[string]any{"lcc_action": "End the live chat", "lcc_reason": "solved"}
	want := "Closed by"
	if transfer {
		values = map[string]any{"lcc_action": "Transfer to another team", "lcc_team": teamLabels[(c.team+1)%len(teamLabels)]}
		want = "Transferred to"
	}
	updated := w.tail.watchUpdate(c.card.msg.Channel.ID, c.card.msg.TS, want)
	start = time.Now()
	ack = c.agent.Submit(v, values)
	if ack.EnvelopeID == "" {
		return res, fmt.Errorf("ticket #%d: the submission was not acked", c.ticket)
	}
	if errs := ack.Errors(); len(errs) > 0 {
		return res, fmt.Errorf("ticket #%d: Live Chat Control refused %v: %v", c.ticket, values, errs)
	}
	res.submitAck = ack.Latency
	select {
	case at := <-updated:
		res.update = at.Sub(start)
	case <-stopping:
		return res, errors.New("interrupted")
	case <-time.After(30 * time.Second):
		return res, fmt.Errorf("ticket #%d: the card never said %q", c.ticket, want)
	}
	return res, nil
}

// controlMessages has each chat's agent write a message to use Live Chat Control on, and
// waits until they are relayed.
func (r *fdRun) controlMessages(chats []*chat) []*slacktest.Message {
	msgs := make([]*slacktest.Message, len(chats))
	for i, c := range chats {
		msgs[i] = c.agent.Post(c.inbox, "Let me hand this over")
	}
	r.w.quiesce(10 * time.Second)
	return msgs
}

func (r *fdRun) controlAll(chats []*chat, msgs []*slacktest.Message, transfer bool, conc int) ([]controlResult, error) {
	res := make([]controlResult, len(chats))
	errs := make(chan error, len(chats))
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, c := range chats {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var err error
			if res[i], err = r.control(c, msgs[i], transfer); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return res, <-errs
}

// background offers rate messages/s in direction d on a copy of tg until stop is called,
// which returns how many were sent.
// warmAgents sends one agent message in every chat of the target (round-robin, so at
// least one each), outside any measurement, and waits for them.
func (r *fdRun) warmAgents(ctx context.Context) error {
	n := len(r.tg.chats)
	const rate = 400
	st := runStep(ctx, r.tg, toCustomer, rate, time.Duration(float64(n+1)/rate*float64(time.Second)), 0, true)
	if st.Lost+st.Refused > 0 || st.Sent < n {
		return fmt.Errorf("warming the inbox channels: sent %d of %d, lost %d, refused %d", st.Sent, n, st.Lost, st.Refused)
	}
	return nil
}

func background(ctx context.Context, tg *target, d direction, rate float64) (stop func() int) {
	cp := *tg
	done := make(chan struct{})
	var sent int
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			st := runStep(ctx, &cp, d, rate, time.Second, 0, false)
			sent += st.Sent
			select {
			case <-done:
				return
			default:
			}
			if ctx.Err() != nil {
				return
			}
		}
	})
	return func() int {
		close(done)
		wg.Wait()
		return sent
	}
}

// interactions times picks and Live Chat Control (transfers, ends) while Frontdesk relays
// at a quarter of its saturation rate in each direction.
func (r *fdRun) interactions(ctx context.Context) error {
	cfg, w := r.cfg, r.w
	need := cfg.picks + 2*cfg.controls
	pending, err := w.openTickets(ctx, r.addr, need, 32)
	if err != nil {
		return err
	}
	if err := w.waitCards(pending, 60*time.Second); err != nil {
		return err
	}
	r.open += len(pending)
	// The chats for Live Chat Control are picked first, out of the timed picks.
	ctl := pending[cfg.picks:]
	if _, err := w.pickAll(ctl, 16, 60*time.Second); err != nil {
		return err
	}
	msgs := r.controlMessages(ctl)
	rates := map[direction]float64{toSlack: r.cfg.start, toCustomer: r.cfg.start}
	for _, cv := range r.rep.Frontdesk {
		rates[cv.Dir] = cv.Saturation / 4
	}
	logf("interactions: %d picks, %d transfers, %d ends, while relaying %.0f/s customer → Slack and %.0f/s Slack → customer",
		cfg.picks, cfg.controls, cfg.controls, rates[toSlack], rates[toCustomer])
	r.rep.InteractionLoad = [2]float64{rates[toSlack], rates[toCustomer]}
	stop1 := background(ctx, r.tg, toSlack, rates[toSlack])
	stop2 := background(ctx, r.tg, toCustomer, rates[toCustomer])
	defer func() { stop1(); stop2() }()
	time.Sleep(time.Second)

	// Picks: one every 50ms, each clicked by the next agent.
	var wg sync.WaitGroup
	picks := make([]pickResult, cfg.picks)
	errs := make(chan error, cfg.picks+2*cfg.controls)
	for i, c := range pending[:cfg.picks] {
		wg.Go(func() {
			var err error
			if picks[i], err = w.pick(c, w.agents[i%len(w.agents)], 60*time.Second); err != nil {
				errs <- err
			}
		})
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	// Transfers and ends: one every 100ms.
	transfers := make([]controlResult, cfg.controls)
	ends := make([]controlResult, cfg.controls)
	for i := range cfg.controls {
		wg.Go(func() {
			var err error
			if transfers[i], err = r.control(ctl[i], msgs[i], true); err != nil {
				errs <- err
			}
		})
		time.Sleep(50 * time.Millisecond)
		wg.Go(func() {
			var err error
			if ends[i], err = r.control(ctl[cfg.controls+i], msgs[cfg.controls+i], false); err != nil {
				errs <- err
			}
		})
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	r.open -= cfg.controls
	var it interactions
	for _, p := range picks {
		it.PickAck = append(it.PickAck, p.ack)
		it.PickUpdate = append(it.PickUpdate, p.update)
	}
	for _, set := range [][]controlResult{transfers, ends} {
		for _, c := range set {
			it.ShortcutAck = append(it.ShortcutAck, c.shortcutAck)
			it.Modal = append(it.Modal, c.modal)
		}
	}
	for _, c := range transfers {
		it.TransferAck = append(it.TransferAck, c.submitAck)
		it.TransferUpdate = append(it.TransferUpdate, c.update)
	}
	for _, c := range ends {
		it.EndAck = append(it.EndAck, c.submitAck)
		it.EndUpdate = append(it.EndUpdate, c.update)
	}
	r.rep.Interactions = it
	logf("  pick ack p50 %s p99 %s, card update p50 %s p99 %s; transfer ack p99 %s, card p99 %s; end ack p99 %s, card p99 %s",
		ms(q(it.PickAck, .5)), ms(q(it.PickAck, .99)), ms(q(it.PickUpdate, .5)), ms(q(it.PickUpdate, .99)),
		ms(q(it.TransferAck, .99)), ms(q(it.TransferUpdate, .99)), ms(q(it.EndAck, .99)), ms(q(it.EndUpdate, .99)))
	return nil
}

// interactions are the timed interactions' figures.
type interactions struct {
	PickAck, PickUpdate         []time.Duration
	ShortcutAck, Modal          []time.Duration
	TransferAck, TransferUpdate []time.Duration
	EndAck, EndUpdate           []time.Duration
}

// q is the q-quantile of ds.
func q(ds []time.Duration, quant float64) time.Duration {
	p50, p99, mx := quantiles(ds)
	switch quant {
	case .5:
		return p50
	case .99:
		return p99
	default:
		return mx
	}
}

// closedBytes opens tickets, gives each a 20-message transcript (half the customer's,
// half the agent's), ends them from the chatbot, and measures what they keep in Redis.
func (r *fdRun) closedBytes(ctx context.Context) error {
	cfg, w := r.cfg, r.w
	before, err := r.keySizes(ctx)
	if err != nil {
		return err
	}
	used0, err := infoField(ctx, r.rdb, "memory", "used_memory")
	if err != nil {
		return err
	}
	chats, err := w.openChats(ctx, r.addr, cfg.closed)
	if err != nil {
		return err
	}
	// The opening message is the first; then half of them the agent's, the rest the
	// customer's (each customer sends at most 20 at once, which the webhook allows).
	tg := &target{name: "Frontdesk", w: w, chats: chats, procs: r.tg.procs, send: r.tg.send}
	agentN := cfg.closedN / 2
	for _, part := range []struct {
		d direction
		n int
	}{{toCustomer, agentN}, {toSlack, cfg.closedN - 1 - agentN}} {
		total, dur := part.n*len(chats), 500*time.Millisecond
		st := runStep(ctx, tg, part.d, float64(total)/dur.Seconds(), dur, 0, false)
		if st.Sent != total || st.Lost+st.Refused > 0 {
			return fmt.Errorf("transcripts (%s): sent %d of %d, lost %d, refused %d", part.d, st.Sent, total, st.Lost, st.Refused)
		}
	}
	w.quiesce(10 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, len(chats))
	for _, c := range chats {
		updated := w.tail.watchUpdate(c.card.msg.Channel.ID, c.card.msg.TS, "Closed")
		wg.Go(func() {
			status, body, err := w.post(ctx, hookURL(r.addr), hookToken, map[string]any{
				"type": "END", "member": c.member, "channel": hookLine, "app": hookApp, "reason": "customer left"})
			if err != nil || status != http.StatusOK {
				errs <- fmt.Errorf("END: %d %s %v", status, body, err)
				return
			}
			select {
			case <-updated:
			case <-stopping:
			case <-time.After(30 * time.Second):
				errs <- fmt.Errorf("ticket #%d: the card never said it was closed", c.ticket)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	w.quiesce(10 * time.Second)
	after, err := r.keySizes(ctx)
	if err != nil {
		return err
	}
	used1, err := infoField(ctx, r.rdb, "memory", "used_memory")
	if err != nil {
		return err
	}
	cb := closedTickets{N: len(chats), Messages: cfg.closedN, UsedMemoryDelta: used1 - used0, ByKind: map[string]int64{}}
	for k, size := range after {
		kind := keyKind(strings.TrimPrefix(k, r.prefix))
		delta := size - before[k]
		if delta == 0 {
			continue
		}
		cb.ByKind[kind] += delta
	}
	r.rep.Closed = cb
	logf("  closed ticket with %d messages: %s per ticket in its own keys, %s of used_memory per ticket",
		cfg.closedN, kb(cb.own()/int64(cb.N)), kb(cb.UsedMemoryDelta/int64(cb.N)))
	return nil
}

// closedTickets is what closed tickets keep in Redis.
type closedTickets struct {
	N, Messages     int
	UsedMemoryDelta int64            // INFO memory used_memory after − before, for all N
	ByKind          map[string]int64 // MEMORY USAGE growth by kind of key, for all N
}

// own is the bytes of the tickets' own keys (ticket hash, transcript and the rest of
// the ticket:<id>:* keys, the conversation's lastclosed pointer), not the shared ones.
func (c closedTickets) own() int64 {
	var n int64
	for k, v := range c.ByKind {
		if strings.HasPrefix(k, "ticket") || k == "lastclosed" {
			n += v
		}
	}
	return n
}

// keyKind names a key (prefix stripped) by its kind: "ticket", "ticket:messages",
// "seen", "outbox", "open", …
func keyKind(k string) string {
	if i := strings.Index(k, "}:"); i >= 0 && strings.HasPrefix(k, "{") {
		k = k[i+2:]
	}
	parts := strings.Split(k, ":")
	switch {
	case parts[0] == "ticket" && len(parts) >= 3:
		return "ticket:" + parts[2]
	case parts[0] == "seen" && len(parts) >= 2 && parts[1] == "in":
		return "seen:in"
	}
	return parts[0]
}

// keySizes is MEMORY USAGE of every key under the prefix.
func (r *fdRun) keySizes(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	iter := r.rdb.Scan(ctx, 0, r.prefix+"*", 5000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		pipe := r.rdb.Pipeline()
		cmds := make([]*redis.IntCmd, len(batch))
		for i, k := range batch {
			cmds[i] = pipe.MemoryUsage(ctx, k, 0)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		for i, c := range cmds {
			if n, err := c.Result(); err == nil {
				out[batch[i]] = n
			}
		}
	}
	return out, nil
}

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
		for need > 0 && ctx.Err() == nil {
			batch := min(need, 1000)
			chats, err := w.openTickets(ctx, r.addr, batch, 64)
			if err != nil {
				return err
			}
			if err := w.waitCards(chats, 120*time.Second); err != nil {
				return err
			}
			r.open += batch
			need -= batch
			w.tail.forget()
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
	m.Metrics = scrape(r.addr, "go_memstats_heap_inuse_bytes", "go_goroutines", "go_memstats_sys_bytes")
	r.rep.Memory = m
	logf("  with %d open tickets and %d relayed messages: Frontdesk RSS %s (Go heap in use %s, %0.f goroutines), Redis used_memory %s (%d keys)",
		m.OpenTickets, m.Relayed, mb(m.RSS), mb(int64(m.Metrics["go_memstats_heap_inuse_bytes"])), m.Metrics["go_goroutines"], mb(m.UsedMemory), m.Keys)
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

// scrape reads some of Frontdesk's Prometheus metrics.
func scrape(addr string, names ...string) map[string]float64 {
	out := map[string]float64{}
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return out
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, line := range strings.Split(sb.String(), "\n") {
		for _, n := range names {
			if v, ok := strings.CutPrefix(line, n+" "); ok {
				out[n], _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
	}
	return out
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
