//go:build faults

package faults

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
)

// The standard burst: 20 chats, 50 customer messages and 25 agent messages each (1,000
// and 500), over about 8 seconds.
const chats = 20

var standard = load{cust: 50, agent: 25, custEvery: 150 * time.Millisecond, agentEvery: 300 * time.Millisecond}

func TestFaults(t *testing.T) {
	t.Run("crash", testCrash)
	t.Run("two-replicas", testTwoReplicas)
	t.Run("redis-restart", testRedisRestart)
	t.Run("slack-trouble", testSlackTrouble)
	t.Run("connector-trouble", testConnectorTrouble)
	t.Run("slow", testSlow)
	t.Run("rolling-restart", testRollingRestart)
	t.Run("customer-channels", testCustomerChannels)
}

// crash: kill -9 in the middle of a burst, then a restart; everything arrives once, in
// order per chat.
func testCrash(t *testing.T) {
	w := newWorld(t, "crash")
	p := w.start("fd-1", "")
	w.openChats(chats, 1)
	edited := standard
	edited.edits = 5
	b := w.startBurst(edited)
	b.reach(0.4)
	b.tickAcked() // the worst moment: Slack events acked and being relayed
	at := b.progress()
	p.kill()
	down := time.Now()
	w.start("fd-1-restarted", p.addr)
	w.note("kill -9 at %.0f%%, ready again in %.1fs", at*100, time.Since(down).Seconds())
	b.wait()
	w.settle(120 * time.Second)
	w.checkAcks()
}

// two-replicas: two processes on one Redis and one Slack app; three agents click Pick on
// every card at once; the agents write in pairs a few milliseconds apart, whose events
// Slack hands to either replica, and must reach the customer in the order written; one
// replica is killed mid-burst.
func testTwoReplicas(t *testing.T) {
	w := newWorld(t, "two-replicas")
	w.lateFromKilled = true
	pa := w.start("fd-a", "")
	pb := w.start("fd-b", "")
	if !poll(time.Now().Add(30*time.Second), func() bool { return w.sim.Connections() == 2 }) {
		t.Fatalf("%d Socket Mode connections, want 2", w.sim.Connections())
	}
	w.openChats(chats, 3)
	w.checkPicks(3)
	paired := standard
	paired.agentPair = 4 * time.Millisecond
	paired.edits = 5
	b := w.startBurst(paired)
	b.reach(0.4)
	// The victim is the replica holding the most outbox leases (the first one up takes
	// them all), so that the other must take its partitions over.
	leases := w.leases()
	victim, held, total := pb, leases[pb.cmd.Process.Pid], 0
	for _, n := range leases {
		total += n
	}
	if n := leases[pa.cmd.Process.Pid]; n > held {
		victim, held = pa, n
	}
	b.tickAcked()
	at := b.progress()
	victim.kill()
	w.note("%s killed at %.0f%% holding %d/%d outbox leases", victim.name, at*100, held, total)
	b.wait()
	w.settle(120 * time.Second)
	w.checkAcks()
}

// checkPicks checks that every ticket, clicked by clickers agents at once, was picked
// exactly once: one winner on the card, one inbox channel, one LIVE_CHAT_ACCEPTED, and
// every other clicker told who has it.
func (w *world) checkPicks(clickers int) {
	w.t.Helper()
	good := 0
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range w.chats {
		var problems []string
		var clicked []*slacktest.User
		for k := range clickers {
			clicked = append(clicked, w.agents[(c.idx+k)%len(w.agents)])
		}
		winner := false
		for _, u := range clicked {
			winner = winner || u.ID == c.agent.ID
		}
		if !winner {
			problems = append(problems, "the winner "+c.agent.ID+" did not click")
		}
		creates := 0
		for _, call := range w.sim.Calls("conversations.create") {
			if call.Error == "" && strings.HasPrefix(call.Params["name"], fmt.Sprintf("chat-%d-", c.ticket)) {
				creates++
			}
		}
		if creates != 1 {
			problems = append(problems, fmt.Sprintf("%d inbox channels created", creates))
		}
		accepted := 0
		for _, a := range w.bot.Delivered("LIVE_CHAT_ACCEPTED") {
			if a.Ticket == c.ticket {
				accepted++
			}
		}
		if accepted != 1 {
			problems = append(problems, fmt.Sprintf("%d LIVE_CHAT_ACCEPTED", accepted))
		}
		members := map[string]bool{}
		for _, id := range c.inbox.Members() {
			members[id] = true
		}
		for _, u := range clicked {
			if u.ID == c.agent.ID {
				continue
			}
			if members[u.ID] {
				problems = append(problems, u.Name+" (who lost) is in the inbox channel")
			}
			told := poll(deadline, func() bool {
				for _, e := range w.ephemerals("already picked by <@" + c.agent.ID + ">") {
					if e.Params["user"] == u.ID {
						return true
					}
				}
				return false
			})
			if !told {
				problems = append(problems, u.Name+" (who lost) was never told who has it")
			}
		}
		if len(problems) > 0 {
			w.t.Errorf("ticket #%d: %s", c.ticket, strings.Join(problems, "; "))
		} else {
			good++
		}
	}
	if n := len(w.ephemerals("could not be picked")); n > 0 {
		w.t.Errorf("%d clicks on Pick failed (\"could not be picked just now\")", n)
	}
	w.note("picks %d/%d single winner", good, len(w.chats))
}

