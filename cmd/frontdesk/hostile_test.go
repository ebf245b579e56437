package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/connectors/gladly"
	"github.com/frontdeskhq/frontdesk/connectors/webhook"
)

// redisState is what a request must not change: every key of this Frontdesk and, for
// streams, their lengths.
func (w *world) redisState(t *testing.T) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	var keys []string
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, w.prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		return iter.Err()
	}
	var err error
	if cc, ok := w.rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, node)
		})
	} else {
		err = scan(ctx, w.rdb)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		if strings.Contains(key, "lease:") || strings.Contains(key, "{socket}:") {
			// Leases come and go with the workers, and the Socket Mode epoch and
			// heartbeats with the bot's connections (the first one, or a reconnect, may
			// land while the requests are sent): no HTTP request touches either.
			continue
		}
		typ, _ := w.rdb.Type(ctx, key).Result()
		switch typ {
		case "stream":
			out[key], _ = w.rdb.XLen(ctx, key).Result()
		case "list":
			out[key], _ = w.rdb.LLen(ctx, key).Result()
		case "zset":
			out[key], _ = w.rdb.ZCard(ctx, key).Result()
		case "hash":
			out[key], _ = w.rdb.HLen(ctx, key).Result()
		default:
			out[key] = 1
		}
	}
	return out
}

// TestHTTP_HostileRequests sends every HTTP endpoint what an attacker or a broken client
// would: no or wrong credentials, wrong methods and content types, malformed, deeply
// nested and huge bodies, unknown ids. Each gets a clear 4xx and nothing changes.
func TestHTTP_HostileRequests(t *testing.T) {
	t.Parallel()
	bot := newChatbot(t)
	vars := map[string]string{
		"WEBHOOK_TOKEN": hookToken, "WEBHOOK_CALLBACK_URL": bot.CallbackURL(), "WEBHOOK_SIGNING_SECRET": hookSecret,
		"CHATRA_WEBHOOK_TOKEN": chatraToken, "CHATRA_PUBLIC_KEY": "pub-key", "CHATRA_SECRET_KEY": "secret-key",
		"CHATRA_AGENT_EMAIL": "team@example.com", "PUBLIC_URL": "https://desk.example.com",
	}
	maps.Copy(vars, gladlyVars(newFakeGladly(t), "0"))
	vars["GLADLY_WEBHOOK_USER"], vars["GLADLY_WEBHOOK_PASSWORD"] = "gladly-user", "gladly-password"
	w := newWorld(t, vars)
	addr := "http://" + w.d.Addr().String()

	nested := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	huge := `{"type":"MESSAGE","text":"` + strings.Repeat("x", 3<<20) + `"}`
	valid := `{"type":"LIVE_CHAT_REQUEST","member":"m-1","channel":"wa","app":"bot","message":{"text":"hi"}}`
	type req struct {
		name, method, path, ctype, body string
		header                          map[string]string
		want                            int
	}
	bearer := map[string]string{"Authorization": "Bearer " + hookToken}
	gladlyAuth := map[string]string{"X-Account-Identifier": "acct-secret-1", "Authorization": "Basic " + basicAuth("gladly-user", "gladly-password")}
	chatraPath := chatra.PathPrefix + chatraToken
	cases := []req{
		{"webhook no auth", "POST", webhook.Path, "application/json", valid, nil, 401},
		{"webhook wrong token", "POST", webhook.Path, "application/json", valid, map[string]string{"Authorization": "Bearer " + strings.Repeat("x", 24)}, 401},
		{"webhook basic auth", "POST", webhook.Path, "application/json", valid, map[string]string{"Authorization": "Basic " + basicAuth("a", hookToken)}, 401},
		{"webhook GET", "GET", webhook.Path, "", "", bearer, 405},
		{"webhook text/plain", "POST", webhook.Path, "text/plain", valid, bearer, 415},
		{"webhook malformed", "POST", webhook.Path, "application/json", `{"type":`, bearer, 400},
		{"webhook nested", "POST", webhook.Path, "application/json", nested, bearer, 400},
		{"webhook huge", "POST", webhook.Path, "application/json", huge, bearer, 413},
		{"webhook array", "POST", webhook.Path, "application/json", `[1,2,3]`, bearer, 400},
		{"webhook unknown type", "POST", webhook.Path, "application/json", `{"type":"DROP TABLE"}`, bearer, 400},
		{"webhook unknown conversation", "POST", webhook.Path, "application/json",
			`{"type":"MESSAGE","member":"nobody","channel":"wa","app":"bot","message_id":"x","text":"hi"}`, bearer, 404},
		{"chatra wrong token", "POST", chatra.PathPrefix + strings.Repeat("y", 24), "application/json", `{"eventName":"chatStarted"}`, nil, 404}, // the token is the URL
		{"chatra no token", "POST", chatra.PathPrefix, "application/json", `{"eventName":"chatStarted"}`, nil, 404},
		{"chatra GET", "GET", chatraPath, "", "", nil, 405},
		{"chatra malformed", "POST", chatraPath, "application/json", `{"eventName":`, nil, 400},
		{"chatra nested", "POST", chatraPath, "application/json", nested, nil, 400},
		{"chatra huge", "POST", chatraPath, "application/json", huge, nil, 413},
		{"gladly no account", "POST", gladly.Path, "application/json", `{}`, map[string]string{"Authorization": gladlyAuth["Authorization"]}, 401},
		{"gladly wrong password", "POST", gladly.Path, "application/json", `{}`,
			map[string]string{"X-Account-Identifier": "acct-secret-1", "Authorization": "Basic " + basicAuth("gladly-user", "nope")}, 401},
		{"gladly GET", "GET", gladly.Path, "", "", gladlyAuth, 405},
		{"gladly malformed", "POST", gladly.Path, "application/json", `{"id":`, gladlyAuth, 400},
		{"gladly nested", "POST", gladly.Path, "application/json", nested, gladlyAuth, 400},
		{"gladly huge", "POST", gladly.Path, "application/json", huge, gladlyAuth, 413},
		{"file unknown token", "GET", "/files/not-a-token", "", "", nil, 404},
		{"file forged token", "GET", "/files/" + strings.Repeat("A", 80), "", "", nil, 404},
		{"file POST", "POST", "/files/x", "", "", nil, 405},
		{"healthz POST", "POST", "/healthz", "", "", nil, 405},
		{"unknown path", "GET", "/admin", "", "", nil, 404},
	}
	before := w.redisState(t)
	for _, c := range cases {
		r, err := http.NewRequest(c.method, addr+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.ctype != "" {
			r.Header.Set("Content-Type", c.ctype)
		}
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, res.StatusCode, body, c.want)
		}
		for _, secret := range []string{hookToken, hookSecret, chatraToken, "secret-key", "gladly-password", "acct-secret-1"} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("%s: the answer shows a secret: %s", c.name, body)
			}
		}
	}
	if after := w.redisState(t); !maps.Equal(before, after) {
		for k, v := range after {
			if before[k] != v {
				t.Errorf("hostile requests changed %s: %d → %d", k, before[k], v)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("hostile requests removed %s", k)
			}
		}
	}
}

// TestHTTP_SlowLoris: a client that sends its headers slowly is cut off by the server.
func TestHTTP_SlowLoris(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	conn, err := net.Dial("tcp", w.d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	// Never finish the headers: the server's ReadHeaderTimeout closes the connection.
	conn.SetReadDeadline(time.Now().Add(hangGuard + 10*time.Second))
	_, err = bufio.NewReader(conn).ReadString('\n')
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept a slow client's connection open")
	}
}

func basicAuth(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}
