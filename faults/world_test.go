//go:build faults

package faults

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
	"github.com/frontdeskhq/frontdesk/store/redisserver"
)

// world is one scenario's setting: a Slack workspace (the simulator) with a support
// team, the chatbot's endpoint, a key prefix in the suite's Redis, and the frontdesk
// processes under test.
type world struct {
	t        *testing.T
	name     string
	dir      string
	sim      *slacktest.Sim
	support  *slacktest.Channel
	agents   []*slacktest.User
	bot      *webhooktest.Chatbot
	redisURL string // REDIS_URL given to processes (a proxy in "slow")
	prefix   string
	hc       *http.Client

	mu    sync.Mutex
	procs []*proc
	addrs []string // webhook endpoints, posted to in turn
	rr    atomic.Uint64
	chats []*chat
	extra []string // figures for the summary line
	fig   figures
	began time.Time
	// lateFromKilled: a replica is killed while another runs on, so an agent message
	// whose event the dead one took may arrive late (checkAgentOrder).
	lateFromKilled bool
	// extraEnv is added to every process's environment (a scenario's own settings).
	extraEnv map[string]string

	// The harness's own trouble talking to Frontdesk, as a chatbot would see it.
	postErrors atomic.Int64 // network errors (a process down)
	post5xx    atomic.Int64
	post429    atomic.Int64
}

// figures are a scenario's counts over both directions.
type figures struct {
	sent, delivered, duplicated, lost, outOfOrder int
}

func (f *figures) add(g figures) {
	f.sent += g.sent
	f.delivered += g.delivered
	f.duplicated += g.duplicated
	f.lost += g.lost
	f.outOfOrder += g.outOfOrder
}

func (f figures) String() string {
	return fmt.Sprintf("sent %d, delivered %d, duplicated %d, lost %d, out of order %d",
		f.sent, f.delivered, f.duplicated, f.lost, f.outOfOrder)
}

