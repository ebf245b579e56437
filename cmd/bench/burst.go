package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
)

// burstFigures are the burst scenario's results.
type burstFigures struct {
	Tickets, Busy int
	BusyEvery     time.Duration
	Limits        slacktest.Limits

	Accepted     time.Duration // until Frontdesk had answered every LIVE_CHAT_REQUEST
	CardsPosted  int
	CardsMissing int           // never posted (nothing new came for 15 s)
	LastCard     time.Duration // until the last card was posted
	Theoretical  time.Duration // the limits' minimum for the cards
	PerChannel   []channelDrain
	Limited      map[string]int // 429s Frontdesk got, by method
	Calls        map[string]int // successful calls during the scenario, by method
	CustSent     int
	CustArrived  int
	CustRefused  int // MESSAGEs the chatbot got no 2xx for
	AgentSent    int
	AgentArrived int
	Dups         int // messages posted or delivered twice
	DupCards     int
	Ephemerals   int // agents told something went wrong
	FailMarks    int // reactions other than ✅ (a failed delivery)
	GaveUp       float64
	Marks        int // ✅ marks made during the scenario
	MarksBehind  int // chats whose latest delivered message still waited for its ✅ when it ended
	MarkRate     float64
	Window       time.Duration
}

// channelDrain is how one ticketing channel's cards came.
type channelDrain struct {
	Label          string
	Tickets, Cards int           // tickets for the channel, cards posted
	First, Last    time.Duration // after the burst began
	Rate           float64       // cards per second between its first and last card
	MinimumLast    time.Duration // the limits' minimum for its last card
}

// usersSaw429 reports whether any rate limit reached a person: a refused or lost
// message, a doubled card or message, an ephemeral error, a failure mark, an entry given
// up.
func (f burstFigures) usersSaw429() bool {
	return f.CardsMissing > 0 || f.CustRefused > 0 || f.CustArrived < f.CustSent || f.AgentArrived < f.AgentSent || f.Dups > 0 ||
		f.DupCards > 0 || f.Ephemerals > 0 || f.FailMarks > 0 || f.GaveUp > 0
}

