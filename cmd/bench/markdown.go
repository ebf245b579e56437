package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// markdown renders BENCHMARKS.md.
func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Benchmarks\n\n")
	p("The latest real run of `make bench` ([cmd/bench](cmd/bench/main.go), GitHub issue 10), written by the\n")
	p("benchmark itself. Do not edit it by hand: run `make bench` again.\n\n")
	p("| | |\n|---|---|\n")
	p("| Date | %s |\n", r.Date.Format("2006-01-02 15:04 UTC"))
	p("| Machine | %s, %d cores, %s RAM |\n", r.Machine, r.Cores, r.RAM)
	p("| OS | %s |\n", r.Kernel)
	p("| Go | %s |\n", r.Go)
	p("| Redis | %s, on loopback, no persistence (`--save \"\" --appendonly no`) |\n", r.RedisVersion)
	p("| Commit | %s |\n", r.Commit)
	p("| Command | `%s` |\n", r.Command)
	p("| Took | %s |\n\n", r.Took.Round(time.Second))
	p("Everything runs on this one machine and shares its %d cores: Frontdesk (or the bare transport), redis-server,\n", r.Cores)
	p("and the benchmark process, which holds the Slack simulator (Web API and Socket Mode) and the fake chatbot.\n")
	p("The CPU columns say who used what; CI runs only `BENCH_SMOKE=1` and never judges speed.")
	if avg, mx, n := r.others(); n > 0 {
		p(" Other programs on the\nmachine (\"others\": the kernel's own work and anything else running) used %.2f cores on average during the\n", avg)
		p("relay runs, %.2f at most (the benchmark waits up to 90 s for them to use less than 0.25 cores before it\nstarts; they used %.2f then).", mx, r.OthersAtStart)
	}
	p("\n\n")

	p("## Targets\n\n")
	p("| target | wanted | measured | met |\n|---|---|---|---|\n")
	for _, t := range r.targets() {
		p("| %s | %s | %s | %s |\n", t.what, t.want, t.got, t.met)
	}
	p("\n")
	r.analysis(p)
	r.relaySection(p)
	r.profileSection(p)
	r.interactionsSection(p)
	r.costsSection(p)
	r.sinksSection(p)
	r.memorySection(p)
	r.slaSection(p)
	r.burstSection(p)
	r.methodSection(p)
	if r.DriverProfile != "" {
		p("## Profile of the benchmark process\n\n")
		p("`go tool pprof -top` of the benchmark process (Slack simulator, fake chatbot, load generators) while it\n")
		p("drove Frontdesk's relay runs: what the harness itself costs, out of the same cores.\n\n")
		p("```\n%s```\n", r.DriverProfile)
	}
	if len(r.Problems) > 0 {
		p("\n## Problems of the run itself\n\n")
		for _, pr := range r.Problems {
			p("- %s\n", pr)
		}
	}
	return b.String()
}

// cpuPerMessage is the CPU microseconds per message a step cost each process.
func cpuPerMessage(st *step) []string {
	var out []string
	for _, u := range st.CPU {
		if st.Throughput > 0 && u.Name != "others" {
			out = append(out, fmt.Sprintf("%s %.0f µs", u.Name, u.Cores/st.Throughput*1e6))
		}
	}
	return out
}