// newWorld sets up a scenario's world and registers its summary line, printed when the
// scenario ends, failed or not.
func newWorld(t *testing.T, name string, opts ...slacktest.Option) *world {
	w := &world{t: t, name: name, began: time.Now(), redisURL: suite.redis.URL(),
		prefix: "faults-" + name + ":",
		hc:     &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	t.Cleanup(func() {
		passed := !t.Failed()
		record(passed)
		w.mu.Lock()
		line := summary(name, w.fig, w.extra, time.Since(w.began), passed)
		w.mu.Unlock()
		fmt.Printf("%s\n", line)
	})
	w.dir = filepath.Join(suite.dir, name)
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Slack retries an event whose ack did not come within 3 s (its connection dropped,
	// say) after those 3 s, behind the events sent meanwhile; so does the simulator here.
	base := []slacktest.Option{slacktest.WithTimeout(30 * time.Second), slacktest.WithRetryDelay(3 * time.Second)}
	w.sim = slacktest.New(t, append(base, opts...)...)
	w.sim.DiscardUnexpected() // the suite counts what arrived instead of expecting each thing
	for _, n := range []string{"alice", "bob", "carol", "dan", "erin"} {
		w.agents = append(w.agents, w.sim.AddUser(n))
	}
	w.support = w.sim.AddChannel("support", false, append([]*slacktest.User{w.sim.Bot()}, w.agents...)...)
	w.bot = newChatbot(t)
	t.Cleanup(w.stopAll) // before the simulator closes (cleanups run last first)
	return w
}

// note adds a figure to the summary line.
func (w *world) note(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.extra = append(w.extra, fmt.Sprintf(format, args...))
}

// env is the environment of a frontdesk process (HTTP_ADDR aside).
func (w *world) env() map[string]string {
	env := map[string]string{
		"SLACK_API_URL":          w.sim.APIURL(),
		"SLACK_BOT_TOKEN":        w.sim.BotToken,
		"SLACK_APP_TOKEN":        w.sim.AppToken,
		"REDIS_URL":              w.redisURL,
		"REDIS_PREFIX":           w.prefix,
		"LOG_LEVEL":              "info",
		"WEBHOOK_TOKEN":          hookToken,
		"WEBHOOK_CALLBACK_URL":   w.bot.CallbackURL(),
		"WEBHOOK_SIGNING_SECRET": hookSecret,
		"PRIORITY_WINDOW":        "0",
		"RATING_WINDOW":          "0",
		"TICKETING_CHANNELS":     w.support.ID + "=Support",
	}
	maps.Copy(env, w.extraEnv)
	return env
}

// start runs a frontdesk process named name on addr ("" for a new free port) and waits
// until it is ready. A new address is added to the endpoints the harness posts to.
func (w *world) start(name, addr string) *proc {
	w.t.Helper()
	if addr == "" {
		port, err := redisserver.FreePort()
		if err != nil {
			w.t.Fatal(err)
		}
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	}
	p, err := startProc(w.dir, name, addr, w.env())
	if err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	w.procs = append(w.procs, p)
	known := false
	for _, a := range w.addrs {
		known = known || a == addr
	}
	if !known {
		w.addrs = append(w.addrs, addr)
	}
	w.mu.Unlock()
	if err := p.waitReady(w.hc, 60*time.Second); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// stopAll stops the processes still running (SIGTERM) and, when the scenario failed,
// dumps their logs.
func (w *world) stopAll() {
	w.mu.Lock()
	procs := append([]*proc(nil), w.procs...)
	w.mu.Unlock()
	for _, p := range procs {
		if err := p.stop(30 * time.Second); err != nil {
			w.t.Errorf("graceful shutdown: %v", err)
		}
	}
	if w.t.Failed() {
		for _, p := range procs {
			p.dump(w.t, 60)
		}
		w.t.Logf("logs of this scenario: %s", w.dir)
	}
}

// stacks makes every running process print its goroutines (SIGQUIT: the Go runtime
// writes them to stderr and exits) and logs those of the Slack side, to see where a stuck
// process waits.
func (w *world) stacks() {
	w.mu.Lock()
	procs := append([]*proc(nil), w.procs...)
	w.mu.Unlock()
	for _, p := range procs {
		if !p.alive() {
			continue
		}
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.kill()
		}
		b, _ := os.ReadFile(p.errPath)
		var keep []string
		for _, g := range strings.Split(string(b), "\n\n") {
			if strings.Contains(g, "socketmode") || strings.Contains(g, "frontdesk/bot.") {
				keep = append(keep, g)
			}
		}
		w.t.Logf("==== %s: goroutines of the Slack side (all in %s) ====\n%s", p.name, p.errPath, strings.Join(keep, "\n\n"))
	}
}

// leases counts the outbox partition leases each process holds, by pid: a lease's value
// is its holder's consumer name, "<host>-<pid>-<random>".
func (w *world) leases() map[int]int {
	w.t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: suite.redis.Addr()})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[int]int{}
	iter := rdb.Scan(ctx, 0, w.prefix+"lease:*", 1000).Iterator()
	for iter.Next(ctx) {
		holder, err := rdb.Get(ctx, iter.Val()).Result()
		if err != nil {
			continue // expired meanwhile
		}
		parts := strings.Split(holder, "-")
		if len(parts) >= 3 {
			pid, _ := strconv.Atoi(parts[len(parts)-2])
			out[pid]++
		}
	}
	if err := iter.Err(); err != nil {
		w.t.Fatalf("reading the outbox leases: %v", err)
	}
	return out
}

// chat is one customer conversation: its ticket, card, inbox channel and agent, and
// the messages the harness sent both ways.
type chat struct {
	idx    int
	member string
	name   string
	ticket int64
	card   *slacktest.Message
	inbox  *slacktest.Channel
	agent  *slacktest.User

	mu          sync.Mutex
	custSent    []string // every customer message sent, in order
	custOK      []string // those Frontdesk took (2xx), in order
	agentOut    []*slacktest.Message
	agentTxt    []string        // agent messages posted, in order
	custEdited  map[string]bool // customer messages edited (taken), by their first text
	agentEdited map[string]bool // agent messages edited, by their first text
}

// editMark ends the text of a message after its edit (load.edits).
const editMark = " +ed"

// unedited is text less the marks of an edit: the message's first text.
func unedited(text string) string {
	return strings.TrimSuffix(strings.TrimSuffix(text, " _(edited)_"), editMark)
}

func (c *chat) custPrefix(w *world) string  { return fmt.Sprintf("%s cust %02d-", w.name, c.idx) }
func (c *chat) agentPrefix(w *world) string { return fmt.Sprintf("%s agent %02d-", w.name, c.idx) }

// post sends one event to the next endpoint in turn: the status and body, or an error
// when nothing answered.
func (w *world) post(ev map[string]any) (int, map[string]any, http.Header, error) {
	w.mu.Lock()
	addr := w.addrs[int(w.rr.Add(1)-1)%len(w.addrs)]
	w.mu.Unlock()
	a, err := webhooktest.Send(context.Background(), w.hc, "http://"+addr, hookToken, ev)
	if err != nil {
		return 0, nil, nil, err
	}
	return a.Status, a.Body, a.Header, nil
}

