//go:build faults

package faults

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// customer-channels: two customer channels (docs/slack-channels.md), worked by two
// replicas on one Redis and one Slack app: one shared with a customer's organisation, and
// an internal one where colleagues outside the team ask it. Ten of the customer's people
// and three colleagues each ask a question; the team picks them; then the askers and the
// agents write in the questions' threads at once, and the replica holding the most outbox
// leases is killed mid-burst (Slack sends the events it took again 3 s later, to the
// other; what it had acknowledged without taking, the channels' catch-up reads back).
// Every request is one ticket, and every message of every thread is in its transcript
// once: none lost, none twice, none in another's.
func testCustomerChannels(t *testing.T) {
	const (
		external = 10 // the customer's people, in the shared channel
		internal = 3  // colleagues, in the internal channel
		people   = external + internal
		custN    = 30 // each asker's replies in their thread
		agentN   = 15 // the agents' replies in each thread
		partner  = "TACME"
	)
	w := newWorld(t, "customer-channels")
	var customers []*slacktest.User
	members := []*slacktest.User{w.sim.Bot()}
	members = append(members, w.agents...)
	colleagues := slices.Clone(members)
	for i := range external {
		u := w.sim.AddUser(fmt.Sprintf("acme%02d", i), slacktest.External(partner))
		customers = append(customers, u)
		members = append(members, u)
	}
	for i := range internal {
		u := w.sim.AddUser(fmt.Sprintf("sales%02d", i))
		customers = append(customers, u)
		colleagues = append(colleagues, u)
	}
	shared := w.sim.AddChannel("acme-support", false, members...)
	w.sim.ShareChannel(shared, partner)
	ask := w.sim.AddChannel("ask-support", false, colleagues...)
	where := func(i int) *slacktest.Channel {
		if i < external {
			return shared
		}
		return ask
	}
	w.extraEnv = map[string]string{"CUSTOMER_CHANNELS": shared.ID + "=Support," + ask.ID + "=Support"}
	w.lateFromKilled = true

	pa := w.start("fd-a", "")
	pb := w.start("fd-b", "")
	if !poll(time.Now().Add(30*time.Second), func() bool { return w.sim.Connections() == 2 }) {
		t.Fatalf("%d Socket Mode connections, want 2", w.sim.Connections())
	}
	st := openStore(t, w.prefix)
	ctx := context.Background()

	// The questions, and the team's picks.
	questions := make([]*slacktest.Message, people)
	for i, u := range customers {
		questions[i] = u.Post(where(i), fmt.Sprintf("%s question %02d: the export fails", w.name, i))
	}
	ids := make([]tickets.ID, people)
	cards := make([]*slacktest.Message, people)
	if !poll(time.Now().Add(60*time.Second), func() bool {
		for i, q := range questions {
			tk, err := st.FindOpen(ctx, tickets.SourceSlack, tickets.ChannelConversation(where(i).ID, q.TS))
			if err != nil || tk.Card.IsZero() {
				return false
			}
			ids[i] = tk.ID
			for _, m := range w.support.Messages() {
				if m.TS == tk.Card.TS {
					cards[i] = m
				}
			}
			if cards[i] == nil {
				return false
			}
		}
		return true
	}) {
		t.Fatal("not every question became a ticket with a card within 60 s")
	}
	// Two agents click each Pick at once: one wins.
	for i, card := range cards {
		w.sim.ClickAtOnce(card, "Pick", w.agents[i%len(w.agents)], w.agents[(i+1)%len(w.agents)])
	}
	if !poll(time.Now().Add(60*time.Second), func() bool {
		for _, card := range cards {
			if !strings.Contains(card.Text(), "Processing by") {
				return false
			}
		}
		return true
	}) {
		t.Fatal("not every card said who has it within 60 s")
	}

	// The burst: each thread gets its person's replies and an agent's, together.
	var wg sync.WaitGroup
	var sent sync.Map // ts → the ticket it must be in
	progress := make(chan struct{}, people*(custN+agentN))
	for i := range people {
		wg.Go(func() {
			for k := range custN {
				m := customers[i].Reply(questions[i], fmt.Sprintf("%s cust %02d-%02d", w.name, i, k))
				sent.Store(m.TS, ids[i])
				progress <- struct{}{}
				time.Sleep(100 * time.Millisecond)
			}
		})
		wg.Go(func() {
			agent := w.agents[i%len(w.agents)]
			for k := range agentN {
				m := agent.Reply(questions[i], fmt.Sprintf("%s agent %02d-%02d", w.name, i, k))
				sent.Store(m.TS, ids[i])
				progress <- struct{}{}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
	total := people * (custN + agentN)
	for range total * 2 / 5 {
		<-progress
	}
	leases := w.leases()
	victim, held := pb, leases[pb.cmd.Process.Pid]
	if n := leases[pa.cmd.Process.Pid]; n > held {
		victim, held = pa, n
	}
	victim.kill()
	w.note("%s killed at 40%% holding %d outbox leases", victim.name, held)
	wg.Wait()

	// Settle: every message in its ticket's transcript, once.
	var lost, doubled, astray int
	check := func() bool {
		lost, doubled, astray = 0, 0, 0
		seen := map[string]int{}
		where := map[string]tickets.ID{}
		for _, id := range ids {
			msgs, err := st.Messages(ctx, id)
			if err != nil {
				return false
			}
			for _, m := range msgs {
				seen[m.SourceMessageID]++
				where[m.SourceMessageID] = id
			}
		}
		sent.Range(func(k, v any) bool {
			ts := k.(string)
			switch n := seen[ts]; {
			case n == 0:
				lost++
			case n > 1:
				doubled++
			case where[ts] != v.(tickets.ID):
				astray++
			}
			return true
		})
		return lost == 0 && doubled == 0 && astray == 0
	}
	if !poll(time.Now().Add(90*time.Second), check) {
		t.Errorf("after 90 s: %d messages lost, %d taken twice, %d in another request", lost, doubled, astray)
	}
	open, err := st.OpenTickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != people {
		t.Errorf("%d open tickets, want %d: a message opened a ticket of its own", len(open), people)
	}
	w.fig.add(figures{sent: total, delivered: total - lost, duplicated: doubled, lost: lost})
	w.note("%d requests (%d in an internal channel), one ticket each", people, internal)
}

// openStore reads the scenario's Redis as Frontdesk does.
func openStore(t *testing.T, prefix string) *store.Redis {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: suite.redis.Addr()})
	t.Cleanup(func() { rdb.Close() })
	st, err := store.New(rdb, store.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