func (r *report) relaySection(p func(string, ...any)) {
	if len(r.Frontdesk)+len(r.Bare) == 0 {
		return
	}
	p("## Relay: throughput and latency\n\n")
	p("Customer → Slack: from the moment the chatbot sends `MESSAGE` to the webhook (bare: its `/events`) until\n")
	p("the simulator answers the `chat.postMessage` that shows it in the inbox channel. Slack → customer: from the\n")
	p("moment the agent posts in the inbox channel (the simulator queues the message event) until the chatbot's\n")
	p("endpoint receives the `AGENT_MESSAGE`. Saturation is the most messages per second delivered in a run of the\n")
	p("search below that the target kept up with for as long as the measured runs (peak: the most in any run,\n")
	p("overloaded ones too); then the target runs at %s of it, the highest first. Socket Mode acks: from the envelope's write to the\n", fracList(r.cfg.fracs))
	p("ack's arrival, for every envelope written during the run (customer → Slack: the message events of the bot's\n")
	p("own posts in the inbox channels, which it must ack and ignore; Slack → customer: the agents' messages).\n")
	p("Own ack: Frontdesk's own time from taking an event off the connection to handing its ack back\n")
	p("(`frontdesk_slack_envelope_ack_seconds`, bucket bounds); waits > 10 ms: the share of goroutines it sampled\n")
	p("that waited more than 10 ms for a CPU (`go_sched_latencies_seconds`).\n\n")
	p("| system | direction | load | offered/s | delivered/s | p50 | p99 | max | ack p50 | ack p99 | ack max | own ack p50 / p99 | waits > 10 ms | CPU cores |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, cs := range [][]curve{r.Frontdesk, r.Bare} {
		for _, c := range cs {
			p("| %s | %s | **saturation** | | **%s** | | | | | | | | | |\n", c.Target, c.Dir, c.satString())
			for _, st := range c.At {
				own, waits := "—", "—"
				if st.OwnAckP99 > 0 {
					own, waits = "≤ "+secs(st.OwnAckP50)+" / ≤ "+secs(st.OwnAckP99), fmt.Sprintf("%.1f%%", 100*st.SchedOver10ms)
				}
				p("| | | %.0f%% | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", st.Frac*100, st.Rate, st.Throughput,
					ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP50), ms(st.AckP99), ms(st.AckMax), own, waits, cpuLine(st.CPU))
			}
		}
	}
	p("\n### The search for the saturation rate\n\n")
	p("Each run offers a fixed rate for %s, open loop (messages leave on schedule whatever the answers), spread\n", r.cfg.stepDur)
	p("round-robin over %d chats; the rate grows ×%.1f while the target keeps up (delivers ≥ 95%% of it, p99 under\n", r.cfg.chats, r.cfg.factor)
	p("%s, nothing lost), then %d more runs halve the gap between the last rate it kept up with and the first it\n", keptUpP99, r.cfg.bisect)
	p("did not. A rate a little over what the target can hold builds a backlog too small to show in a run that short,\n")
	p("so the last rate it kept up with is run again for %s (\"confirm\"), 5%% lower each time it does not keep up\n", r.cfg.measDur)
	p("(at most %d runs): the saturation is the confirming run's. Between runs everything drains: every message\n", r.cfg.confirm)
	p("delivered, every envelope acked, Slack and the chatbot quiet. Delivered/s leaves out the first %s of a run.\n\n", r.cfg.warm)
	p("| system | direction | offered/s | sent/s | delivered/s | p50 | p99 | max | ack p99 | lost | refused | CPU cores | CPU per message | new connections per message |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, cs := range [][]curve{r.Frontdesk, r.Bare} {
		for _, c := range cs {
			for _, st := range c.Search {
				rate := fmt.Sprintf("%.0f", st.Rate)
				if st.Confirm {
					rate += fmt.Sprintf(" (confirm, %s)", st.Dur)
				}
				p("| %s | %s | %s | %.0f | %.0f | %s | %s | %s | %s | %d | %d | %s | %s | %s |\n", c.Target, c.Dir, rate, st.SentRate,
					st.Throughput, ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP99), st.Lost, st.Refused, cpuLine(st.CPU),
					strings.Join(cpuPerMessage(&st), ", "), st.connsLine())
			}
		}
	}
	p("\n")
}

func (r *report) interactionsSection(p func(string, ...any)) {
	it := r.Interactions
	if len(it.PickAck) == 0 {
		return
	}
	p("## Interactions\n\n")
	p("While Frontdesk relays %.0f customer messages/s to Slack and %.0f agent messages/s to the chatbot (a quarter\n", r.InteractionLoad[0], r.InteractionLoad[1])
	p("of each saturation rate): %d Pick clicks on pending tickets (one every 50 ms, by different agents), and Live\n", len(it.PickAck))
	p("Chat Control used %d times to transfer a chat and %d times to end one. Ack: from the envelope's write to the\n", len(it.TransferAck), len(it.EndAck))
	p("ack (a view submission is acked with Frontdesk's answer, once it acted). Card update: from the click or the\n")
	p("submit until the simulator answers the `chat.update` of the ticket card that shows the result.\n\n")
	p("| interaction | n | p50 | p99 | max |\n|---|---|---|---|---|\n")
	row := func(name string, ds []time.Duration) {
		a, b, c := quantiles(ds)
		p("| %s | %d | %s | %s | %s |\n", name, len(ds), ms(a), ms(b), ms(c))
	}
	row("Pick: ack", it.PickAck)
	row("Pick: card says *Processing by*", it.PickUpdate)
	row("Live Chat Control shortcut: ack", it.ShortcutAck)
	row("Live Chat Control shortcut: modal open", it.Modal)
	row("transfer submission: ack", it.TransferAck)
	row("transfer: card says *Transferred to*", it.TransferUpdate)
	row("end submission: ack", it.EndAck)
	row("end: card says *Closed by*", it.EndUpdate)
	p("\n")
}