// errRefused is an answer a retry cannot change (4xx other than 429).
var errRefused = errors.New("refused")

// send posts ev until Frontdesk takes it (2xx), as a chatbot does: after a network
// error or a 5xx it tries again shortly (on the next endpoint), after a 429 when
// Retry-After says. It gives up at the deadline or on another 4xx.
func (w *world) send(ev map[string]any, deadline time.Time) (map[string]any, error) {
	for {
		status, body, h, err := w.post(ev)
		var wait time.Duration
		switch {
		case err != nil:
			w.postErrors.Add(1)
			wait = 200 * time.Millisecond
		case status >= 200 && status < 300:
			return body, nil
		case status == http.StatusTooManyRequests:
			w.post429.Add(1)
			secs, _ := strconv.Atoi(h.Get("Retry-After"))
			wait = time.Duration(max(secs, 1)) * time.Second
		case status >= 500:
			w.post5xx.Add(1)
			wait = 200 * time.Millisecond
		default:
			return body, fmt.Errorf("%w: %s %v answered %d %v", errRefused, ev["type"], ev["message_id"], status, body)
		}
		if time.Now().Add(wait).After(deadline) {
			if err == nil {
				err = fmt.Errorf("status %d", status)
			}
			return nil, fmt.Errorf("%s %v not taken by the deadline: %v", ev["type"], ev["message_id"], err)
		}
		time.Sleep(wait)
	}
}

