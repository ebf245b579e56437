package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// hangGuard bounds how long a test waits for run before calling it stuck; it is not a
// performance expectation.
const hangGuard = 20 * time.Second

// slackEnv starts a Slack simulator and returns the variables that point run at it.
func slackEnv(t *testing.T, sim *slacktest.Sim) map[string]string {
	return map[string]string{
		"SLACK_API_URL":   sim.APIURL(),
		"SLACK_BOT_TOKEN": sim.BotToken,
		"SLACK_APP_TOKEN": sim.AppToken,
	}
}

func TestRun(t *testing.T) {
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	support := sim.AddChannel("support", false, sim.Bot())
	vars := slackEnv(t, sim)
	maps.Copy(vars, map[string]string{
		"REDIS_URL":          redisURL(t, client),
		"REDIS_PREFIX":       prefix,
		"HTTP_ADDR":          "127.0.0.1:0",
		"LOG_LEVEL":          "debug",
		"TICKETING_CHANNELS": support.ID + "=Support Team",
	})
	getenv := environment(vars)
	r := startRun(t, getenv)

	// Ready once Redis answers and the Socket Mode connection is up.
	waitFor(t, func() bool { code, _ := get(t, r.addr, "/readyz"); return code == http.StatusOK })
	if sim.Connections() != 1 {
		t.Errorf("%d Socket Mode connections, want 1", sim.Connections())
	}
	if code, body := get(t, r.addr, "/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q, want 200 ok", code, body)
	}

	if err := r.stop(t); err != nil {
		t.Errorf("run returned %v after the context ended, want nil", err)
	}
	assertNoSecrets(t, r.log.String(), getenv)
}

func TestRun_RedisUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens here any more
	vars := slackEnv(t, slacktest.New(t))
	maps.Copy(vars, map[string]string{
		"REDIS_URL":    "redis://" + closed + "/0",
		"REDIS_PREFIX": "fd-unreachable:",
		"HTTP_ADDR":    "127.0.0.1:0",
	})
	getenv := environment(vars)
	r := startRun(t, getenv)

	code, body := get(t, r.addr, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "redis: ") {
		t.Errorf("/readyz = %d %q, want 503 with a reason starting with \"redis: \"", code, body)
	}
	if code, _ := get(t, r.addr, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 while the process is up", code)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("run returned %v after the context ended, want nil", err)
	}
}

func TestRun_BadConfig(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), environment(map[string]string{"SLACK_APP_TOKEN": ""}), &out)
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Fatalf("run = %v, want an error naming SLACK_APP_TOKEN", err)
	}
}

// running is a run started by startRun.
type running struct {
	addr   string // the HTTP server's bound address, from the "listening" log line
	log    *logSink
	cancel context.CancelFunc
	done   chan error
}

// startRun calls run in the background and waits for it to log where it listens.
func startRun(t *testing.T, getenv func(string) string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r := &running{log: newLogSink(), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, getenv, r.log) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	select {
	case r.addr = <-r.log.listening:
	case err := <-r.done:
		r.done <- err
		t.Fatalf("run returned %v before listening; log:\n%s", err, r.log)
	case <-time.After(hangGuard):
		t.Fatalf("run did not log \"listening\"; log:\n%s", r.log)
	}
	return r
}

// stop ends run's context and returns what run returns.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(hangGuard):
		t.Fatalf("run did not return after its context ended; log:\n%s", r.log)
		return nil
	}
}

// logSink keeps run's JSON log and passes on the address of its "listening" line.
type logSink struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	listening chan string
}

func newLogSink() *logSink { return &logSink{listening: make(chan string, 1)} }

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf.Write(p)
	s.mu.Unlock()
	var entry struct{ Msg, Addr string }
	if json.Unmarshal(p, &entry) == nil && entry.Msg == "listening" {
		select {
		case s.listening <- entry.Addr:
		default:
		}
	}
	return len(p), nil
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// get fetches path from the server at addr and returns the status and body.
func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	res, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res.StatusCode, string(body)
}

// waitFor polls cond until it holds, failing the test after hangGuard.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// redisURL gives run the Redis that client (from redistest) talks to.
func redisURL(t *testing.T, client redis.UniversalClient) string {
	t.Helper()
	if cc, ok := client.(*redis.ClusterClient); ok {
		o := cc.Options()
		u := url.URL{Scheme: "redis+cluster", Host: o.Addrs[0]}
		q := url.Values{}
		for _, a := range o.Addrs[1:] {
			q.Add("addr", a)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	c, ok := client.(*redis.Client)
	if !ok {
		t.Fatalf("redistest gave a %T, want a *redis.Client or *redis.ClusterClient", client)
	}
	o := c.Options()
	u := url.URL{Scheme: "redis", Host: o.Addr, Path: "/" + strconv.Itoa(o.DB)}
	if o.TLSConfig != nil {
		u.Scheme = "rediss"
	}
	switch {
	case o.Password != "":
		u.User = url.UserPassword(o.Username, o.Password)
	case o.Username != "":
		u.User = url.User(o.Username)
	}
	return u.String()
}