func (r *report) costsSection(p func(string, ...any)) {
	if len(r.Costs) == 0 {
		return
	}
	p("## Cost per operation\n\n")
	p("Each kind of operation alone, %d of them (relay: %d messages), with nothing else going on, until Slack and\n", r.cfg.costOps*2, r.cfg.costOps*10)
	p("the chatbot are quiet. Slack: Web API calls the simulator answered. Redis: `INFO commandstats` after `CONFIG\n")
	p("RESETSTAT` counts every command run, those inside Lua scripts included; `MONITOR` tells the commands clients\n")
	p("sent (and their round trips: a pipeline counts once, the scripts it runs included) from\n")
	p("those scripts ran. Left out as background: the timer-driven scripts (outbox partition leases renewed, due timers\n")
	p("polled) and the reads of outbox streams (a group's, a partition's) that got no entry in the window (a blocking\n")
	p("read timing out, a lingering group looking for a batch): they cost time, not operations. The rest is net of Frontdesk's idle rate,\n")
	p("measured for 5 s beforehand: %.0f commands/s before the first window, background included (measured again just\n", r.IdleRedisPerSec)
	p("before each relay window). The idle readings and each window start once the sinks\n")
	p("(and, before the relay's, every group) have acknowledged every outbox entry (`frontdesk_outbox_depth`), so that\n")
	p("they count no work left from the operations before them.\n\n")
	p("| operation | n | Slack calls | by method | Redis commands (commandstats) | client commands | round trips | inside scripts |\n")
	p("|---|---|---|---|---|---|---|---|\n")
	for _, c := range r.Costs {
		p("| %s | %d | %.2f | %s | %.1f | %.1f | %.1f | %.1f |\n", c.Name, c.Ops, c.SlackCalls, fmtPerOp(c.ByMethod), c.RedisCmds, c.Client, c.RoundTrips, c.InScripts)
	}
	if c := r.costOf("pick"); c != nil && c.Replayed > 0 {
		p("\nA pick's Slack calls leave out the %.2f chat.postMessage per pick that relay the customer messages held while\n", c.Replayed)
		p("the ticket was pending (here each ticket's opening message) into the new inbox channel: relayed messages,\n")
		p("one call each like those of the relay rows. Its Redis figures include them.\n")
	}
	p("\nRedis commands per operation, by command (what clients sent; EVALSHA by script; then what the scripts ran):\n\n")
	p("| operation | client commands | scripts | inside scripts |\n|---|---|---|---|\n")
	for _, c := range r.Costs {
		p("| %s | %s | %s | %s |\n", c.Name, c.ByCommand, c.ByScript, c.ScriptInner)
	}
	p("\n")
}

func (r *report) memorySection(p func(string, ...any)) {
	m := r.Memory
	if m.OpenTickets == 0 && r.Closed.N == 0 {
		return
	}
	p("## Memory\n\n")
	if m.OpenTickets > 0 {
		p("| reading | value |\n|---|---|\n")
		p("| Frontdesk RSS just after start (VmRSS) | %s |\n", mb(r.FrontdeskRSSStart))
		p("| Frontdesk RSS with %d open tickets and %d relayed messages | **%s** |\n", m.OpenTickets, m.Relayed, mb(m.RSS))
		p("| … its Go heap in use (`go_memstats_heap_inuse_bytes`) | %s |\n", mb(int64(m.Metrics["go_memstats_heap_inuse_bytes"])))
		p("| … memory it got from the OS (`go_memstats_sys_bytes`) | %s |\n", mb(int64(m.Metrics["go_memstats_sys_bytes"])))
		p("| … goroutines | %.0f |\n", m.Metrics["go_goroutines"])
		p("| … their stacks (`go_memstats_stack_inuse_bytes`) | %s |\n", mb(int64(m.Metrics["go_memstats_stack_inuse_bytes"])))
		p("| Redis `used_memory` | **%s** |\n", mb(m.UsedMemory))
		p("| Redis keys | %d |\n\n", m.Keys)
	}
	if c := r.Closed; c.N > 0 {
		p("Redis bytes per closed ticket: %d tickets, each with a %d-message transcript (the opening message, %d of\n", c.N, c.Messages, c.Messages/2)
		p("the agent's, the rest the customer's), then ended by the chatbot (`END`). `MEMORY USAGE` of every key\n")
		p("before and after, by kind of key, per ticket:\n\n")
		p("| keys | bytes per ticket | kept |\n|---|---|---|\n")
		kinds := make([]string, 0, len(c.ByKind))
		for k := range c.ByKind {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool { return c.ByKind[kinds[i]] > c.ByKind[kinds[j]] })
		for _, k := range kinds {
			p("| `%s` | %s | %s |\n", k, bytesPer(c.ByKind[k], c.N), keyKept(k))
		}
		p("| **the ticket's own keys** | **%s** | until `RETENTION` after it closed |\n", bytesPer(c.own(), c.N))
		p("| `used_memory` after − before | %s | |\n\n", bytesPer(c.UsedMemoryDelta, c.N))
	}
}

