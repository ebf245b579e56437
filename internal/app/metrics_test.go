package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/internal/metricstest"

	"github.com/frontdeskhq/frontdesk/store/outbox"
)

func TestOutboxReady(t *testing.T) {
	groups := []string{"desk", "sink:vitally", "sla", "source"}
	stats := func(st map[string]outbox.Stat, err error) outboxStats {
		return func(_ context.Context, gs ...string) (map[string]outbox.Stat, error) {
			if want := []string{"desk", "source"}; !slices.Equal(gs, want) {
				t.Errorf("asked about %v, want %v: sinks and SLA alerts never make a replica unready", gs, want)
			}
			return st, err
		}
	}
	for _, tc := range []struct {
		name  string
		stats outboxStats
		want  string // "" for ready
	}{
		{"Empty", stats(map[string]outbox.Stat{}, nil), ""},
		{"Young", stats(map[string]outbox.Stat{"desk": {Depth: 40, Oldest: 4 * time.Minute, OldestUnread: 4 * time.Minute}}, nil), ""},
		{"RetriedInHand", stats(map[string]outbox.Stat{"source": {Depth: 3, Oldest: time.Hour}}, nil), ""},
		{"OneBehind", stats(map[string]outbox.Stat{
			"desk": {Depth: 1, Oldest: time.Minute}, "source": {Depth: 3, Oldest: 7 * time.Minute, OldestUnread: 6*time.Minute + 10*time.Second},
		}, nil), "group source has left an entry unread for 6m"},
		{"OldestWins", stats(map[string]outbox.Stat{
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
		if got, _ := metricstest.Sample(body, c.name, c.labels...); got != c.want {
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
		if got, _ := metricstest.Sample(body, "frontdesk_http_requests_total", c.labels...); got != c.want {
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
