package main

import (
	"fmt"
	"sort"
	"strconv"
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
	r.memorySection(p)
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

// busiest is the search step with the highest throughput: the saturation reading.
func (c *curve) busiest() *step {
	var best *step
	for i := range c.Search {
		if best == nil || c.Search[i].Throughput > best.Throughput {
			best = &c.Search[i]
		}
	}
	return best
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
	p("search below that the target kept up with (peak: the most in any run, overloaded ones too); then the target\n")
	p("runs at %s of it. Socket Mode acks: from the envelope's write to the\n", fracList(r.cfg.fracs))
	p("ack's arrival, for every envelope written during the run (customer → Slack: the message events of the bot's\n")
	p("own posts in the inbox channels, which it must ack and ignore; Slack → customer: the agents' messages).\n\n")
	p("| system | direction | load | offered/s | delivered/s | p50 | p99 | max | ack p50 | ack p99 | ack max | CPU cores |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, cs := range [][]curve{r.Frontdesk, r.Bare} {
		for _, c := range cs {
			p("| %s | %s | **saturation** | | **%s** | | | | | | | |\n", c.Target, c.Dir, c.satString())
			for _, st := range c.At {
				p("| | | %.0f%% | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", st.Frac*100, st.Rate, st.Throughput,
					ms(st.P50), ms(st.P99), ms(st.Max), ms(st.AckP50), ms(st.AckP99), ms(st.AckMax), cpuLine(st.CPU))
			}
		}
	}
	p("\n### The search for the saturation rate\n\n")
	p("Each run offers a fixed rate for %s, open loop (messages leave on schedule whatever the answers), spread\n", r.cfg.stepDur)
	p("round-robin over %d chats; the rate grows ×%.1f while the target keeps up (delivers ≥ 95%% of it, p99 under\n", r.cfg.chats, r.cfg.factor)
	p("%s, nothing lost), then %d more runs halve the gap between the last rate it kept up with and the first it\n", keptUpP99, r.cfg.bisect)
	p("did not. Between runs everything drains: every message delivered, every envelope acked, Slack and the\n")
	p("chatbot quiet. Delivered/s leaves out the first %s of a run.\n\n", r.cfg.warm)
	p("| system | direction | offered/s | sent/s | delivered/s | p50 | p99 | max | ack p99 | lost | refused | CPU cores | CPU per message | new connections per message |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, cs := range [][]curve{r.Frontdesk, r.Bare} {
		for _, c := range cs {
			for _, st := range c.Search {
				p("| %s | %s | %.0f | %.0f | %.0f | %s | %s | %s | %s | %d | %d | %s | %s | %s |\n", c.Target, c.Dir, st.Rate, st.SentRate,
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
	p("sent (and their round trips: a pipeline counts once) from those scripts ran. Both are net of Frontdesk's idle\n")
	p("background, measured for a few seconds beforehand: %.0f commands/s (outbox partition leases renewed, due\n", r.IdleRedisPerSec)
	p("timers polled, blocking stream reads timing out); the timer-driven scripts are left out of the figures.\n\n")
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
	p("| ✅ marks made (reactions.add) | %d, %.0f a minute; %d delivered messages not marked yet at the end |\n", f.Marks, f.MarkRate, f.MarksBehind)
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

// analysis says, from the figures, what bounds Frontdesk.
func (r *report) analysis(p func(string, ...any)) {
	fdS, fdC := curveOf(r.Frontdesk, toSlack), curveOf(r.Frontdesk, toCustomer)
	bS, bC := curveOf(r.Bare, toSlack), curveOf(r.Bare, toCustomer)
	if fdS == nil && fdC == nil && len(r.Costs) == 0 && r.Burst == nil {
		return
	}
	p("## What bounds Frontdesk\n\n")
	p("Read from the figures below (the code references say where to look).\n\n")
	for _, pair := range []struct {
		fd, bare *curve
	}{{fdS, bS}, {fdC, bC}} {
		if pair.fd == nil {
			continue
		}
		st := pair.fd.busiest()
		if st == nil {
			continue
		}
		total, ours := 0.0, 0.0
		for _, u := range st.CPU {
			total += u.Cores
			if u.Name != "others" {
				ours += u.Cores
			}
		}
		p("- **CPU, %s**: at its saturation reading (%.0f msg/s delivered, %.0f offered) the machine was busy %.2f of\n",
			pair.fd.Dir, st.Throughput, st.Rate, total)
		p("  its %d cores (%s). ", r.Cores, cpuLine(st.CPU))
		if total >= 0.85*float64(r.Cores) {
			p("The CPU is the wall.")
		} else {
			p("The CPU was not all used: waiting (round trips, connection set-up, queues) bounds it as much.")
		}
		p(" Per message: %s", strings.Join(cpuPerMessage(st), ", "))
		if pair.bare != nil {
			if bs := pair.bare.busiest(); bs != nil {
				p("; the bare transport: %s", strings.Join(cpuPerMessage(bs), ", "))
			}
		}
		p(".\n")
	}
	for _, pair := range []struct {
		fd, bare *curve
	}{{fdS, bS}, {fdC, bC}} {
		if pair.fd == nil || pair.fd.busiest() == nil {
			continue
		}
		st := pair.fd.busiest()
		slack, hook := float64(st.SlackConns)/float64(max(st.Sent, 1)), float64(st.HookConns)/float64(max(st.Sent, 1))
		if slack+hook < 0.05 {
			continue
		}
		p("- **New TCP connections, %s**: Frontdesk opened %.2f connections to Slack and %.2f to the chatbot per message\n", pair.fd.Dir, slack, hook)
		if pair.bare != nil && pair.bare.busiest() != nil {
			bs := pair.bare.busiest()
			p("  (the bare transport, whose clients keep idle connections: %.2f and %.2f). ",
				float64(bs.SlackConns)/float64(max(bs.Sent, 1)), float64(bs.HookConns)/float64(max(bs.Sent, 1)))
		}
		p("Its Slack client and its connectors'\n")
		p("  clients keep up to 128 idle connections per host (cmd/frontdesk `pooledTransport`, connectors/internal/httpsrc\n")
		p("  `Pooled`), so a new connection means more calls were in flight at once than it kept, or a connection that\n")
		p("  the other end closed.\n")
	}
	if wi := r.Profile; wi != nil && len(wi.Profile) == 2 {
		cum := profileCum(wi.Profile[1])
		var parts []string
		for _, f := range []struct{ fn, what string }{
			{"store.(*Outbox).handleEntry", "handling outbox entries (handlers included)"},
			{"store.(*Outbox).read", "reading entries (XREADGROUP)"},
			{"store.(*Outbox).ack", "acknowledging them (XACK)"},
			{"store.decodeEntry", "decoding them"},
			{"store.(*queues).add", "queueing them per ticket"},
			{"store.(*Redis).Get", "reading tickets"},
			{"webhook.(*Handler).ServeHTTP", "the chatbot webhook"},
			{"bot.(*Bot).relay", "taking agents' messages from Socket Mode"},
			{"bot.(*Desk).post", "posting to Slack"},
		} {
			if v, ok := cum[f.fn]; ok {
				parts = append(parts, fmt.Sprintf("%s %.0f%%", f.what, v))
			}
		}
		if len(parts) > 0 {
			p("- **Where Frontdesk's CPU goes** (the profiled build over its whole search, share of its CPU time,\n")
			p("  callees included): %s. Each consumer group reads and acknowledges every entry itself, and decodes those it\n  has a use for.\n", strings.Join(parts, "; "))
		}
	}
	if len(r.Groups) > 0 {
		p("- **Consumer groups**: every outbox entry is read (XREADGROUP) and acknowledged (XACK) by each of the %d groups\n", len(r.Groups))
		p("  (%s), whether or not it acts on it; a group with no use for an entry's type acknowledges it without\n", strings.Join(r.Groups, ", "))
		p("  decoding it (store.OutboxConfig.Wants, tickets `Interests`), a handler that ignores an entry tells so before\n")
		p("  it reads the ticket, and each group acknowledges the entries it is done with within 100 ms in one XACK\n")
		p("  (store.OutboxConfig.AckDelay). A read brings whatever waits, up to 100 entries: under load one read and one\n")
		p("  XACK serve many entries, but at the cost windows' rate (below) an entry mostly comes alone.\n")
	}
	for _, name := range []string{"relayed message (C→S)", "relayed message (S→C)"} {
		c := r.costOf(name)
		if c == nil {
			continue
		}
		p("- **Redis per %s**: %.1f round trips (%.1f commands sent, %.1f more inside scripts): %s; scripts: %s.", name,
			c.RoundTrips, c.Client, c.InScripts, c.ByCommand, c.ByScript)
		if n := c.ByCommandCount("hgetall"); n > 0 {
			p(" The ticket is read %.1f times, each a pipeline of HGETALL ticket, LRANGE transfers, HGETALL cards,\n", n/ticketReadSize)
			p("  LRANGE edits (store/get.go).")
		}
		outbox := c.ByCommandCount("xreadgroup") + c.ByCommandCount("xack")
		if name == "relayed message (C→S)" {
			p(" Before the webhook answers there is 1: EVALSHA addMessageScript, which checks the conversation's\n")
			p("  open ticket, adds the message and returns the ticket (store/sourcemessage.go; a GET first for a conversation\n")
			p("  the process has not seen); then the desk reads the ticket to post it, and the outbox's reads and acks are %.1f.", outbox)
		} else {
			p(" Before Slack's event is done with there is 1: EVALSHA addMessageScript, which adds the message to the\n")
			p("  inbox channel's ticket and returns the ticket (store/inboxmessage.go; a GET first for a channel the process\n")
			p("  has not seen); then the source group reads the ticket and the settings (GET) to deliver it and appends the delivery\n")
			p("  (EVALSHA addEventScript), the marks group reads it to mark the message, and the outbox's reads and acks of\n")
			p("  the two entries are %.1f. The window comes after one agent message in every chat: the first in each inbox\n", outbox)
			p("  channel after Frontdesk's Socket Mode connection came up (or after any other sign that a connection may have\n")
			p("  ended with events in flight) costs one conversations.history call and 3 Redis round trips more, to check that\n")
			p("  no earlier message is missing (bot/gaps.go); that is once per channel, not per message.")
		}
		if c.RoundTrips > 3.05 && len(r.Groups) > 0 {
			p(" The ≤ 3 target is out of reach while each of the %d groups reads every entry on its own: that\n", len(r.Groups))
			p("  alone is %d round trips per entry when entries come one by one.", len(r.Groups))
		}
		p("\n")
	}
	if c := r.costOf("relayed message (S→C)"); c != nil && c.ByCommandCount("hgetall")/ticketReadSize >= 4.5 {
		p("  An agent message makes two outbox entries (the message, then its delivery), and the desk group's handler\n")
		p("  loads the ticket before it looks at the event's type (tickets/effects.go `handleDesk`), so it reads it for\n")
		p("  both although it acts on neither.\n")
	}
	if c := r.costOf("pick"); c != nil {
		p("- **Slack per pick**: %.2f calls (%s): a first pick creates the inbox channel (conversations.create),\n", c.SlackCalls, fmtPerOp(c.ByMethod))
		p("  invites the agent and the priority group (conversations.invite), posts its first message, which gives the\n")
		p("  customer's details and says who picked the ticket (chat.postMessage; bot/inbox.go `OpenInbox`), and updates\n")
		p("  the card (chat.update). The customer messages held while the ticket waited (%.2f a pick here) are then\n", c.Replayed)
		p("  relayed into the channel at one chat.postMessage each, counted as relayed messages, not as the pick's.\n")
	}
	if fdC != nil {
		if f := fdC.atFrac(0.9); f != nil && f.AckP99 >= 100*time.Millisecond {
			p("- **Acks of agents' messages near saturation**: an agent message's envelope is acknowledged once the ticket\n")
			p("  service has stored it (bot/bot.go `dispatch`, at most 2 s later), so that a crash before then leaves Slack to\n")
			p("  send it again; the bot's own messages (customer → Slack) are acknowledged at once. At 90%% of saturation\n")
			p("  (%.0f msg/s offered, %.0f delivered, the CPU busy %s) the intake queues behind the CPU like the\n", f.Rate, f.Throughput, cpuLine(f.CPU))
			p("  rest, and the acks with it: p99 %s, still well inside Slack's 3 s; at half saturation it is %s.\n", ms(f.AckP99), ackAt(fdC, 0.5))
		}
	}
	if f := r.Burst; f != nil {
		if n := f.Limited["conversations.history"]; n > 0 {
			p("- **conversations.history under Slack's limits**: it is Tier 3 (about 50 a minute) and Frontdesk reads it to\n")
			p("  check an inbox channel's order after its Socket Mode connection came up (bot/gaps.go: once per busy chat\n")
			p("  here) and to look for an earlier success before retrying a post that failed other than by a 429\n")
			p("  (bot/desk.go `findPosted`). During the burst it got %d 429s: a rate-limited order check lets the message\n", n)
			p("  go unchecked rather than wait, and a lookup waits its turn in the outbox. %.0f outbox entries were given up\n", f.GaveUp)
			p("  and %d of %d cards were never posted.\n", f.CardsMissing, f.Tickets)
		}
		if f.MarksBehind > 0 {
			p("- **✅ marks under Slack's limits**: reactions.add is Tier 3 too, so marks fall behind once agents write more\n")
			p("  than about 50 messages a minute in all: %.0f marks a minute were made and %d delivered messages were not\n", f.MarkRate, f.MarksBehind)
			p("  marked yet at the end. Delivery itself is not held up (marks are their own consumer group).\n")
		}
	}
	p("\n")
}

// ackAt is the Socket Mode ack p99 of c's run at frac of its saturation.
func ackAt(c *curve, frac float64) string {
	if h := c.atFrac(frac); h != nil {
		return ms(h.AckP99)
	}
	return "not measured"
}

// ticketReadSize is how many commands one read of a ticket sends (store/get.go).
const ticketReadSize = 2.0

func (r *report) methodSection(p func(string, ...any)) {
	p("## How it was measured\n\n")
	p("- `cmd/bench` builds `cmd/frontdesk` and `cmd/bench/bare` with `go build`, starts its own `redis-server` on a free\n")
	p("  loopback port, and runs the Slack simulator (`bot/slacktest.NewStandalone`, subscribed to the manifest's bot\n")
	p("  events) and the chatbot endpoint (checks every `X-Frontdesk-Signature`) in its own process.\n")
	p("- Frontdesk runs as a process with `PRIORITY_WINDOW=0`, `RATING_WINDOW=0`, `LOG_LEVEL=info`, four ticketing\n")
	p("  channels and %d agents who are in all of them. Chats are opened with `LIVE_CHAT_REQUEST` and picked by\n", r.cfg.agents)
	p("  clicking Pick in the simulator, as people would.\n")
	p("- The bare transport runs in a workspace of its own, with as many private channels as Frontdesk has chats.\n")
	p("- Customer messages go to %d chats round-robin; the webhook lets one customer send 5 a second, so customer →\n", r.cfg.chats)
	p("  Slack is offered at most %.1f × %d = %.0f msg/s.\n", r.cfg.perChat, r.cfg.chats, r.cfg.perChat*float64(r.cfg.chats))
	p("- Latency percentiles are over every message of a run; CPU is read from `/proc/<pid>/stat` over the sending\n")
	p("  window; RSS from `/proc/<pid>/status` (VmRSS); Redis memory from `INFO memory` (used_memory).\n")
	p("- The simulator's rate limits are off except in the burst scenario.\n")
	p("- Frontdesk logged %d error lines in the main run (all phases but the profile and the burst).\n\n", r.FrontdeskErrors)
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

// profileCum reads a `go tool pprof -top -cum` listing: cum% by function, keyed by the
// name after the module path ("store.(*Outbox).read").
func profileCum(listing string) map[string]float64 {
	out := map[string]float64{}
	for _, line := range strings.Split(listing, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasSuffix(f[4], "%") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(f[4], "%"), 64)
		if err != nil {
			continue
		}
		name := f[5]
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		out[name] = v
	}
	return out
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