func bytesPer(n int64, per int) string {
	return fmt.Sprintf("%.0f B", float64(n)/float64(per))
}

// keyKept says how long a kind of key stays (store/keys.go).
func keyKept(kind string) string {
	switch {
	case strings.HasPrefix(kind, "ticket"), kind == "lastclosed":
		return "until `RETENTION` after it closed"
	case kind == "seen":
		return "message ids, against repeats: expire (store DedupTTL, 7 days by default)"
	case kind == "outbox":
		return "stream entries: trimmed (every minute) once every consumer group is done with them"
	case kind == "inbox":
		return "channel → ticket"
	}
	return ""
}

func (r *report) burstSection(p func(string, ...any)) {
	f := r.Burst
	if f == nil {
		return
	}
	l := f.Limits
	p("## Burst with Slack's rate limits\n\n")
	p("The simulator's model of Slack's limits on (`slacktest.RealLimits`): chat.postMessage %.0f per second per\n", l.PostPerSecond)
	p("channel (burst %d) and %.0f a minute over the workspace (burst %d); Tier 1/2/3/4 methods %.0f/%.0f/%.0f/%.0f a\n",
		l.PostBurst, l.PostWorkspacePerMinute, l.PostWorkspaceBurst, l.PerMinute[1], l.PerMinute[2], l.PerMinute[3], l.PerMinute[4])
	p("minute (bursts %d/%d/%d/%d), each method in the tier Slack's reference gives it (reactions.add and chat.update\n",
		l.Burst[1], l.Burst[2], l.Burst[3], l.Burst[4])
	p("Tier 3, conversations.create Tier 2, …); a call over its limit gets 429 with Retry-After. %d chats are busy\n", f.Busy)
	p("(each: a customer message and an agent message every %s) when %d new tickets arrive at once, spread over %d\n", f.BusyEvery, f.Tickets, len(f.PerChannel))
	p("ticketing channels.\n\n")
	p("| reading | value |\n|---|---|\n")
	p("| every `LIVE_CHAT_REQUEST` answered | %s |\n", ms(f.Accepted))
	p("| cards posted | %d of %d |\n", f.CardsPosted, f.Tickets)
	p("| last card posted | **%.1f s** after the burst began |\n", f.LastCard.Seconds())
	p("| theoretical minimum under the limits | %.1f s |\n", f.Theoretical.Seconds())
	p("| 429s Frontdesk got (and retried) | %s |\n", f.limitedLine())
	p("| customer messages posted in inbox channels | %d of %d (%d refused by the webhook) |\n", f.CustArrived, f.CustSent, f.CustRefused)
	p("| agent messages delivered to the chatbot | %d of %d |\n", f.AgentArrived, f.AgentSent)
	p("| messages or cards twice | %d, %d |\n", f.Dups, f.DupCards)
	p("| error messages agents saw (ephemeral) | %d |\n", f.Ephemerals)
	p("| failed-delivery marks | %d |\n", f.FailMarks)
	p("| outbox entries given up | %.0f |\n", f.GaveUp)
	p("| ✅ marks made (reactions.add) | %d, %.0f a minute, for %d agent messages delivered (marks are cumulative: a ✅ stands for its chat's messages before it); %d chats' latest message still waiting for its ✅ at the end |\n", f.Marks, f.MarkRate, f.AgentArrived, f.MarksBehind)
	p("| **429s that reached users** | **%s** |\n\n", f.userImpact())
	p("| ticketing channel | tickets | cards posted | first after | last after | cards/s | the limits' minimum for the last |\n|---|---|---|---|---|---|---|\n")
	for _, c := range f.PerChannel {
		p("| %s | %d | %d | %.1f s | %.1f s | %.2f | %.1f s |\n", c.Label, c.Tickets, c.Cards, c.First.Seconds(), c.Last.Seconds(), c.Rate, c.MinimumLast.Seconds())
	}
	p("\n")
}