// redis-restart: Redis stops mid-burst and comes back a few seconds later on the same
// port and directory. /readyz says so meanwhile; the process recovers by itself and
// loses nothing it had acknowledged.
func testRedisRestart(t *testing.T) {
	w := newWorld(t, "redis-restart")
	p := w.start("fd-1", "")
	w.openChats(chats, 1)
	b := w.startBurst(standard)
	b.reach(0.35)

	var mu sync.Mutex
	type probe struct {
		at     time.Time
		status int
	}
	var probes []probe
	stop := make(chan struct{})
	var watching sync.WaitGroup
	watching.Go(func() {
		hc := &http.Client{Timeout: 3 * time.Second}
		for {
			s := p.readyz(hc)
			mu.Lock()
			probes = append(probes, probe{time.Now(), s})
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	notReadySince := func(since time.Time) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, pr := range probes {
			if pr.at.After(since) && (pr.status < 200 || pr.status > 299) {
				n++
			}
		}
		return n
	}

	at := b.progress()
	if err := suite.redis.Stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	downAt := time.Now()
	sawDown := poll(downAt.Add(10*time.Second), func() bool { return notReadySince(downAt) > 0 })
	time.Sleep(time.Until(downAt.Add(5 * time.Second))) // Redis stays away 5 s
	if err := suite.redis.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	upAt := time.Now()
	away := upAt.Sub(downAt)
	notReady := notReadySince(downAt)
	recovered := poll(upAt.Add(60*time.Second), func() bool {
		mu.Lock()
		defer mu.Unlock()
		last := probes[len(probes)-1]
		return last.at.After(upAt) && last.status == http.StatusOK
	})
	close(stop)
	watching.Wait()
	w.note("redis away %.1fs at %.0f%%, /readyz non-2xx %d times, ready %.1fs after",
		away.Seconds(), at*100, notReady, time.Since(upAt).Seconds())
	if !sawDown {
		t.Errorf("/readyz kept answering 2xx while Redis was away")
	}
	if !recovered {
		t.Errorf("/readyz did not answer 200 within 60s of Redis coming back")
	}
	if !p.alive() {
		t.Fatalf("the process exited while Redis was away: %v", p.waitErr)
	}
	b.wait()
	_, agent := w.settle(120 * time.Second)
	if n := len(w.ephemerals("could not be taken just now")); n > 0 || agent.lost > 0 {
		w.note("agents told to resend %d", n)
		t.Logf("%d agent messages were acked to Slack but not taken (the agent was told to send again); %d agent messages lost", n, agent.lost)
	}
	w.checkAcks()
}

// slack-trouble: 429 storms with Retry-After, 5xx bursts, dropped sockets, a refresh
// and redelivered envelopes, all in the middle of a burst.
func testSlackTrouble(t *testing.T) {
	w := newWorld(t, "slack-trouble")
	w.start("fd-1", "")
	w.openChats(chats, 1)
	b := w.startBurst(standard)
	failed := func(method, code string) int {
		n := 0
		for _, c := range w.sim.Calls(method) {
			if c.Error == code {
				n++
			}
		}
		return n
	}

	b.reach(0.1)
	w.sim.RateLimit("chat.postMessage", 60, time.Second)
	w.sim.RateLimit("reactions.add", 20, 2*time.Second)
	w.sim.FailWith("conversations.history", 10, http.StatusInternalServerError) // a retry's look for its earlier post
	if !poll(time.Now().Add(60*time.Second), func() bool { return failed("chat.postMessage", "ratelimited") >= 60 }) {
		t.Errorf("the 429 storm was not used up: %d of 60", failed("chat.postMessage", "ratelimited"))
	}
	w.sim.FailWith("chat.postMessage", 40, http.StatusServiceUnavailable)

	b.reach(0.4)
	// Slack sends some envelopes again although they were acked.
	var again []*slacktest.Envelope
	for _, c := range w.chats[:10] {
		c.mu.Lock()
		m := c.agentOut[len(c.agentOut)-1]
		c.mu.Unlock()
		if m == nil || m.Envelope() == nil {
			t.Fatalf("chat %d: the agent's last message was not delivered to the app", c.idx)
		}
		w.sim.ExpectAck(m.Envelope())
		again = append(again, w.sim.Redeliver(m.Envelope()))
	}
	for _, e := range again {
		w.sim.ExpectAck(e)
	}

	b.reach(0.55)
	// The sockets drop right after a round of posts; reconnecting takes two 429s (about
	// 2 s), so events queue up meanwhile. Slack asks for a refresh the moment the new
	// connection is up, while that backlog is being delivered.
	reconnected := func() bool { return w.sim.Connections() == 1 }
	w.sim.RateLimit("apps.connections.open", 2, time.Second)
	b.tick()
	w.sim.DropConnections()
	dropped := w.sim.AckStats().Dropped
	if !poll1ms(time.Now().Add(30*time.Second), reconnected) {
		t.Fatalf("Frontdesk did not reconnect to Socket Mode within 30s of the drop")
	}
	opened := len(w.sim.Calls("apps.connections.open"))
	w.sim.Disconnect("refresh_requested")
	if !poll(time.Now().Add(30*time.Second), func() bool {
		return len(w.sim.Calls("apps.connections.open")) > opened && reconnected()
	}) {
		t.Fatalf("Frontdesk did not reconnect within 30s of a refresh_requested disconnect")
	}
	refreshed := w.sim.AckStats().Dropped - dropped
	b.wait()
	w.settle(120 * time.Second)
	w.note("429s %d, 5xx %d, redelivered %d+%d+%d (acked, drop, refresh), sockets opened %d",
		failed("chat.postMessage", "ratelimited")+failed("reactions.add", "ratelimited")+failed("apps.connections.open", "ratelimited"),
		failed("chat.postMessage", "http_503")+failed("conversations.history", "http_500"),
		len(again), dropped, refreshed, len(w.sim.Calls("apps.connections.open"))-failed("apps.connections.open", "ratelimited"))
	w.checkAcks()
}

// connector-trouble: the chatbot answers 503 to every event of one chat for a while,
// to the first attempt of every event of another, and to everything for 3 s in the
// middle; each agent message arrives once, in order, under one Idempotency-Key, and the
// healthy chats are not held up meanwhile.
func testConnectorTrouble(t *testing.T) {
	w := newWorld(t, "connector-trouble")
	w.start("fd-1", "")
	w.openChats(chats, 1)
	sick, flaky := w.chats[0], w.chats[1]
	var sickOn, allOn atomic.Bool
	tried := map[string]bool{} // event ids of the flaky chat tried once (under the chatbot's lock)
	w.bot.FailWith(func(a webhooktest.Event) int {
		switch {
		case allOn.Load(), sickOn.Load() && a.Member == sick.member:
			return http.StatusServiceUnavailable
		case a.Member == flaky.member && !tried[a.EventID]:
			tried[a.EventID] = true
			return http.StatusServiceUnavailable
		}
		return 0
	})
	sickOn.Store(true)
	sickFrom := time.Now()
	b := w.startBurst(standard)
	b.reach(0.3)
	allOn.Store(true)
	time.Sleep(3 * time.Second) // everything fails for 3 s
	allOn.Store(false)
	allOff := time.Now()
	b.wait()

	// The healthy chats get all their agent messages while the sick one still fails.
	healthyWant := 0
	for _, c := range w.chats[2:] {
		c.mu.Lock()
		healthyWant += len(c.agentTxt)
		c.mu.Unlock()
	}
	healthy := func(after time.Time) (n int) {
		for _, a := range w.bot.Delivered("AGENT_MESSAGE") {
			if a.Member != sick.member && a.Member != flaky.member && a.At.After(after) {
				n++
			}
		}
		return n
	}
	done := poll(time.Now().Add(60*time.Second), func() bool { return healthy(time.Time{}) >= healthyWant })
	got, during := healthy(time.Time{}), healthy(allOff)
	time.Sleep(time.Until(sickFrom.Add(15 * time.Second))) // chat 0 fails 15 s at least
	sickAttempts, sickDelivered := 0, 0
	for _, a := range w.bot.Events() {
		if a.Member == sick.member && a.Type == "AGENT_MESSAGE" {
			sickAttempts++
			if a.OK() {
				sickDelivered++
			}
		}
	}
	sickOn.Store(false)
	sickFor := time.Since(sickFrom)
	w.note("chat 0 failing %.1fs (%d attempts), healthy chats got %d/%d meanwhile",
		sickFor.Seconds(), sickAttempts, got, healthyWant)
	if !done {
		t.Errorf("while chat 0 failed, the healthy chats got %d of their %d agent messages in 60s", got, healthyWant)
	}
	if during == 0 {
		t.Errorf("no healthy chat's message arrived while chat 0 was failing")
	}
	if sickAttempts == 0 || sickDelivered > 0 {
		t.Errorf("chat 0: %d attempts, %d delivered while it failed; want attempts and no delivery", sickAttempts, sickDelivered)
	}
	w.settle(120 * time.Second)
	retried := map[string]int{}
	for _, a := range w.bot.Events() {
		if a.Member == flaky.member && a.Type == "AGENT_MESSAGE" {
			retried[a.EventID]++
		}
	}
	twice := 0
	for _, n := range retried {
		if n >= 2 {
			twice++
		}
	}
	w.note("chat 1 retried %d/%d", twice, len(retried))
	if twice != len(retried) {
		t.Errorf("chat 1: %d of %d agent messages were tried more than once, want all", twice, len(retried))
	}
	w.checkAcks()
}

// slow: 20-50 ms on every read from Redis (through a proxy) and 150 ms on every Slack
// Web API call; every envelope is still acked within 3 s and everything arrives once.
func testSlow(t *testing.T) {
	proxy := startProxy(t, suite.redis.Addr(), 20*time.Millisecond, 50*time.Millisecond)
	w := newWorld(t, "slow", slacktest.WithLatency(150*time.Millisecond))
	w.redisURL = "redis://" + proxy.addr() + "/0"
	w.start("fd-1", "")
	rtt := pingThrough(t, proxy.addr())
	w.openChats(chats, 1)
	b := w.startBurst(standard)
	b.wait()
	w.settle(180 * time.Second)
	w.note("redis PING %dms via the proxy, slack +150ms", rtt.Milliseconds())
	w.checkAcks()
}

// rolling-restart: two replicas, each stopped with SIGTERM (the binary's graceful
// shutdown) and started again in turn in the middle of a burst, as an orchestrator's
// rolling update does; each stops within its grace period, nothing is lost or doubled,
// and the agents' messages, written in pairs a few milliseconds apart, arrive in the
// order written.
func testRollingRestart(t *testing.T) {
	w := newWorld(t, "rolling-restart")
	procs := []*proc{w.start("fd-a", ""), w.start("fd-b", "")}
	if !poll(time.Now().Add(30*time.Second), func() bool { return w.sim.Connections() == 2 }) {
		t.Fatalf("%d Socket Mode connections, want 2", w.sim.Connections())
	}
	w.openChats(chats, 1)
	paired := standard
	paired.agentPair = 4 * time.Millisecond
	paired.edits = 5
	b := w.startBurst(paired)
	var stops []string
	for i, p := range procs {
		b.reach(0.2 + 0.35*float64(i))
		began := time.Now()
		if err := p.stop(30 * time.Second); err != nil {
			t.Errorf("rolling restart: %v", err)
		}
		stops = append(stops, fmt.Sprintf("%s stopped in %.1fs", p.name, time.Since(began).Seconds()))
		w.start(p.name+"-new", p.addr)
	}
	w.note("%s", strings.Join(stops, ", "))
	b.wait()
	w.settle(120 * time.Second)
	w.checkAcks()
}
