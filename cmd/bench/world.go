package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdeskhq/frontdesk/bot"
	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/ai/aitest"
	"github.com/frontdeskhq/frontdesk/connectors/vitally/vitallytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	hookToken  = "bench-webhook-token-0123456789"
	hookSecret = "bench-signing-secret-0123456789"
	hookApp    = "bench-bot"
	hookLine   = "web"
	// The sinks' credentials at their fakes: real installs run the Vitally and AI sinks,
	// so the measured setup does too.
	vitallySecret = "bench-vitally-secret"
	aiKey         = "bench-ai-key"
)

// world is one Slack workspace (the simulator, in this process) with its agents and
// ticketing channels, the chatbot's endpoint, and the trackers of both directions.
type world struct {
	dir   string
	sim   *slacktest.Sim
	tail  *tailer
	cust  *tracker // customer → Slack
	agent *tracker // Slack → customer
	bot   *chatbot
	// vitally and ai are the fakes of the sinks' vendors (connectors' vitallytest and
	// aitest), in this process like the simulator. Frontdesk reaches Vitally through
	// vitallyFront, which can hold its requests (the stall phase).
	vitally      *vitallytest.Server
	vitallyFront *stallFront
	ai           *aitest.Server
	hc           *http.Client
	agents       []*slacktest.User
	teams        []*slacktest.Channel
	labels       []string
	cards        *cardIndex

	members atomic.Int64 // member ids handed out

	agentMu   sync.Mutex
	agentLock map[string]*sync.Mutex
}

// lockAgent takes agent id's lock, for a flow that person can only do once at a time
// (a modal on their screen), and returns its unlock.
func (w *world) lockAgent(id string) func() {
	w.agentMu.Lock()
	if w.agentLock == nil {
		w.agentLock = map[string]*sync.Mutex{}
	}
	mu := w.agentLock[id]
	if mu == nil {
		mu = &sync.Mutex{}
		w.agentLock[id] = mu
	}
	w.agentMu.Unlock()
	mu.Lock()
	return mu.Unlock
}

// newWorld starts a simulator with nAgents agents, all in every ticketing channel (named
// after labels), subscribed to the manifest's bot events.
func newWorld(dir string, nAgents int, labels []string) (*world, error) {
	sim := slacktest.NewStandalone(slacktest.WithBotEvents(bot.Events...),
		slacktest.WithTimeout(30*time.Second))
	sim.DiscardUnexpected()
	w := &world{dir: dir, sim: sim, cust: &tracker{}, agent: &tracker{}, labels: labels,
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute, DisableCompression: true,
		}}}
	w.tail = newTailer(sim, w.cust)
	cb, err := startChatbot(hookSecret, w.agent)
	if err != nil {
		return nil, err
	}
	w.bot = cb
	w.vitally, w.ai = vitallytest.New(vitallySecret), aitest.New(aiKey)
	if w.vitallyFront, err = newStallFront(w.vitally.URL); err != nil {
		cb.close()
		w.vitally.Close()
		w.ai.Close()
		return nil, err
	}
	members := []*slacktest.User{sim.Bot()}
	for i := range nAgents {
		u := sim.AddUser(fmt.Sprintf("agent%02d", i))
		w.agents = append(w.agents, u)
		members = append(members, u)
	}
	for _, l := range labels {
		w.teams = append(w.teams, sim.AddChannel(strings.ToLower(l)+"-tickets", false, members...))
	}
	w.cards = &cardIndex{cards: map[int64]*card{}, after: make([]string, len(w.teams))}
	return w, nil
}

func (w *world) close() {
	w.tail.close()
	w.bot.close()
	w.vitallyFront.close() // before the fake: what it held goes through
	w.vitally.Close()
	w.ai.Close()
	w.sim.Close()
}

// ticketingChannels is TICKETING_CHANNELS for these teams.
func (w *world) ticketingChannels() string {
	var parts []string
	for i, ch := range w.teams {
		parts = append(parts, ch.ID+"="+w.labels[i])
	}
	return strings.Join(parts, ",")
}

// frontdeskEnv is Frontdesk's environment in this world.
func (w *world) frontdeskEnv(redisURL, prefix, addr string) map[string]string {
	return map[string]string{
		"SLACK_API_URL":          w.sim.APIURL(),
		"SLACK_BOT_TOKEN":        w.sim.BotToken,
		"SLACK_APP_TOKEN":        w.sim.AppToken,
		"REDIS_URL":              redisURL,
		"REDIS_PREFIX":           prefix,
		"HTTP_ADDR":              addr,
		"LOG_LEVEL":              "info",
		"TICKETING_CHANNELS":     w.ticketingChannels(),
		"PRIORITY_WINDOW":        "0",
		"RATING_WINDOW":          "0",
		"WEBHOOK_TOKEN":          hookToken,
		"WEBHOOK_CALLBACK_URL":   w.bot.url,
		"WEBHOOK_SIGNING_SECRET": hookSecret,
		"VITALLY_API_URL":        w.vitallyFront.URL,
		"VITALLY_SECRET":         vitallySecret,
		"AI_BASE_URL":            w.ai.BaseURL(),
		"AI_API_KEY":             aiKey,
		"AI_MODEL":               "bench-model",
	}
}