// userImpact says what of the rate limiting people saw.
func (f burstFigures) userImpact() string {
	if !f.usersSaw429() {
		return "none"
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(f.CardsMissing, "ticket cards never posted")
	add(f.CustRefused, "customer messages refused")
	add(f.CustSent-f.CustArrived-f.CustRefused, "customer messages never posted")
	add(f.AgentSent-f.AgentArrived, "agent messages never delivered")
	add(f.Dups+f.DupCards, "messages or cards doubled")
	add(f.Ephemerals, "error messages to agents")
	add(f.FailMarks, "failed-delivery marks")
	add(int(f.GaveUp), "outbox entries given up")
	return strings.Join(parts, ", ")
}

func (r *report) methodSection(p func(string, ...any)) {
	p("## How it was measured\n\n")
	p("- `cmd/bench` builds `cmd/frontdesk` and `cmd/bench/bare` with `go build`, starts its own `redis-server` on a free\n")
	p("  loopback port, and runs the Slack simulator (`bot/slacktest.NewStandalone`, subscribed to the manifest's bot\n")
	p("  events) and the chatbot endpoint (checks every `X-Frontdesk-Signature`) in its own process.\n")
	p("- Frontdesk runs as a process with `PRIORITY_WINDOW=0`, `RATING_WINDOW=0`, `LOG_LEVEL=info`, four ticketing\n")
	p("  channels and %d agents who are in all of them. Chats are opened with `LIVE_CHAT_REQUEST` and picked by\n", r.cfg.agents)
	p("  clicking Pick in the simulator, as people would.\n")
	p("- The Vitally and AI sinks are on, as in real installs, against their fakes (`connectors/vitally/vitallytest`,\n")
	p("  with Vitally's documented rate limit, and `connectors/ai/aitest`), run in the benchmark's process; Frontdesk\n")
	p("  reaches the Vitally fake through a pass-through there that can hold its requests (the stalled-sink runs). The\n")
	p("  rate limit (1,000 requests a minute) is lifted from the moment the measured run opens its chats until the\n")
	p("  stalled-sink runs are over: the set-up opens hundreds of tickets in seconds, whose syncs would otherwise keep\n")
	p("  the Vitally sink minutes behind, retrying, through the cost windows and relay runs. Interactions, memory and\n")
	p("  the burst have it. A second Frontdesk, started after the measured run with neither sink configured, gives the\n")
	p("  figures \"sinks off\" (see *The sinks: on, off and stalled*).\n")
	p("- The bare transport runs in a workspace of its own, with as many private channels as Frontdesk has chats.\n")
	p("- Customer messages go to %d chats round-robin; the webhook lets one customer send 5 a second, so customer →\n", r.cfg.chats)
	p("  Slack is offered at most %.1f × %d = %.0f msg/s.\n", r.cfg.perChat, r.cfg.chats, r.cfg.perChat*float64(r.cfg.chats))
	p("- Latency percentiles are over every message of a run; CPU is read from `/proc/<pid>/stat` over the sending\n")
	p("  window; RSS from `/proc/<pid>/status` (VmRSS); Redis memory from `INFO memory` (used_memory).\n")
	p("- The simulator's rate limits are off except in the burst scenario.\n")
	p("- Frontdesk logged %d error lines in the main run (all phases but the profile, the burst and the run without\n", r.FrontdeskErrors)
	if r.NoSinks != nil {
		p("  the sinks), and %d in the run without the sinks.\n\n", r.NoSinks.Errors)
	} else {
		p("  the sinks).\n\n")
	}
}

// others is the average and highest CPU the rest of the machine used during the relay
// runs, and how many runs there were.
func (r *report) others() (avg, mx float64, n int) {
	for _, cs := range [][]curve{r.Frontdesk, r.Bare} {
		for _, c := range cs {
			for _, st := range append(append([]step(nil), c.Search...), c.At...) {
				for _, u := range st.CPU {
					if u.Name == "others" {
						avg += u.Cores
						mx = max(mx, u.Cores)
						n++
					}
				}
			}
		}
	}
	if n > 0 {
		avg /= float64(n)
	}
	return avg, mx, n
}

// fracList renders fractions as "25%, 50% and 90%".
func fracList(fs []float64) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%.0f%%", f*100))
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// othersAvg is the CPU other programs used on average during the curve's runs.
func (c *curve) othersAvg() float64 {
	sum, n := 0.0, 0
	for _, st := range append(append([]step(nil), c.Search...), c.At...) {
		for _, u := range st.CPU {
			if u.Name == "others" {
				sum += u.Cores
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
