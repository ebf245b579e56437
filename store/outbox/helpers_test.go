package outbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

var (
	support = tickets.Team{ChannelID: "C_SUPPORT", Label: "Support"}
	alice   = tickets.Agent{ID: "U_ALICE", Name: "Alice"}
	t0      = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)
)

// testStore is a store on the test Redis, with what the tests reach past its API for:
// its client and the keys of its stream families. Every event is routed to the groups
// desk and source.
type testStore struct {
	*store.Redis
	c       redis.UniversalClient
	prefix  string
	out, in store.Streams // desk's outbox and the inbound queue
}

// outbox is group's family of outbox streams.
func (r *testStore) outbox(group string) store.Streams { return r.OutboxStreams(group) }

// newStore returns a store on the test Redis under a fresh prefix, and its client.
func newStore(t *testing.T) (*testStore, redis.UniversalClient) {
	t.Helper()
	c, prefix := redistest.Open(t)
	return storeOn(t, c, prefix), c
}

// on is the same store (the same prefix) on client c, which has connections of its own.
func (r *testStore) on(t *testing.T, c redis.UniversalClient) *testStore {
	t.Helper()
	return storeOn(t, c, r.prefix)
}

func storeOn(t *testing.T, c redis.UniversalClient, prefix string) *testStore {
	t.Helper()
	r, err := store.New(c, store.Config{Prefix: prefix, DedupTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	routes := tickets.Routes{}
	for _, route := range tickets.AllRoutes() {
		routes[route] = []string{"desk", "source"}
	}
	r.SetRoutes(routes)
	return &testStore{Redis: r, c: c, prefix: prefix, out: r.OutboxStreams("desk"), in: r.InboundStreams()}
}

// open opens a pending ticket for webhook conversation conv in team support.
func open(t *testing.T, r *testStore, conv string) *tickets.Ticket {
	t.Helper()
	tk := &tickets.Ticket{Source: "webhook", ConversationID: conv, Status: tickets.StatusPending, Team: support,
		Customer: tickets.Customer{Name: "Carol"}, Opening: "hello", CreatedAt: t0, UpdatedAt: t0}
	res, err := r.Inbound(context.Background(), tickets.InboundWrite{Source: tk.Source, ConversationID: conv, Open: tk})
	if err != nil || !res.Opened {
		t.Fatalf("open(%s) = opened %v, %v", conv, res.Opened, err)
	}
	return res.Ticket
}

// say adds the customer's message text to ticket tk: one more outbox entry.
func say(t *testing.T, r *testStore, tk *tickets.Ticket, text string) {
	t.Helper()
	m := tickets.Message{ID: "m-" + text, Direction: tickets.FromCustomer, Text: text, At: t0}
	res, err := r.Inbound(context.Background(), tickets.InboundWrite{Source: tk.Source, ConversationID: tk.ConversationID,
		Messages: []tickets.Message{m}})
	if err != nil || !res.Added[0] {
		t.Fatalf("say(%s) = %v, %v", text, res.Added, err)
	}
}

// partitionOf is the partition of ticket tk's entries.
func partitionOf(tk *tickets.Ticket) int { return store.PartitionOf(tk.Source, tk.ConversationID) }

// testConfig is a Config with short durations.
func testConfig(consumer string) Config {
	return Config{
		Consumer: consumer, Block: 50 * time.Millisecond, Batch: 10, LeaseTTL: 300 * time.Millisecond,
		RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond, MaxAttempts: 5,
		ShutdownGrace: 2 * time.Second, TrimEvery: time.Hour,
	}
}

// newWorker returns a Worker of r for group; a zero cfg means testConfig with a random
// consumer name (so does one without a consumer name).
func newWorker(t *testing.T, r *testStore, group string, h tickets.Handler, cfg Config) *Worker {
	t.Helper()
	if cfg.Consumer == "" {
		cfg = testConfig("consumer-" + rand.Text()[:6])
	}
	w, err := New(r.Redis, group, h, cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// start runs w until the returned stop is called (or the test ends); stop waits for Run
// to return and checks that it returned nil.
func start(t *testing.T, w *Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return 10s after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// recorder is a handler that records the events it is given, in order, and then does
// what fail says (nil: succeed).
type recorder struct {
	mu   sync.Mutex
	evs  []tickets.Event
	fail func(ev tickets.Event, calls int) error
	// calls counts calls per event id; retries records tickets.IsRetry of each call.
	calls   map[string]int
	retries map[string][]bool
}

func (rec *recorder) handle(ctx context.Context, ev tickets.Event) error {
	rec.mu.Lock()
	if rec.calls == nil {
		rec.calls, rec.retries = map[string]int{}, map[string][]bool{}
	}
	rec.calls[ev.ID]++
	rec.retries[ev.ID] = append(rec.retries[ev.ID], tickets.IsRetry(ctx))
	n := rec.calls[ev.ID]
	fail := rec.fail
	rec.mu.Unlock()
	var err error
	if fail != nil {
		err = fail(ev, n)
	}
	if err == nil {
		rec.mu.Lock()
		rec.evs = append(rec.evs, ev)
		rec.mu.Unlock()
	}
	return err
}

// done returns the events handled successfully so far.
func (rec *recorder) done() []tickets.Event {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]tickets.Event(nil), rec.evs...)
}

// retriesOf returns tickets.IsRetry for each call with event id, in order.
func (rec *recorder) retriesOf(id string) []bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]bool(nil), rec.retries[id]...)
}

func (rec *recorder) callsOf(id string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.calls[id]
}

// eventually fails the test unless cond holds within 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	// A bound on the wait, not a timing: generous, for a machine running -race under load.
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// convsIn returns n conversation ids starting with name whose tickets land in
// partition p.
func convsIn(name string, p, n int) []string {
	var convs []string
	for i := 0; len(convs) < n; i++ {
		c := fmt.Sprint(name, "-", i)
		if store.PartitionOf("webhook", c) == p {
			convs = append(convs, c)
		}
	}
	return convs
}

// allEvents returns every event in r's outbox streams (desk's: all of them), in stream
// order per partition.
func allEvents(t *testing.T, r *testStore) []tickets.Event {
	t.Helper()
	var evs []tickets.Event
	for p := range store.Partitions {
		msgs, err := r.c.XRange(context.Background(), r.out.Stream(p), "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			ev, err := r.out.Decode(p, m)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
	}
	return evs
}

// perTicket groups event ids by ticket, keeping their order.
func perTicket(evs []tickets.Event) map[tickets.ID][]string {
	m := map[tickets.ID][]string{}
	for _, ev := range evs {
		m[ev.TicketID] = append(m[ev.TicketID], ev.ID)
	}
	return m
}

// pendingCount is how many entries group has read and not acknowledged, over all partitions.
func pendingCount(t *testing.T, r *testStore, group string) int64 {
	t.Helper()
	var n int64
	for p := range store.Partitions {
		pe, err := r.c.XPending(context.Background(), r.outbox(group).Stream(p), group).Result()
		if err != nil && !strings.HasPrefix(err.Error(), "NOGROUP") {
			t.Fatal(err)
		}
		if pe != nil {
			n += pe.Count
		}
	}
	return n
}

// typesOf lists the events' types.
func typesOf(evs []tickets.Event) []tickets.EventType {
	var out []tickets.EventType
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

// createGroup creates group on stream, from its start.
func createGroup(t *testing.T, r *testStore, stream, group string) {
	t.Helper()
	if err := r.c.XGroupCreateMkStream(context.Background(), stream, group, "0").Err(); err != nil {
		t.Fatal(err)
	}
}