// chat is one customer conversation: its ticket and card, and once picked its inbox
// channel and agent. For the bare transport only slackChannel and agent are set.
type chat struct {
	member string
	ticket int64
	team   int
	card   *card
	inbox  *slacktest.Channel
	agent  *slacktest.User
}

// card is a ticket card found in a ticketing channel.
type card struct {
	msg    *slacktest.Message
	posted time.Time // from its ts
}

// cardIndex finds ticket cards in the ticketing channels as they appear.
type cardIndex struct {
	mu    sync.Mutex
	cards map[int64]*card
	after []string // per channel, the ts read up to
}

var cardRE = regexp.MustCompile(`^Ticket #(\d+) · `)

// poll reads the messages new in every ticketing channel.
func (w *world) pollCards() {
	ci := w.cards
	ci.mu.Lock()
	defer ci.mu.Unlock()
	for i, ch := range w.teams {
		for _, m := range ch.MessagesAfter(ci.after[i]) {
			ci.after[i] = m.TS
			if sm := cardRE.FindStringSubmatch(m.Text()); sm != nil && m.User() == slacktest.BotUserID {
				n, _ := strconv.ParseInt(sm[1], 10, 64)
				if _, dup := ci.cards[n]; !dup {
					ci.cards[n] = &card{msg: m, posted: tsTime(m.TS)}
				}
			}
		}
	}
}

// cardOf is ticket n's card, or nil.
func (w *world) cardOf(n int64) *card {
	w.cards.mu.Lock()
	defer w.cards.mu.Unlock()
	return w.cards.cards[n]
}

// tsTime reads a Slack ts as a time.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000)
}

// post POSTs a JSON body with the bearer token and returns the status and answer.
func (w *world) post(ctx context.Context, url, token string, body any) (int, []byte, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := w.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out, nil
}

// hookURL is Frontdesk's chatbot endpoint at addr.
func hookURL(addr string) string { return "http://" + addr + "/connectors/webhook/v1/events" }

// openTickets sends n LIVE_CHAT_REQUESTs (conc at a time), team i%len(teams) for the i-th,
// and returns the chats with their ticket numbers.
func (w *world) openTickets(ctx context.Context, addr string, n, conc int) ([]*chat, error) {
	chats := make([]*chat, n)
	for i := range chats {
		chats[i] = &chat{member: fmt.Sprintf("member-%d", w.members.Add(1)), team: i % len(w.teams)}
	}
	if err := inParallel(n, conc, func(i int) error { return w.openTicket(ctx, addr, chats[i]) }); err != nil {
		return nil, err
	}
	return chats, nil
}

