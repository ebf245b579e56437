package main

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
)

// Messages the driver sends carry a marker, "bench-c-<seq>" (customer → Slack) or
// "bench-a-<seq>" (agent → customer), so that where they arrive tells which they are.
const (
	custMark  = "bench-c-"
	agentMark = "bench-a-"
	// filler makes a message as long as a typical chat line.
	filler = " Hello, I have a question about my last invoice, could you check it?"
)

// markSeq finds the marker in text and returns its sequence number.
func markSeq(text, mark string) (int, bool) {
	i := strings.Index(text, mark)
	if i < 0 {
		return 0, false
	}
	j := i + len(mark)
	k := j
	for k < len(text) && text[k] >= '0' && text[k] <= '9' {
		k++
	}
	n, err := strconv.Atoi(text[j:k])
	return n, err == nil
}

// tracker records when each message of one direction was sent and when it first arrived.
type tracker struct {
	mu    sync.Mutex
	sent  []time.Time
	done  []time.Time
	dups  int
	count int // arrivals (first ones)
}

// begin allocates the next sequence number, sent now.
func (t *tracker) begin() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent = append(t.sent, time.Now())
	return len(t.sent) - 1
}

// next is the sequence number begin will hand out next.
func (t *tracker) next() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sent)
}

func (t *tracker) arrived(seq int, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq < 0 || seq >= len(t.sent) {
		return
	}
	for len(t.done) <= seq {
		t.done = append(t.done, time.Time{})
	}
	if !t.done[seq].IsZero() {
		t.dups++
		return
	}
	t.done[seq] = at
	t.count++
}

// span copies the send and arrival times of messages [a, b).
func (t *tracker) span(a, b int) (sent, done []time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sent = append([]time.Time(nil), t.sent[a:b]...)
	done = make([]time.Time, b-a)
	for i := a; i < b && i < len(t.done); i++ {
		done[i-a] = t.done[i]
	}
	return sent, done
}

// arrivedIn counts messages of [a, b) that arrived.
func (t *tracker) arrivedIn(a, b int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for i := a; i < b && i < len(t.done); i++ {
		if !t.done[i].IsZero() {
			n++
		}
	}
	return n
}

// arrivalsBetween counts arrivals (of any message) in [from, to).
func (t *tracker) arrivalsBetween(from, to time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, d := range t.done {
		if !d.IsZero() && !d.Before(from) && d.Before(to) {
			n++
		}
	}
	return n
}

// tailer follows the simulator's Web API calls: it counts them by method (and error),
// marks customer messages arrived when their chat.postMessage is answered, and tells
// watchers about chat.update calls of the messages they watch.
type tailer struct {
	sim  *slacktest.Sim
	cust *tracker

	mu      sync.Mutex
	pos     int
	counts  map[string]int // "method", and "method!error" for failures
	updates map[string][]*updateWatch
	stop    chan struct{}
	done    chan struct{}
}

type updateWatch struct {
	substr string
	at     chan time.Time
}

func newTailer(sim *slacktest.Sim, cust *tracker) *tailer {
	t := &tailer{sim: sim, cust: cust, counts: map[string]int{}, updates: map[string][]*updateWatch{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				t.mu.Lock()
				t.poll()
				t.mu.Unlock()
			}
		}
	}()
	return t
}

func (t *tailer) close() {
	close(t.stop)
	<-t.done
}

// poll reads the new calls. Call with t.mu held.
func (t *tailer) poll() {
	calls, next := t.sim.CallsFrom(t.pos)
	t.pos = next
	for _, c := range calls {
		t.counts[c.Method]++
		if c.Error != "" {
			t.counts[c.Method+"!"+c.Error]++
			continue
		}
		switch c.Method {
		case "reactions.add":
			t.counts["reactions.add:"+c.Params["name"]]++
		case "chat.postMessage":
			if seq, ok := markSeq(c.Params["text"], custMark); ok {
				t.cust.arrived(seq, c.Time)
			}
			if c.Params["username"] != "" {
				// Posted under the customer's name: a customer message relayed to an
				// inbox channel (bot/desk.go Post), also when a pick replays it.
				t.counts["chat.postMessage:customer"]++
			}
		case "chat.update":
			key := c.Params["channel"] + "/" + c.Params["ts"]
			ws := t.updates[key]
			if len(ws) == 0 {
				continue
			}
			text := c.Params["text"]
			kept := ws[:0]
			for _, w := range ws {
				if strings.Contains(text, w.substr) {
					w.at <- c.Time
				} else {
					kept = append(kept, w)
				}
			}
			if len(kept) == 0 {
				delete(t.updates, key)
			} else {
				t.updates[key] = kept
			}
		}
	}
}

// watchUpdate returns a channel that gets the time of the first chat.update of message
// ts in channel whose text contains substr.
func (t *tailer) watchUpdate(channel, ts, substr string) <-chan time.Time {
	w := &updateWatch{substr: substr, at: make(chan time.Time, 1)}
	t.mu.Lock()
	defer t.mu.Unlock()
	key := channel + "/" + ts
	t.updates[key] = append(t.updates[key], w)
	return w.at
}

// snapshot is the call counts so far (after reading every call made until now).
func (t *tailer) snapshot() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.poll()
	out := make(map[string]int, len(t.counts))
	for k, v := range t.counts {
		out[k] = v
	}
	return out
}

// forget reads every call made so far, then lets the simulator forget its history.
func (t *tailer) forget() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.poll()
	t.sim.Forget()
	t.pos = 0
}

// diffCounts is b − a, without zeros.
func diffCounts(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range b {
		if d := v - a[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// chatbot is the chatbot's endpoint, where Frontdesk (or the bare transport) POSTs its
// events: the shared fake chatbot (webhooktest), which checks each signature and
// remembers when each ticket was accepted; agent messages are marked arrived as they
// come. It keeps no record of each callback.
type chatbot struct {
	*webhooktest.Chatbot
	url   string      // where Frontdesk POSTs
	conns connections // connections accepted
}

// connections counts the TCP connections a fake chatbot accepted.
type connections struct{ *webhooktest.Chatbot }

func (c connections) Load() int64 { return c.Connections() }

func startChatbot(secret string, agent *tracker) (*chatbot, error) {
	bot := webhooktest.New(secret, webhooktest.WithoutRecords(), webhooktest.OnEvent(func(e webhooktest.Event) {
		if seq, ok := markSeq(e.Text, agentMark); ok && e.Type == "AGENT_MESSAGE" {
			agent.arrived(seq, e.At)
		}
	}))
	return &chatbot{Chatbot: bot, url: bot.CallbackURL(), conns: connections{bot}}, nil
}

// acceptedAt is when ticket's first LIVE_CHAT_ACCEPTED arrived (zero: not yet).
func (c *chatbot) acceptedAt(ticket int64) time.Time { return c.AcceptedAt(ticket) }

// counts returns how many callbacks of each type came, and how many had a bad signature.
func (c *chatbot) counts() (map[string]int, int) { return c.Counts(), c.Problems().BadSignature }

func (c *chatbot) close() { c.Close() }
