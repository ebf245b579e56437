//go:build demo

package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redisserver"
	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// deadRedisURL is a loopback port nothing listens on.
func deadRedisURL(t *testing.T) string {
	port, err := redisserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("redis://127.0.0.1:%d/0", port)
}

// countKeys counts the keys under prefix, on every master of a cluster.
func countKeys(t *testing.T, rdb redis.UniversalClient, prefix string) int {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	n := 0
	count := func(ctx context.Context, c redis.Cmdable) error {
		keys, err := c.Keys(ctx, prefix+"*").Result()
		mu.Lock()
		n += len(keys)
		mu.Unlock()
		return err
	}
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return count(ctx, c) })
	} else {
		err = count(ctx, rdb)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDemoRedis_Existing: a Redis that answers is used under a prefix of the demo's own,
// and at the end only the demo's keys are deleted.
func TestDemoRedis_Existing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, other := redistest.Open(t)
	r, err := startDemoRedis(ctx, redisAuto, redisURL(t, client), t.TempDir(), func(why string) { t.Errorf("warned: %s", why) })
	if err != nil {
		t.Fatal(err)
	}
	if r.kind != redisExisting || !strings.HasPrefix(r.prefix, "frontdesk-demo:") || r.stop != nil {
		t.Fatalf("demo Redis = %+v, want the existing one under a frontdesk-demo: prefix", r)
	}
	if r2, _ := startDemoRedis(ctx, redisAuto, redisURL(t, client), t.TempDir(), func(string) {}); r2.prefix == r.prefix {
		t.Errorf("two demos share the prefix %s", r.prefix)
	}
	for i := range 3 {
		client.Set(ctx, fmt.Sprintf("%sticket:%d", r.prefix, i), "x", 0)
	}
	client.Set(ctx, other+"keep", "x", 0)
	if err := r.close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, client, r.prefix); n != 0 {
		t.Errorf("after close, %d keys remain under the demo's prefix", n)
	}
	if client.Exists(ctx, other+"keep").Val() != 1 {
		t.Error("close deleted a key outside the demo's prefix")
	}
}

// TestDemoRedis_Fallback: with nothing answering, auto starts a redis-server of its own
// (when installed) or else the embedded one, says why, and close stops it.
func TestDemoRedis_Fallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var warned []string
	r, err := startDemoRedis(ctx, redisAuto, deadRedisURL(t), t.TempDir(), func(why string) { warned = append(warned, why) })
	if err != nil {
		t.Fatal(err)
	}
	want := redisEmbedded
	if _, err := exec.LookPath("redis-server"); err == nil {
		want = redisServer
	}
	if r.kind != want {
		t.Errorf("fell back to %s, want %s", r.kind, want)
	}
	if want == redisEmbedded && (len(warned) == 0 || !strings.Contains(warned[0], "no Redis answers")) {
		t.Errorf("warnings %q do not say why the embedded server is used", warned)
	}
	c, err := redisConfig(r.url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := c.NewClient(0)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("the fallback Redis does not answer: %v", err)
	}
	if err := r.close(ctx); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if rdb.Ping(pctx).Err() == nil {
		t.Error("the demo's Redis still answers after close")
	}
}

// TestDemoRedis_Modes: a mode that cannot be had is an error, not a silent fallback.
func TestDemoRedis_Modes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := startDemoRedis(ctx, redisExisting, deadRedisURL(t), t.TempDir(), func(string) {}); err == nil {
		t.Error("--redis existing with no Redis answering succeeded")
	}
	if _, err := startDemoRedis(ctx, "bogus", deadRedisURL(t), t.TempDir(), func(string) {}); err == nil || !strings.Contains(err.Error(), "auto, existing, server, embedded") {
		t.Errorf("--redis bogus: %v", err)
	}
}

// TestDemoRedis_EmbeddedStory runs a whole chat on the embedded server with the real bot
// and store: Lua scripts, stream consumer groups with blocking reads, timers and
// expiries all work on it, or the demo's last resort would be broken.
func TestDemoRedis_EmbeddedStory(t *testing.T) {
	t.Parallel()
	r, err := startDemoRedis(context.Background(), redisEmbedded, "", t.TempDir(), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.close(context.Background()) })
	c, err := redisConfig(r.url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := c.NewClient(0)
	defer rdb.Close()
	sim := slacktest.New(t)
	alice, priya := sim.AddUser("alice"), sim.AddUser("priya")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice)
	billing := sim.AddChannel("billing-tickets", false, sim.Bot(), alice)
	src := &customers{}
	d := startDesk(t, sim, src, map[string]string{
		"REDIS_URL": r.url, "REDIS_PREFIX": r.prefix, "READY_MAX_OUTBOX_AGE": "0",
		"TICKETING_CHANNELS": support.ID + "=Support Team," + billing.ID + "=Billing",
		"PRIORITY_GROUP":     priya.ID,
	})

	d.open(t, "carol-1", "Support Team", "Carol", "Hello, I need help")
	card := support.ExpectMessage("Ticket #", "Carol", "Hello, I need help", "Pending")
	dm := priya.ExpectDM("Ticket #", "Carol")
	alice.Click(card, "Pick")
	inbox := sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Carol", "Active", "picked")
	card.ExpectUpdate("Processing by <@" + alice.ID)
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello, I need help")
	src.expect(t, "carol-1 accepted: You are now chatting with an agent.")

	hi := alice.Post(inbox, "Hi Carol, let me check")
	src.expect(t, "carol-1 message: Hi Carol, let me check")
	hi.ExpectReaction("white_check_mark")
	d.customerSays(t, "carol-1", "c-2", "thanks")
	inbox.ExpectMessage("thanks")

	alice.Shortcut(hi, "live_chat_control")
	v := alice.ExpectView("Live Chat Control")
	if ack := alice.Submit(v, map[string]any{"lcc_action": "End the live chat"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by <@" + alice.ID)
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	inbox.ExpectArchived()
	src.expect(t, "carol-1 ended: This chat has ended.")
	src.nothingMore(t)

	// The outbox streams drained: every consumer group acknowledged what it read.
	waitFor(t, func() bool {
		keys, _ := rdb.Keys(context.Background(), r.prefix+"*outbox*").Result()
		for _, k := range keys {
			if rdb.Type(context.Background(), k).Val() != "stream" {
				continue
			}
			groups, _ := rdb.XInfoGroups(context.Background(), k).Result()
			for _, g := range groups {
				if g.Pending > 0 {
					return false
				}
			}
		}
		return len(keys) > 0
	})
}