// openChats opens n chats with LIVE_CHAT_REQUEST and has clickers agents (1 or more)
// click Pick on each card at once; it waits until every chat is active with its inbox
// channel, its agent in it, and the chatbot told (LIVE_CHAT_ACCEPTED).
func (w *world) openChats(n, clickers int) {
	w.t.Helper()
	chats := make([]*chat, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		c := &chat{idx: i, member: fmt.Sprintf("%s-member-%02d", w.name, i), name: fmt.Sprintf("Customer %02d", i),
			custEdited: map[string]bool{}, agentEdited: map[string]bool{}}
		chats[i] = c
		wg.Go(func() {
			if err := w.openChat(c, clickers); err != nil {
				errs <- fmt.Errorf("chat %d: %w", c.idx, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		w.t.Error(err)
	}
	if w.t.Failed() {
		w.t.FailNow()
	}
	w.mu.Lock()
	w.chats = chats
	w.mu.Unlock()
}

var processingRE = regexp.MustCompile(`Processing by @(U[A-Z0-9]+) in #(C[A-Z0-9]+)`)

func (w *world) openChat(c *chat, clickers int) error {
	deadline := time.Now().Add(90 * time.Second)
	body, err := w.send(map[string]any{
		"type": "LIVE_CHAT_REQUEST", "member": c.member, "channel": hookLine, "app": hookApp,
		"text": "hello from " + c.name, "message_id": c.member + "-open",
		"profile": map[string]any{"name": c.name, "email": fmt.Sprintf("customer%02d@example.com", c.idx)},
	}, deadline)
	if err != nil {
		return err
	}
	num, _ := body["ticket"].(float64)
	c.ticket = int64(num)
	if c.ticket == 0 {
		return fmt.Errorf("LIVE_CHAT_REQUEST answered %v", body)
	}
	// The card.
	prefix := fmt.Sprintf("Ticket #%d ·", c.ticket)
	if !poll(deadline, func() bool {
		for _, m := range w.support.Messages() {
			if m.User() == slacktest.BotUserID && topLevel(m) && strings.HasPrefix(m.Text(), prefix) {
				c.card = m
				return true
			}
		}
		return false
	}) {
		return fmt.Errorf("no card for ticket #%d", c.ticket)
	}
	// Pick: clickers agents at once.
	users := make([]*slacktest.User, clickers)
	for k := range users {
		users[k] = w.agents[(c.idx+k)%len(w.agents)]
	}
	w.sim.ClickAtOnce(c.card, "Pick", users...)
	var winner, inbox string
	if !poll(deadline, func() bool {
		m := processingRE.FindStringSubmatch(c.card.Text())
		if m == nil {
			return false
		}
		winner, inbox = m[1], m[2]
		return true
	}) {
		return fmt.Errorf("card of ticket #%d never said who processes it: %q", c.ticket, c.card.Text())
	}
	c.agent = w.sim.User(winner)
	c.inbox = w.sim.Channel(inbox)
	if c.agent == nil || c.inbox == nil {
		return fmt.Errorf("ticket #%d: unknown agent %s or inbox %s", c.ticket, winner, inbox)
	}
	if !poll(deadline, func() bool {
		member := false
		for _, id := range c.inbox.Members() {
			member = member || id == winner
		}
		if !member {
			return false
		}
		for _, a := range w.bot.Delivered("LIVE_CHAT_ACCEPTED") {
			if a.Ticket == c.ticket {
				return true
			}
		}
		return false
	}) {
		return fmt.Errorf("ticket #%d: the agent never joined %s or the chatbot never got LIVE_CHAT_ACCEPTED", c.ticket, inbox)
	}
	return nil
}

// topLevel reports whether m is not a thread reply (a parent's ThreadTS is its own ts).
func topLevel(m *slacktest.Message) bool {
	ts := m.ThreadTS()
	return ts == "" || ts == m.TS
}

// poll calls cond every 50ms until it is true or the deadline passes; it reports
// whether cond became true.
func poll(deadline time.Time, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// load is how many messages a burst sends per chat each way, and how often. With
// agentPair set, the agents write in pairs: the second message of each pair agentPair
// after the first, the next pair agentEvery later.
type load struct {
	cust, agent           int
	custEvery, agentEvery time.Duration
	agentPair             time.Duration
	// edits, when set, edits every edits-th message of each side right after it was
	// sent (a customer's with MESSAGE_EDITED, an agent's in Slack), adding editMark.
	edits int
}

// burst is a burst of messages in flight: per chat, a customer (POSTs through the
// chatbot's connector, each retried until taken) and its agent (posts in the inbox).
type burst struct {
	w        *world
	total    int
	wg       sync.WaitGroup
	taken    atomic.Int64
	posted   atomic.Int64
	mu       sync.Mutex
	failures []string
}

// startBurst starts l on every chat.
func (w *world) startBurst(l load) *burst {
	b := &burst{w: w, total: len(w.chats) * (l.cust + l.agent)}
	for _, c := range w.chats {
		b.wg.Go(func() {
			for i := range l.cust {
				text := fmt.Sprintf("%s%03d", c.custPrefix(w), i)
				c.mu.Lock()
				c.custSent = append(c.custSent, text)
				c.mu.Unlock()
				_, err := w.send(map[string]any{
					"type": "MESSAGE", "member": c.member, "channel": hookLine, "app": hookApp,
					"message_id": fmt.Sprintf("%s-msg-%03d", c.member, i), "text": text,
				}, time.Now().Add(120*time.Second))
				if err != nil {
					b.fail("chat %d: customer message %d: %v", c.idx, i, err)
				} else {
					c.mu.Lock()
					c.custOK = append(c.custOK, text)
					c.mu.Unlock()
					b.taken.Add(1)
					if l.edits > 0 && i%l.edits == l.edits-1 {
						_, err := w.send(map[string]any{
							"type": "MESSAGE_EDITED", "member": c.member, "channel": hookLine, "app": hookApp,
							"message_id": fmt.Sprintf("%s-msg-%03d", c.member, i), "text": text + editMark,
						}, time.Now().Add(120*time.Second))
						if err != nil {
							b.fail("chat %d: customer edit %d: %v", c.idx, i, err)
						} else {
							c.mu.Lock()
							c.custEdited[text] = true
							c.mu.Unlock()
						}
					}
				}
				time.Sleep(l.custEvery) // pacing, as customers type
			}
		})
		b.wg.Go(func() {
			for i := range l.agent {
				text := fmt.Sprintf("%s%03d", c.agentPrefix(w), i)
				m := c.agent.Post(c.inbox, text)
				c.mu.Lock()
				c.agentTxt = append(c.agentTxt, text)
				c.agentOut = append(c.agentOut, m)
				c.mu.Unlock()
				b.posted.Add(1)
				if l.edits > 0 && i%l.edits == l.edits-1 {
					c.agent.Edit(m, text+editMark)
					c.mu.Lock()
					c.agentEdited[text] = true
					c.mu.Unlock()
				}
				if l.agentPair > 0 && i%2 == 0 {
					time.Sleep(l.agentPair)
				} else {
					time.Sleep(l.agentEvery)
				}
			}
		})
	}
	return b
}

func (b *burst) fail(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, fmt.Sprintf(format, args...))
}

// progress is the share of the burst's messages sent (and, for customers, taken).
func (b *burst) progress() float64 {
	return float64(b.taken.Load()+b.posted.Load()) / float64(b.total)
}

// reach waits until the burst has made progress p (0 to 1).
func (b *burst) reach(p float64) {
	b.w.t.Helper()
	if !poll(time.Now().Add(120*time.Second), func() bool { return b.progress() >= p }) {
		b.w.t.Fatalf("the burst never reached %.0f%% (at %.0f%%)", p*100, b.progress()*100)
	}
}

// tick waits for the agents' next round of posts and returns just after it: the moment
// when the most Slack events are in flight (delivered, acked, being relayed).
func (b *burst) tick() {
	b.w.t.Helper()
	n := b.posted.Load()
	if !poll1ms(time.Now().Add(10*time.Second), func() bool { return b.posted.Load() != n }) {
		b.w.t.Fatalf("the agents stopped posting")
	}
}

// tickAcked waits for the agents' next round of posts and for Frontdesk's first ack of
// it, and returns at once: the rest of the round is being acked and relayed.
func (b *burst) tickAcked() {
	b.w.t.Helper()
	acked := b.w.sim.AckStats().Acked
	b.tick()
	if !poll1ms(time.Now().Add(10*time.Second), func() bool { return b.w.sim.AckStats().Acked > acked }) {
		b.w.t.Fatalf("Frontdesk acked nothing of the agents' round within 10s")
	}
}

// poll1ms is poll at a 1 ms pace, to act right after something happens.
func poll1ms(deadline time.Time, cond func() bool) bool {
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// wait waits for the burst's senders; a message Frontdesk never took fails the scenario.
func (b *burst) wait() {
	b.w.t.Helper()
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, f := range b.failures {
		if i == 20 {
			b.w.t.Errorf("... and %d more", len(b.failures)-20)
			break
		}
		b.w.t.Error(f)
	}
	if len(b.failures) > 0 {
		b.w.note("not-taken %d", len(b.failures))
	}
}

// custSeen lists, per chat, the texts of the customer messages the bot posted in its
// inbox channel, in channel order.
func (w *world) custSeen(c *chat) []string {
	var out []string
	prefix := c.custPrefix(w)
	for _, m := range c.inbox.Messages() {
		if m.User() != slacktest.BotUserID || !topLevel(m) {
			continue
		}
		if text := m.Text(); strings.HasPrefix(text, prefix) {
			out = append(out, unedited(text)) // checkEdits looks at the edits
		}
	}
	return out
}

// agentSeen lists, per chat, the chatbot's AGENT_MESSAGE deliveries (first 2xx per
// event_id), in arrival order.
func (w *world) agentSeen(c *chat, delivered []webhooktest.Event) []webhooktest.Event {
	var out []webhooktest.Event
	for _, a := range delivered {
		if a.Member == c.member {
			out = append(out, a)
		}
	}
	return out
}

// direction counts one direction of one chat: sent (in order) against what arrived (in
// arrival order, one entry per delivery).
func direction(sent, arrived []string) figures {
	f := figures{sent: len(sent), outOfOrder: len(late(sent, arrived))}
	count := map[string]int{}
	for _, a := range arrived {
		count[a]++
	}
	for _, s := range sent {
		switch n := count[s]; {
		case n == 0:
			f.lost++
		case n > 1:
			f.duplicated++
			f.delivered++
		default:
			f.delivered++
		}
	}
	return f
}

// tally counts both directions over every chat: customer messages Frontdesk took
// against those in the inbox channels, agent messages posted against the chatbot's
// AGENT_MESSAGE deliveries. rekeyed counts agent messages whose attempts carried more
// than one Idempotency-Key.
func (w *world) tally() (cust, agent figures, rekeyed int) {
	all := w.bot.Events()
	var delivered []webhooktest.Event
	keys := map[string]map[string]bool{} // text → keys of every attempt
	seenEv := map[string]bool{}
	for _, a := range all {
		if a.Type != "AGENT_MESSAGE" {
			continue
		}
		if keys[unedited(a.Text)] == nil {
			keys[unedited(a.Text)] = map[string]bool{}
		}
		keys[unedited(a.Text)][a.Key] = true
		if a.OK() && !seenEv[a.EventID] {
			seenEv[a.EventID] = true
			delivered = append(delivered, a)
		}
	}
	for _, c := range w.chats {
		c.mu.Lock()
		custOK := append([]string(nil), c.custOK...)
		custSent := len(c.custSent)
		agentTxt := append([]string(nil), c.agentTxt...)
		c.mu.Unlock()
		// Customer messages count from those Frontdesk took (a 2xx); any it never took
		// fail the scenario on their own (burst.wait).
		f := direction(custOK, w.custSeen(c))
		f.sent = custSent
		cust.add(f)
		var arrived []string
		for _, a := range w.agentSeen(c, delivered) {
			arrived = append(arrived, unedited(a.Text)) // sent as edited when taken from history
		}
		agent.add(direction(agentTxt, arrived))
		for _, text := range agentTxt {
			if len(keys[text]) > 1 {
				rekeyed++
			}
		}
	}
	return cust, agent, rekeyed
}

// settle waits until every message sent has arrived (or the timeout passes), then
// counts, records the figures for the summary line and fails the scenario on anything
// lost, doubled or out of order.
func (w *world) settle(timeout time.Duration) (cust, agent figures) {
	w.t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	// Waiting stops early when nothing new arrives for stall: longer than any pause the
	// product may take on its own (a dead replica's outbox leases run out after 15 s).
	const stall = 40 * time.Second
	lastProgress, arrived := start, -1
	for {
		cust, agent, _ = w.tally()
		edited, wrong := w.edits()
		if cust.lost == 0 && agent.lost == 0 && len(wrong) == 0 || time.Now().After(deadline) {
			break
		}
		if n := cust.delivered + agent.delivered + edited; n != arrived {
			arrived, lastProgress = n, time.Now()
		} else if time.Since(lastProgress) > stall {
			w.t.Logf("nothing new arrived for %v; counting", stall)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	// Whatever was going to be doubled has had time to be, too.
	time.Sleep(2 * time.Second)
	cust, agent, rekeyed := w.tally()
	var all figures
	all.add(cust)
	all.add(agent)
	w.mu.Lock()
	w.fig = all
	w.mu.Unlock()
	w.t.Logf("customer messages: %v", cust)
	w.t.Logf("agent messages:    %v", agent)
	w.t.Logf("settled in %.1fs; harness posts: %d network errors, %d 5xx, %d 429 (all retried)",
		time.Since(start).Seconds(), w.postErrors.Load(), w.post5xx.Load(), w.post429.Load())
	if cust.lost+cust.duplicated+cust.outOfOrder > 0 {
		w.t.Errorf("customer messages to Slack: %v", cust)
		w.detail(false)
	}
	if agent.outOfOrder > 0 {
		w.checkAgentOrder(agent)
	}
	if agent.lost+agent.duplicated > 0 {
		w.t.Errorf("agent messages to the chatbot: %v", agent)
		if n := w.lostAfterAck(); n > 0 {
			w.note("lost-after-ack %d", n)
			w.t.Errorf("%d of the lost agent messages were acked to Slack by Frontdesk (Slack will never send them again)", n)
		}
		w.detail(true)
	}
	if rekeyed > 0 {
		w.t.Errorf("%d agent messages were retried under a different Idempotency-Key", rekeyed)
		w.note("rekeyed %d", rekeyed)
	}
	w.checkEdits()
	if p := w.bot.Problems(); p != (webhooktest.Problems{}) {
		w.t.Errorf("chatbot endpoint: %d requests with a bad signature, %d unreadable, %d attempts whose Idempotency-Key is not their event_id", p.BadSignature, p.BadBody, p.BadKey)
	}
	return cust, agent
}

// checkAgentOrder fails the scenario on agent messages that reached the chatbot after
// one the agent wrote later in the same chat. Frontdesk relays each inbox channel in
// Slack's order even when a connection ends with a message in flight (bot/gaps.go: it
// reads the channel's history before relaying the next message). Only where
// w.lateFromKilled is set (a replica killed with -9 while the other keeps running) may a
// message be late, and only one whose event the dead replica took with it, so that Slack
// had to send it again: the agent's next message, reaching the surviving replica at
// once, can be relayed before anyone can know of the loss (docs/reliability.md).
func (w *world) checkAgentOrder(agent figures) {
	w.t.Helper()
	sentAgain := map[string]bool{}
	for _, e := range w.sim.Envelopes() {
		if e.RetryAttempt > 0 {
			sentAgain[e.EventID] = true
		}
	}
	delivered := w.bot.Delivered("AGENT_MESSAGE")
	explained, unexplained := 0, 0
	for _, c := range w.chats {
		c.mu.Lock()
		sent := append([]string(nil), c.agentTxt...)
		events := make(map[string]string, len(sent))
		for i, text := range sent {
			if m := c.agentOut[i]; m != nil && m.Envelope() != nil {
				events[text] = m.Envelope().EventID
			}
		}
		c.mu.Unlock()
		var arrived []string
		for _, a := range w.agentSeen(c, delivered) {
			arrived = append(arrived, unedited(a.Text)) // sent as edited when taken from history
		}
		for _, text := range late(sent, arrived) {
			if w.lateFromKilled && sentAgain[events[text]] {
				explained++
			} else {
				unexplained++
			}
		}
	}
	if explained > 0 {
		w.note("late from the killed replica %d", explained)
		w.t.Logf("%d agent messages whose events the killed replica took with it arrived after the agent's next ones", explained)
	}
	if unexplained > 0 {
		w.t.Errorf("agent messages to the chatbot: %v; %d out of order", agent, unexplained)
		w.detail(true)
	}
}

// late returns the messages of sent that first arrived after a message sent after them
// (the order is that of first arrivals).
func late(sent, arrived []string) []string {
	idx := make(map[string]int, len(sent))
	for i, s := range sent {
		idx[s] = i
	}
	seen := map[string]bool{}
	maxSeen := -1
	var out []string
	for _, a := range arrived {
		i, ok := idx[a]
		if !ok || seen[a] {
			continue
		}
		seen[a] = true
		if i < maxSeen {
			out = append(out, a)
		}
		maxSeen = max(maxSeen, i)
	}
	return out
}

// lostAfterAck counts the agent messages that never reached the chatbot although
// Frontdesk had acked (one delivery of) their Slack event.
func (w *world) lostAfterAck() int {
	ackedEnv := map[string]bool{}
	for _, a := range w.sim.Acks() {
		ackedEnv[a.EnvelopeID] = true
	}
	ackedEvent := map[string]bool{}
	for _, e := range w.sim.Envelopes() {
		if ackedEnv[e.ID] {
			ackedEvent[e.EventID] = true
		}
	}
	got := map[string]bool{}
	for _, a := range w.bot.Delivered("AGENT_MESSAGE") {
		got[a.Text] = true
	}
	n := 0
	for _, c := range w.chats {
		c.mu.Lock()
		for i, text := range c.agentTxt {
			if m := c.agentOut[i]; m != nil && !got[text] {
				if e := m.Envelope(); e != nil && ackedEvent[e.EventID] {
					n++
				}
			}
		}
		c.mu.Unlock()
	}
	return n
}

// detail logs, per chat, which messages were lost, doubled or out of order (the first
// few), to diagnose a failure.
func (w *world) detail(agentSide bool) {
	delivered := w.bot.Delivered("AGENT_MESSAGE")
	shown := 0
	for _, c := range w.chats {
		c.mu.Lock()
		sent := append([]string(nil), c.custOK...)
		if agentSide {
			sent = append([]string(nil), c.agentTxt...)
		}
		c.mu.Unlock()
		var arrived []string
		if agentSide {
			for _, a := range w.agentSeen(c, delivered) {
				arrived = append(arrived, a.Text)
			}
		} else {
			arrived = w.custSeen(c)
		}
		f := direction(sent, arrived)
		if f.lost+f.duplicated+f.outOfOrder == 0 {
			continue
		}
		count := map[string]int{}
		for _, a := range arrived {
			count[a]++
		}
		var lost, dup []string
		for _, s := range sent {
			switch {
			case count[s] == 0:
				lost = append(lost, strings.TrimPrefix(s, w.name+" "))
			case count[s] > 1:
				dup = append(dup, fmt.Sprintf("%s×%d", strings.TrimPrefix(s, w.name+" "), count[s]))
			}
		}
		var order []string
		for _, a := range arrived {
			order = append(order, a[strings.LastIndex(a, "-")+1:])
		}
		w.t.Logf("chat %d (ticket #%d, inbox %s): %v\n\tlost %q\n\tdoubled %q\n\tarrival order %s",
			c.idx, c.ticket, c.inbox.ID, f, lost, dup, strings.Join(order, " "))
		if shown++; shown == 5 {
			break
		}
	}
}

// ephemerals lists the texts of the ephemeral messages the bot sent users (from the
// simulator's record of chat.postEphemeral calls that succeeded).
func (w *world) ephemerals(substr string) []slacktest.Call {
	var out []slacktest.Call
	for _, c := range w.sim.Calls("chat.postEphemeral") {
		if c.Error == "" && strings.Contains(c.Params["text"], substr) {
			out = append(out, c)
		}
	}
	return out
}

// checkAcks fails the scenario unless every envelope written to the app was acked
// within Slack's 3 s, and notes the slowest ack.
func (w *world) checkAcks() {
	w.t.Helper()
	var st slacktest.AckStats
	poll(time.Now().Add(10*time.Second), func() bool {
		st = w.sim.AckStats()
		return st.Unacked == 0 && st.Queued == 0
	})
	w.note("acks %d max %dms", st.Acked, st.Max.Milliseconds())
	w.t.Logf("acks: %+v", st)
	if st.Late > 0 {
		for _, a := range w.sim.Acks() {
			if a.Latency > time.Second {
				w.t.Logf("slow ack: %s envelope %s on connection %d after %v", a.Type, a.EnvelopeID, a.Conn, a.Latency)
			}
		}
	}
	if st.Late > 0 || st.Overdue > 0 || st.Unacked > 0 || st.Queued > 0 {
		w.t.Errorf("Socket Mode acks: %d late (over 3s), %d overdue, %d unacked, %d never written; slowest %v",
			st.Late, st.Overdue, st.Unacked, st.Queued, st.Max)
	}
	if st.Overdue > 0 {
		w.note("STUCK: %d envelopes never acked", st.Overdue)
		w.stacks()
	}
}

// checkEdits fails the scenario on an edit that did not come through exactly once: a
// customer's edited message must show in its inbox channel with its new text, marked
// edited; an agent's edited message must reach the chatbot with its new text once, either
// as an AGENT_MESSAGE already edited (taken from the channel's history) or as the
// AGENT_MESSAGE and then one MESSAGE_EDITED naming it.
func (w *world) checkEdits() {
	w.t.Helper()
	ok, problems := w.edits()
	for _, p := range problems {
		w.t.Error(p)
	}
	w.t.Logf("edits: %d came through once, %d did not", ok, len(problems))
	if len(problems) > 0 {
		w.note("edits-wrong %d", len(problems))
	} else if ok > 0 {
		w.note("edits %d once", ok)
	}
}

// edits counts the edits that came through as checkEdits wants, and says what is wrong
// with the others.
func (w *world) edits() (ok int, problems []string) {
	events := w.bot.Events()
	for _, c := range w.chats {
		c.mu.Lock()
		custEdited, agentEdited := maps.Clone(c.custEdited), maps.Clone(c.agentEdited)
		c.mu.Unlock()
		shown := map[string]string{} // first text → text shown now
		for _, m := range c.inbox.Messages() {
			if m.User() == slacktest.BotUserID && topLevel(m) {
				shown[unedited(m.Text())] = m.Text()
			}
		}
		for text := range custEdited {
			if got := shown[text]; got != text+editMark+" _(edited)_" {
				problems = append(problems, fmt.Sprintf("chat %d: the customer's edited message %q shows as %q", c.idx, text, got))
			} else {
				ok++
			}
		}
		// The chatbot's deliveries for this chat, first 2xx per event_id, in arrival order.
		seenEv := map[string]bool{}
		var got []webhooktest.Event
		for _, e := range events {
			if e.Member == c.member && e.OK() && !seenEv[e.EventID] {
				seenEv[e.EventID] = true
				got = append(got, e)
			}
		}
		for text := range agentEdited {
			if why := agentEditOnce(got, text); why != "" {
				problems = append(problems, fmt.Sprintf("chat %d: the agent's edited message %q: %s", c.idx, text, why))
			} else {
				ok++
			}
		}
	}
	return ok, problems
}

// agentEditOnce says what is wrong with how the edit of the agent message first written
// as text reached the chatbot (got: its deliveries in arrival order), or "".
func agentEditOnce(got []webhooktest.Event, text string) string {
	id, pos := "", -1
	for i, e := range got {
		if e.Type == "AGENT_MESSAGE" && unedited(e.Text) == text {
			if id != "" {
				return "delivered twice"
			}
			id, pos = fmt.Sprint(e.Fields["message_id"]), i
			if e.Text == text+editMark {
				pos = -2 // already edited: no MESSAGE_EDITED may follow
			}
		}
	}
	if id == "" {
		return "never delivered"
	}
	edits := 0
	for i, e := range got {
		if e.Type != "MESSAGE_EDITED" || fmt.Sprint(e.Fields["message_id"]) != id {
			continue
		}
		edits++
		switch {
		case pos == -2:
			return "delivered edited, and then edited again"
		case i < pos:
			return "its edit came before it"
		case e.Text != text+editMark:
			return fmt.Sprintf("edited to %q", e.Text)
		}
	}
	switch {
	case pos == -2 && edits == 0:
		return ""
	case edits != 1:
		return fmt.Sprintf("%d MESSAGE_EDITED deliveries, want 1", edits)
	}
	return ""
}