// openTicket sends c's LIVE_CHAT_REQUEST, trying again on 429 and 5xx.
func (w *world) openTicket(ctx context.Context, addr string, c *chat) error {
	ev := map[string]any{
		"type": "LIVE_CHAT_REQUEST", "member": c.member, "channel": hookLine, "app": hookApp,
		"label": w.labels[c.team], "text": "Hello, I need help with my order", "message_id": c.member + "-0",
		"profile": map[string]any{"name": "Customer " + strings.TrimPrefix(c.member, "member-"),
			"email": c.member + "@example.com", "plan": "pro"},
	}
	for attempt := 0; ; attempt++ {
		status, body, err := w.post(ctx, hookURL(addr), hookToken, ev)
		if err == nil && (status == http.StatusAccepted || status == http.StatusOK) {
			var res struct {
				Ticket int64 `json:"ticket"`
			}
			if json.Unmarshal(body, &res) != nil || res.Ticket == 0 {
				return fmt.Errorf("LIVE_CHAT_REQUEST answered %d %s", status, body)
			}
			c.ticket = res.Ticket
			return nil
		}
		if attempt == 20 || ctx.Err() != nil || err == nil && status < 500 && status != http.StatusTooManyRequests {
			return fmt.Errorf("LIVE_CHAT_REQUEST: %d %s %v", status, body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitCards waits until every chat's card is in its ticketing channel.
func (w *world) waitCards(chats []*chat, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		w.pollCards()
		missing := 0
		for _, c := range chats {
			if c.card == nil {
				c.card = w.cardOf(c.ticket)
			}
			if c.card == nil {
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		if time.Now().After(deadline) || aborted() {
			return fmt.Errorf("%d of %d ticket cards not posted within %v", missing, len(chats), timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var processingRE = regexp.MustCompile(`Processing by @(U[A-Z0-9]+) in #([CG][A-Z0-9]+)`)

// pickResult is how one Pick went.
type pickResult struct {
	ack    time.Duration // the simulator's write → ack
	update time.Duration // click → the card's chat.update saying "Processing by"
}

// pick has chat c's agent (agents[i % n]) click Pick on its card and waits until the card
// says who processes it, the agent is in the inbox channel and the chatbot was told.
func (w *world) pick(c *chat, agent *slacktest.User, timeout time.Duration) (pickResult, error) {
	updated := w.tail.watchUpdate(c.card.msg.Channel.ID, c.card.msg.TS, "Processing by")
	start := time.Now()
	ack := agent.Click(c.card.msg, "Pick")
	if ack.EnvelopeID == "" {
		return pickResult{}, fmt.Errorf("ticket #%d: the Pick click was not acked", c.ticket)
	}
	res := pickResult{ack: ack.Latency}
	select {
	case at := <-updated:
		res.update = at.Sub(start)
	case <-time.After(timeout):
		return res, fmt.Errorf("ticket #%d: the card never said it was picked: %q", c.ticket, c.card.msg.Text())
	}
	m := processingRE.FindStringSubmatch(c.card.msg.Text())
	if m == nil || m[1] != agent.ID {
		return res, fmt.Errorf("ticket #%d: the card says %q after %s's pick", c.ticket, c.card.msg.Text(), agent.Name)
	}
	c.agent, c.inbox = agent, w.sim.Channel(m[2])
	if c.inbox == nil {
		return res, fmt.Errorf("ticket #%d: inbox channel %s unknown", c.ticket, m[2])
	}
	deadline := time.Now().Add(timeout)
	for {
		in := false
		for _, id := range c.inbox.Members() {
			in = in || id == agent.ID
		}
		if in && !w.bot.acceptedAt(c.ticket).IsZero() {
			return res, nil
		}
		if time.Now().After(deadline) || aborted() {
			return res, fmt.Errorf("ticket #%d: agent in inbox %v, chatbot told %v", c.ticket, in, !w.bot.acceptedAt(c.ticket).IsZero())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pickAll picks every chat, conc at a time, each by agents[i%n].
func (w *world) pickAll(chats []*chat, conc int, timeout time.Duration) ([]pickResult, error) {
	res := make([]pickResult, len(chats))
	err := inParallel(len(chats), conc, func(i int) error {
		var err error
		res[i], err = w.pick(chats[i], w.agents[i%len(w.agents)], timeout)
		return err
	})
	return res, err
}

// openChats opens n tickets and picks them: n chats ready to relay both ways.
func (w *world) openChats(ctx context.Context, addr string, n int) ([]*chat, error) {
	chats, err := w.openTickets(ctx, addr, n, 32)
	if err != nil {
		return nil, err
	}
	if err := w.waitCards(chats, 60*time.Second); err != nil {
		return nil, err
	}
	if _, err := w.pickAll(chats, 32, 60*time.Second); err != nil {
		return nil, err
	}
	return chats, nil
}

// customerMessage is the MESSAGE event of chat c's customer.
func customerMessage(c *chat, seq int) map[string]any {
	return map[string]any{
		"type": "MESSAGE", "member": c.member, "channel": hookLine, "app": hookApp,
		"message_id": "c-" + strconv.Itoa(seq), "text": custMark + strconv.Itoa(seq) + filler,
	}
}

// errRefused is a customer message the target did not take.
var errRefused = errors.New("refused")

// quietFor is how long Slack and the chatbot must hear nothing for the system to count
// as idle: longer than the delivery marks' group waits to read its next batch
// (tickets.Linger), so that the marks of what was relayed are counted with it.
var quietFor = tickets.Linger(tickets.GroupMarks) + 300*time.Millisecond

// pacedMarks is the tailer's key of the ✅ marks (reactions.add with white_check_mark).
const pacedMarks = "reactions.add:white_check_mark"

// quiesce waits until no Web API call and no chatbot callback happened for quietFor (at
// most max), the ✅ marks left out: they keep to Slack's pace (bot/marks.go), one every
// 1.2 s while chats wait for theirs, as they would against Slack, a background that
// takes a few minutes to run out after a busy step.
func (w *world) quiesce(max time.Duration) {
	deadline := time.Now().Add(max)
	total := func() int {
		n := 0
		calls := w.tail.snapshot()
		for _, v := range calls {
			n += v
		}
		n -= 2 * calls[pacedMarks] // counted by method and by reaction
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