// runBurst runs the burst with Slack's limits on: busy chats keep talking while a burst
// of new tickets arrives across the four ticketing channels.
func (b *bench) runBurst(ctx context.Context) error {
	cfg := b.cfg
	w, err := newWorld(b.dir, cfg.agents, teamLabels)
	if err != nil {
		return err
	}
	defer w.close()
	fd, addr, err := b.startFrontdesk(w, "burst:")
	if err != nil {
		return err
	}
	defer fd.stop(15 * time.Second)
	busy, err := w.openChats(ctx, addr, cfg.burstBusy)
	if err != nil {
		return err
	}
	w.quiesce(5 * time.Second)
	lim := slacktest.RealLimits()
	f := burstFigures{Tickets: cfg.burstTickets, Busy: len(busy), BusyEvery: cfg.busyEvery, Limits: lim}
	logf("burst with Slack's limits on: %d new tickets across %d ticketing channels beside %d busy chats (each way every %v)",
		f.Tickets, len(w.teams), f.Busy, cfg.busyEvery)
	calls0 := w.tail.snapshot()
	custA, agentA := w.cust.next(), w.agent.next()
	w.sim.SetRealLimits(true)
	defer w.sim.SetRealLimits(false)

	stop := make(chan struct{})
	var talk sync.WaitGroup
	var refused atomic.Int64
	pause := func(d time.Duration) bool {
		select {
		case <-stop:
			return false
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	for i, c := range busy {
		talk.Go(func() {
			if !pause(time.Duration(i) * cfg.busyEvery / time.Duration(len(busy))) {
				return
			}
			for {
				seq := w.cust.begin()
				status, _, err := w.post(ctx, hookURL(addr), hookToken, customerMessage(c, seq))
				if err != nil || status != http.StatusAccepted {
					refused.Add(1)
				}
				if !pause(cfg.busyEvery / 2) {
					return
				}
				c.agent.Post(c.inbox, agentMark+strconv.Itoa(w.agent.begin())+filler)
				if !pause(cfg.busyEvery / 2) {
					return
				}
			}
		})
	}
	// Let the busy chats get going, then the burst.
	pause(cfg.busyEvery / 4)
	t0 := time.Now()
	tickets, err := w.openTickets(ctx, addr, cfg.burstTickets, 50)
	if err != nil {
		close(stop)
		talk.Wait()
		return err
	}
	f.Accepted = time.Since(t0)
	f.CardsMissing = w.waitCardsProgress(tickets, 15*time.Second, 5*time.Minute)
	perTeam := map[int][]time.Duration{}
	sent := map[int]int{} // tickets per team
	for _, t := range tickets {
		sent[t.team]++
		if t.card == nil {
			continue
		}
		at := t.card.posted.Sub(t0)
		perTeam[t.team] = append(perTeam[t.team], at)
		f.LastCard = max(f.LastCard, at)
	}
	for team, n := range sent {
		ats := perTeam[team]
		f.CardsPosted += len(ats)
		sort.Slice(ats, func(i, j int) bool { return ats[i] < ats[j] })
		cd := channelDrain{Label: teamLabels[team], Tickets: n, Cards: len(ats)}
		if len(ats) > 0 {
			cd.First, cd.Last = ats[0], ats[len(ats)-1]
		}
		if len(ats) > 1 && cd.Last > cd.First {
			cd.Rate = float64(len(ats)-1) / (cd.Last - cd.First).Seconds()
		}
		cd.MinimumLast = time.Duration(math.Max(0, float64(n-lim.PostBurst)) / lim.PostPerSecond * float64(time.Second))
		f.Theoretical = max(f.Theoretical, cd.MinimumLast)
		f.PerChannel = append(f.PerChannel, cd)
	}
	sort.Slice(f.PerChannel, func(i, j int) bool { return f.PerChannel[i].Label < f.PerChannel[j].Label })
	ws := time.Duration(math.Max(0, float64(len(tickets)-lim.PostWorkspaceBurst)) / (lim.PostWorkspacePerMinute / 60) * float64(time.Second))
	f.Theoretical = max(f.Theoretical, ws)
	logf("  every request answered in %s; %d of %d cards posted, the last after %.1fs (the limits allow %.1fs at best)",
		ms(f.Accepted), f.CardsPosted, len(tickets), f.LastCard.Seconds(), f.Theoretical.Seconds())

	pause(cfg.burstTail)
	close(stop)
	talk.Wait()
	custB, agentB := w.cust.next(), w.agent.next()
	f.CustSent, f.AgentSent = custB-custA, agentB-agentA
	f.CustRefused = int(refused.Load())
	// Drain: every message through, or nothing new for 15 s.
	last, since := -1, time.Now()
	for ctx.Err() == nil {
		ca, aa := w.cust.arrivedIn(custA, custB), w.agent.arrivedIn(agentA, agentB)
		if ca+f.CustRefused >= f.CustSent && aa >= f.AgentSent {
			break
		}
		if ca+aa != last {
			last, since = ca+aa, time.Now()
		} else if time.Since(since) > 15*time.Second {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.Window = time.Since(t0)
	f.CustArrived = w.cust.arrivedIn(custA, custB)
	f.AgentArrived = w.agent.arrivedIn(agentA, agentB)
	w.cust.mu.Lock()
	f.Dups = w.cust.dups
	w.cust.mu.Unlock()
	w.agent.mu.Lock()
	f.Dups += w.agent.dups
	w.agent.mu.Unlock()

	calls := diffCounts(calls0, w.tail.snapshot())
	f.Limited, f.Calls = map[string]int{}, map[string]int{}
	for k, v := range calls {
		switch {
		case strings.HasSuffix(k, "!ratelimited"):
			f.Limited[strings.TrimSuffix(k, "!ratelimited")] = v
		case strings.HasPrefix(k, "reactions.add:"):
			if k == pacedMarks {
				f.Marks = v
			} else {
				f.FailMarks += v
			}
		case !strings.Contains(k, "!"):
			f.Calls[k] = v
		}
	}
	f.Ephemerals = calls["chat.postEphemeral"]
	f.MarkRate = float64(f.Marks) / f.Window.Minutes()
	// Marks are cumulative: the marks group keeps one delivery per chat, its latest, and
	// a ✅ stands for the chat's messages before it; what is still kept at the end waits
	// for its turn at Slack's pace (one per chat).
	f.MarksBehind = int(scrapeSum(addr, "frontdesk_outbox_depth", `group="desk-marks"`))
	f.DupCards = w.dupCards()
	m := scrapeSum(addr, "frontdesk_outbox_handled_total", `outcome="gave_up"`)
	f.GaveUp = m
	b.rep.Burst = &f
	logf("  customer messages %d/%d posted (%d refused), agent messages %d/%d delivered, %d ✅ marks (%.0f/min, %d chats waiting for theirs), 429s: %v",
		f.CustArrived, f.CustSent, f.CustRefused, f.AgentArrived, f.AgentSent, f.Marks, f.MarkRate, f.MarksBehind, f.Limited)
	b.rep.problems("burst's simulator", w.sim.Problems())
	return ctx.Err()
}

// dupCards counts ticket cards posted more than once.
func (w *world) dupCards() int {
	seen := map[string]int{}
	dups := 0
	for _, ch := range w.teams {
		for _, m := range ch.MessagesAfter("") {
			if sm := cardRE.FindStringSubmatch(m.Text()); sm != nil && m.User() == slacktest.BotUserID {
				if seen[sm[1]]++; seen[sm[1]] == 2 {
					dups++
				}
			}
		}
	}
	return dups
}

func (f burstFigures) limitedLine() string {
	if len(f.Limited) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(f.Limited))
	for k := range f.Limited {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, f.Limited[k]))
	}
	return strings.Join(parts, ", ")
}

// waitCardsProgress waits until every chat's card is posted, or no new card came for
// stall, or max passed; it returns how many are missing.
func (w *world) waitCardsProgress(chats []*chat, stall, max time.Duration) int {
	deadline := time.Now().Add(max)
	last, since := -1, time.Now()
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
		if missing == 0 || time.Now().After(deadline) || aborted() {
			return missing
		}
		if missing != last {
			last, since = missing, time.Now()
		} else if time.Since(since) > stall {
			return missing
		}
		time.Sleep(50 * time.Millisecond)
	}
}
