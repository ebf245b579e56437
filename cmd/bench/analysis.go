package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

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
			{"outbox.(*Worker).handleEntry", "handling outbox entries (handlers included)"},
			{"outbox.(*Worker).read", "reading entries (XREADGROUP)"},
			{"outbox.(*Worker).ack", "acknowledging them (XACK)"},
			{"store.decodeEntry", "decoding them"},
			{"outbox.(*queues).add", "queueing them per ticket"},
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
			p("  callees included): %s.\n", strings.Join(parts, "; "))
		}
	}
	if len(r.Groups) > 0 {
		p("- **Consumer groups** (%s): the outbox is routed when it is written (store/emit.go): each group has\n", strings.Join(r.Groups, ", "))
		p("  its own stream per partition, and the script that stores an event appends it only to the streams of the\n")
		p("  groups that act on it (tickets `Routes`): a customer's message goes to the desk alone, an agent's to the\n")
		p("  source alone, its delivery to the marks alone; the sinks get none of them. A group acknowledges what it\n")
		p("  handled within 100 ms in one XACK (outbox.Config.AckDelay); the marks and the sinks read and acknowledge a\n")
		p("  batch a second (outbox.Config.Linger). A delivery is kept, in the same script as the acknowledgement of the\n")
		p("  agent message it follows (store.Streams.AckWith), as its ticket's latest for the marks (store/latest.go:\n")
		p("  marks are cumulative, so one per ticket waits, never a stream entry per message), and a message's entry\n")
		p("  carries the ticket as it was written, so relaying it reads nothing more. The ✅ marks keep to Slack's Tier 3\n")
		p("  pace for reactions.add (50 a minute, bursts of 10; bot/marks.go), here as against Slack.\n")
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
		outbox := c.ByCommandCount("xreadgroup") + c.ByCommandCount("xack") + c.Scripts["ackWithScript"]
		if name == "relayed message (C→S)" {
			p(" Before the webhook answers there is 1: EVALSHA inboundScript, which checks the conversation's\n")
			p("  open ticket, adds the message, appends it to the desk's stream with the ticket and answers with its state\n")
			p("  (store/inbound.go; a GET first for a conversation the process has not seen); then the desk posts it with\n")
			p("  the ticket its entry carries, and the desk's read and acks are %.1f.", outbox)
		} else {
			p(" Before Slack's event is done with there is 1: EVALSHA addMessageScript, which adds the message to the\n")
			p("  inbox channel's ticket, appends it to the source's stream with the ticket and answers with the ticket's\n")
			p("  source (store/inboxmessage.go; a GET first for a channel the process has not seen); then the source group\n")
			p("  delivers it with the ticket its entry carries and acknowledges it together with keeping its delivery as\n")
			p("  the ticket's latest for the marks, which names the inbox channel (EVALSHA ackWithScript); the marks group\n")
			p("  reads what each partition keeps about once a second and marks the latest message of each chat at Slack's\n")
			p("  pace (cumulative marks); the reads and acks are %.1f. The window comes after one agent message in every chat: the first in each inbox\n", outbox)
			p("  channel after Frontdesk's Socket Mode connection came up (or after any other sign that a connection may have\n")
			p("  ended with events in flight) costs one conversations.history call and 3 Redis round trips more, to check that\n")
			p("  no earlier message is missing (bot/gaps.go); that is once per channel, not per message.")
		}
		p("\n")
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
			if h := fdC.atFrac(0.5); h != nil && f.OwnAckP99 > 0 {
				p("  Frontdesk's own part, from taking the event off the Socket Mode connection to handing the ack back to it\n")
				p("  (`frontdesk_slack_envelope_ack_seconds`), was p50 ≤ %s and p99 ≤ %s; %.1f%% of the goroutine waits sampled\n",
					secs(f.OwnAckP50), secs(f.OwnAckP99), 100*f.SchedOver10ms)
				p("  took more than 10 ms before a CPU ran them (`go_sched_latencies_seconds`; %.1f%% at half saturation):\n", 100*h.SchedOver10ms)
				p("  three processes share the 2 cores, and the store's answer, the relay and the ack each wait their turn.\n")
			}
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
			p("- **✅ marks under Slack's limits**: reactions.add is Tier 3 too, and the ✅ marks keep to its pace (50 a\n")
			p("  minute, bursts of 10; bot/marks.go). Marks are cumulative (the latest message delivered in a chat stands for\n")
			p("  those before it), and the marks group keeps one delivery per chat, its latest (store/latest.go), so a chat's\n")
			p("  mark waits its turn however many messages its agents send: %.0f marks a minute were made, for %d agent\n", f.MarkRate, f.AgentArrived)
			p("  messages delivered, and %d chats' latest messages were still waiting for theirs at the end. Delivery itself\n", f.MarksBehind)
			p("  is not held up (marks are their own consumer group).\n")
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

// busiest is the saturation reading: the confirming run the target kept up with, else
// the search step with the highest throughput of those it kept up with (an overloaded
// step's peak is not a rate it can hold). When it kept up with none, it is the step with
// the highest throughput.
func (c *curve) busiest() *step {
	for i := range c.Search {
		if st := &c.Search[i]; st.Confirm && st.KeptUp {
			return st
		}
	}
	var best, kept *step
	for i := range c.Search {
		st := &c.Search[i]
		if best == nil || st.Throughput > best.Throughput {
			best = st
		}
		if st.KeptUp && (kept == nil || st.Throughput > kept.Throughput) {
			kept = st
		}
	}
	if kept != nil {
		return kept
	}
	return best
}

// profileCum reads a `go tool pprof -top -cum` listing: cum% by function, keyed by the
// name after the last slash of its package path ("outbox.(*Worker).read" for
// store/outbox).
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

// secs is a bucket bound in seconds as a duration ("25ms").
func secs(s float64) string {
	if math.IsInf(s, 1) {
		return "∞"
	}
	return ms(time.Duration(s * float64(time.Second)))
}
