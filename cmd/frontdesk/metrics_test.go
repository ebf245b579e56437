package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// sample returns the value of the first series of metric name in body (the text
// exposition format) that has every label of labels ("key", "value", ...).
func sample(body, name string, labels ...string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ') // label values may hold spaces
		if i < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		series, value := line[:i], line[i+1:]
		if series != name && !strings.HasPrefix(series, name+"{") {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(series, labels[i]+"="+strconv.Quote(labels[i+1])) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(value, 64)
		return v, err == nil
	}
	return 0, false
}

// TestMetrics_Story drives a ticket from request to end and reads /metrics.
func TestMetrics_Story(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	card, inbox := w.active(t, "metrics-1")
	w.d.customerSays(t, "metrics-1", "m-2", "thanks")
	inbox.ExpectMessage("thanks")
	hi := w.alice.Post(inbox, "You're welcome")
	w.src.expect(t, "metrics-1 message: You're welcome")
	hi.ExpectReaction("white_check_mark")
	w.alice.Reply(hi, "an internal note")
	w.alice.Shortcut(hi, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(v, map[string]any{"lcc_action": "End the live chat", "lcc_reason": "solved"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by")
	w.src.expect(t, "metrics-1 ended:")
	w.sim.DiscardUnexpected()

	addr := w.d.ln.Addr().String()
	team, src := []string{"team", "Support Team", "source", "webhook"}, "webhook"
	want := []struct {
		name   string
		labels []string
		value  float64 // at least
		exact  bool
	}{
		{"frontdesk_tickets_opened_total", team, 1, true},
		{"frontdesk_tickets_picked_total", team, 1, true},
		{"frontdesk_tickets_closed_total", append(team, "by", "agent"), 1, true},
		{"frontdesk_ticket_time_to_pick_seconds_count", team, 1, true},
		{"frontdesk_messages_relayed_total", []string{"direction", "customer", "source", src}, 1, true},
		{"frontdesk_messages_relayed_total", []string{"direction", "agent", "source", src}, 1, true},
		{"frontdesk_slack_api_calls_total", []string{"method", "chat.postMessage", "class", "2xx"}, 1, false},
		{"frontdesk_slack_api_calls_total", []string{"method", "conversations.create", "class", "2xx"}, 1, false},
		{"frontdesk_slack_socket_connected", nil, 1, true},
		{"frontdesk_slack_socket_reconnects_total", nil, 0, true},
		{"frontdesk_slack_envelope_ack_seconds_count", nil, 3, false}, // the click, the shortcut, the submission...
		// The agent's first message after the connection came up checked the channel.
		{"frontdesk_agent_order_checks_total", []string{"outcome", "ok"}, 1, true},
		{"frontdesk_agent_messages_recovered_total", nil, 0, true},
		{"frontdesk_outbox_handled_total", []string{"group", tickets.GroupDesk, "outcome", store.OutcomeOK}, 1, false},
		{"frontdesk_outbox_handled_total", []string{"group", tickets.GroupSource, "outcome", store.OutcomeGaveUp}, 0, true},
		{"frontdesk_outbox_handler_duration_seconds_count", []string{"group", tickets.GroupDesk}, 1, false},
		{"frontdesk_vitally_syncs_total", []string{"outcome", "skipped", "reason", "not_configured"}, 1, false},
	}
	var body string
	waitFor(t, func() bool {
		// The outbox finishes its work (archiving the inbox channel, ...) on its own time.
		var code int
		code, body = get(t, addr, "/metrics")
		v, _ := sample(body, "frontdesk_outbox_depth", "group", tickets.GroupDesk)
		return code == http.StatusOK && v == 0
	})
	for _, m := range want {
		got, ok := sample(body, m.name, m.labels...)
		if !ok || got < m.value || m.exact && got != m.value {
			t.Errorf("%s%v = %v (found %v), want %v", m.name, m.labels, got, ok, m.value)
		}
	}
	for _, group := range []string{tickets.GroupDesk, tickets.GroupMarks, tickets.GroupSource, tickets.SinkGroupPrefix + "vitally"} {
		for _, name := range []string{"frontdesk_outbox_depth", "frontdesk_outbox_oldest_age_seconds"} {
			if _, ok := sample(body, name, "group", group); !ok {
				t.Errorf("no %s for group %s", name, group)
			}
		}
	}
	// Nothing about the customer or the conversation gets into a label.
	for _, s := range []string{"metrics-1", "Carol", "example.com", w.alice.ID, inbox.ID} {
		if strings.Contains(body, s) {
			t.Errorf("/metrics shows %q", s)
		}
	}
	// Every series served is one the program declares (and the dashboard may use).
	declared := newMetrics().series
	for _, name := range regexp.MustCompile(`(?m)^(frontdesk_[a-z_]+)`).FindAllString(body, -1) {
		if !declared[name] {
			t.Errorf("/metrics serves %s, which metrics.series does not list", name)
		}
	}
}

func TestMetrics_SocketReconnects(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	addr := w.d.ln.Addr().String()
	w.sim.DropConnections()
	w.sim.ExpectConnections(1) // slack-go dials again by itself
	waitFor(t, func() bool {
		_, body := get(t, addr, "/metrics")
		up, _ := sample(body, "frontdesk_slack_socket_connected")
		n, _ := sample(body, "frontdesk_slack_socket_reconnects_total")
		return up == 1 && n == 1
	})
}

// TestReadyz_RetriesAreNotStuck: a customer endpoint that keeps failing is retried (the
// metrics show it) but does not make the replica unready: the outbox still reads, and
// every other chat goes on. /readyz fails only when a group leaves entries unread
// (TestOutboxReady).
func TestReadyz_RetriesAreNotStuck(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{"READY_MAX_OUTBOX_AGE": "1s"})
	addr := w.d.ln.Addr().String()
	waitFor(t, func() bool { code, _ := get(t, addr, "/readyz"); return code == http.StatusOK })

	w.src.failWith(errors.New("the chatbot is down")) // retried, not given up
	w.d.open(t, "stuck-1", "Support Team", "Carol", "Hello")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	w.priya.ExpectDM("Ticket #", "Carol")
	w.alice.Click(card, "Pick") // the customer is to be told: the source group retries
	waitFor(t, func() bool {
		_, body := get(t, addr, "/metrics")
		v, _ := sample(body, "frontdesk_outbox_handled_total", "group", tickets.GroupSource, "outcome", store.OutcomeRetry)
		return v >= 2
	})
	if code, body := get(t, addr, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %q while a delivery is retried", code, body)
	}
	w.src.failWith(nil)
	w.src.expect(t, "stuck-1 accepted:")
	w.sim.DiscardUnexpected()
}

func TestOutboxReady(t *testing.T) {
	groups := []string{"desk", "sink:vitally", "source"}
	stats := func(st map[string]store.OutboxStat, err error) outboxStats {
		return func(_ context.Context, gs ...string) (map[string]store.OutboxStat, error) {
			if want := []string{"desk", "source"}; !slices.Equal(gs, want) {
				t.Errorf("asked about %v, want %v: sinks never make a replica unready", gs, want)
			}
			return st, err
		}
	}
	for _, tc := range []struct {
		name  string
		stats outboxStats
		want  string // "" for ready
	}{
		{"Empty", stats(map[string]store.OutboxStat{}, nil), ""},
		{"Young", stats(map[string]store.OutboxStat{"desk": {Depth: 40, Oldest: 4 * time.Minute, OldestUnread: 4 * time.Minute}}, nil), ""},
		{"RetriedInHand", stats(map[string]store.OutboxStat{"source": {Depth: 3, Oldest: time.Hour}}, nil), ""},
		{"OneBehind", stats(map[string]store.OutboxStat{
			"desk": {Depth: 1, Oldest: time.Minute}, "source": {Depth: 3, Oldest: 7 * time.Minute, OldestUnread: 6*time.Minute + 10*time.Second},
		}, nil), "group source has left an entry unread for 6m"},
		{"OldestWins", stats(map[string]store.OutboxStat{
			"desk": {Depth: 1, Oldest: 3 * time.Hour, OldestUnread: 2*time.Hour + 29*time.Second}, "source": {Depth: 3, OldestUnread: 6 * time.Minute},
		}, nil), "group desk has left an entry unread for 2h"},
		{"RedisFails", stats(nil, errors.New("connection refused")), "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := outboxReady(groups, tc.stats, 5*time.Minute).fn(context.Background()); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("check = %q, want %q", got, tc.want)
			}
		})
	}
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond: "2s", 59 * time.Second: "59s", 6 * time.Minute: "6m",
		90*time.Minute + 10*time.Second: "1h30m", 3 * time.Hour: "3h",
	} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestSlackTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/chat.update":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api/conversations.info":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	m := newMetrics()
	rt, err := m.slackTransport(nil, srv.URL+"/api/")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: rt}
	for _, path := range []string{
		"/api/chat.postMessage", "/api/chat.postMessage", "/api/chat.update", "/api/conversations.info",
		"/files-pri/T123-F456/secret-plan.pdf", "/api/chat.postMessage/../../evil", "/api/",
	} {
		res, err := client.Post(srv.URL+path, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if _, err := client.Get("http://127.0.0.1:1/api/auth.test"); err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	body := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"frontdesk_slack_api_calls_total", []string{"method", "chat.postMessage", "class", "2xx"}, 2},
		{"frontdesk_slack_api_calls_total", []string{"method", "chat.update", "class", "4xx"}, 1},
		{"frontdesk_slack_api_calls_total", []string{"method", "conversations.info", "class", "5xx"}, 1},
		{"frontdesk_slack_api_calls_total", []string{"method", "other", "class", "2xx"}, 3},
		{"frontdesk_slack_api_calls_total", []string{"method", "other", "class", "error"}, 1}, // another host
		{"frontdesk_slack_api_rate_limited_total", []string{"method", "chat.update"}, 1},
	} {
		if got, _ := sample(body, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if strings.Contains(body, "secret-plan") || strings.Contains(body, "evil") {
		t.Errorf("a path got into a label:\n%s", body)
	}
}

func TestRouteMetrics(t *testing.T) {
	m := newMetrics()
	mux := http.NewServeMux()
	mux.Handle("/connectors/chatra/webhook/{token}", m.route("chatra", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("token") != "the-secret-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ok")) // an implicit 200
	})))
	mux.Handle("/files/{token}", m.route("files", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, path := range []string{
		"/connectors/chatra/webhook/the-secret-token", "/connectors/chatra/webhook/the-secret-token",
		"/connectors/chatra/webhook/guess", "/files/abc",
	} {
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	body := scrape(t, m)
	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"route", "chatra", "code", "200"}, 2},
		{[]string{"route", "chatra", "code", "401"}, 1},
		{[]string{"route", "files", "code", "200"}, 1},
	} {
		if got, _ := sample(body, "frontdesk_http_requests_total", c.labels...); got != c.want {
			t.Errorf("frontdesk_http_requests_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if strings.Contains(body, "secret-token") || strings.Contains(body, "guess") {
		t.Errorf("a path got into a label:\n%s", body)
	}
}

// scrape returns what m serves at /metrics.
func scrape(t *testing.T, m *metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.handler(zap.NewNop()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics = %d", rec.Code)
	}
	return rec.Body.String()
}

// TestGrafanaDashboard checks docs/grafana-dashboard.json: a dashboard with a Prometheus
// data source variable whose panels query only metrics the program registers, and every
// metric family in some panel.
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	type target struct{ Expr string }
	type panel struct {
		Type, Title string
		Datasource  struct{ Type, UID string }
		Targets     []target
	}
	var d struct {
		Title         string
		UID           string
		SchemaVersion int
		Templating    struct {
			List []struct{ Name, Type, Query string }
		}
		Panels []panel
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if d.Title == "" || d.UID == "" || d.SchemaVersion < 36 {
		t.Errorf("title %q, uid %q, schemaVersion %d", d.Title, d.UID, d.SchemaVersion)
	}
	var dsVar string
	for _, v := range d.Templating.List {
		if v.Type == "datasource" && v.Query == "prometheus" {
			dsVar = "${" + v.Name + "}"
		}
	}
	if dsVar == "" {
		t.Fatal("no Prometheus data source variable")
	}
	declared := newMetrics().series
	used := map[string]bool{}
	metric := regexp.MustCompile(`\bfrontdesk_[a-z_]+`)
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource.UID != dsVar || len(p.Targets) == 0 {
			t.Errorf("panel %q: data source %q, %d targets", p.Title, p.Datasource.UID, len(p.Targets))
		}
		for _, tg := range p.Targets {
			names := metric.FindAllString(tg.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: %q queries no frontdesk metric", p.Title, tg.Expr)
			}
			for _, name := range names {
				if !declared[name] {
					t.Errorf("panel %q uses %s, which Frontdesk does not export", p.Title, name)
				}
				used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")] = true
			}
		}
	}
	for name := range declared {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if !used[base] && !used[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

// TestReadyz_SocketModeDrop: /readyz fails while the Socket Mode connection is down and
// passes again once slack-go has dialled back in.
func TestReadyz_SocketModeDrop(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	addr := w.d.ln.Addr().String()
	waitFor(t, func() bool { code, _ := get(t, addr, "/readyz"); return code == http.StatusOK })
	w.sim.RateLimit("apps.connections.open", 3, time.Second) // keep it down a few seconds
	w.sim.DropConnections()
	var body string
	waitFor(t, func() bool {
		var code int
		code, body = get(t, addr, "/readyz")
		return code == http.StatusServiceUnavailable
	})
	if !strings.HasPrefix(body, "slack: ") {
		t.Errorf("/readyz body = %q, want the Slack connection named", body)
	}
	waitFor(t, func() bool { code, _ := get(t, addr, "/readyz"); return code == http.StatusOK })
}
