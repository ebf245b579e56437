package main

import (
	"crypto/sha1"
	"encoding/hex"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMarkSeq(t *testing.T) {
	for _, tc := range []struct {
		text, mark string
		want       int
		ok         bool
	}{
		{"bench-c-42 Hello", custMark, 42, true},
		{"*Customer 3:* bench-c-7", custMark, 7, true},
		{"&gt; bench-a-0", agentMark, 0, true},
		{"bench-a-5", custMark, 0, false},
		{"no marker", custMark, 0, false},
		{"bench-c-", custMark, 0, false},
	} {
		if got, ok := markSeq(tc.text, tc.mark); got != tc.want || ok != tc.ok {
			t.Errorf("markSeq(%q, %q) = %d, %v; want %d, %v", tc.text, tc.mark, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseMonitor(t *testing.T) {
	rec, ok := parseMonitor(`+1700000000.250000 [0 127.0.0.1:5000] "EVALSHA" "abc123" "1" "k"` + "\r\n")
	if !ok || rec.at != 1700000000.25 || rec.client != "127.0.0.1:5000" || rec.cmd != "evalsha" || rec.arg != "abc123" {
		t.Errorf("parseMonitor = %+v, %v", rec, ok)
	}
	rec, ok = parseMonitor(`+1700000000.260000 [0 127.0.0.1:5001] "XREADGROUP" "GROUP" "sink:ai" "fd-1" "COUNT" "64" "BLOCK" "2000" "STREAMS" "P{1}:outbox:sink:ai" ">"`)
	if !ok || rec.cmd != "xreadgroup" || rec.stream != "P{1}:outbox:sink:ai" {
		t.Errorf("parseMonitor(xreadgroup) = %+v, %v", rec, ok)
	}
	rec, ok = parseMonitor(`+1700000000.300000 [0 lua] "hset" "a \"quoted\" key\n" "v"`)
	if !ok || rec.client != "lua" || rec.cmd != "hset" || rec.arg != "a \"quoted\" key\n" {
		t.Errorf("parseMonitor(lua) = %+v, %v", rec, ok)
	}
	if tok, rest := monitorToken(`"\x41\\b" "next"`); tok != `A\b` || rest != ` "next"` {
		t.Errorf("monitorToken = %q, %q", tok, rest)
	}
	if _, ok := parseMonitor("+OK"); ok {
		t.Error("parseMonitor(+OK) is a command")
	}
}

func TestSummarize(t *testing.T) {
	src := "return 1"
	sum := sha1.Sum([]byte(src))
	sha := hex.EncodeToString(sum[:])
	scripts := map[string]string{sha: "pickScript", "renew": "renewScript"}
	recs := []monitored{
		{at: 1.000000, client: "a", cmd: "evalsha", arg: sha},
		{at: 1.000001, client: "lua", cmd: "hset"},
		{at: 1.000002, client: "lua", cmd: "xadd"},
		{at: 1.000100, client: "b", cmd: "hgetall"}, // a pipeline of two: one round trip
		{at: 1.000105, client: "b", cmd: "lrange"},
		{at: 1.000200, client: "b", cmd: "xack"}, // later: a round trip of its own
		{at: 1.000300, client: "c", cmd: "evalsha", arg: "renew"},
		{at: 1.000301, client: "lua", cmd: "get"},
		{at: 1.000302, client: "lua", cmd: "pexpire"},
		{at: 1.000400, client: "a", cmd: "eval", arg: src}, // the first use: the source
	}
	c := summarize(recs, scripts)
	if c.Client != 5 || c.RoundTrips != 4 || c.InScripts != 2 || c.Background != 3 {
		t.Errorf("summarize = %+v", c)
	}
	if c.ByScript["pickScript"] != 2 || c.ByCommand["hgetall"] != 1 || c.ByScriptCommand["xadd"] != 1 {
		t.Errorf("by name: %v %v %v", c.ByScript, c.ByCommand, c.ByScriptCommand)
	}
	// A read of a stream that got no entry is idle (another partition's stream of a group
	// that got one, too); one of a stream that got one is not.
	reads := summarize([]monitored{
		{at: 1, client: "z", cmd: "xreadgroup", stream: "fd:P{3}:outbox:sink:ai"},
		{at: 1.01, client: "x", cmd: "xreadgroup", stream: "fd:P{4}:outbox:desk"},
		{at: 1.1, client: "a", cmd: "evalsha", arg: sha},
		{at: 1.100001, client: "lua", cmd: "xadd", arg: "fd:P{3}:outbox:desk"},
		{at: 1.100020, client: "a", cmd: "evalsha", arg: sha},                  // autopipelined: 19µs after the
		{at: 1.100060, client: "lua", cmd: "xadd", arg: "fd:P{3}:outbox:desk"}, // last script line
		{at: 1.2, client: "y", cmd: "xreadgroup", stream: "fd:P{3}:outbox:desk"},
	}, scripts)
	if reads.IdleReads != 2 || reads.Background != 2 || reads.Client != 3 || reads.RoundTrips != 2 || reads.ByCommand["xreadgroup"] != 1 {
		t.Errorf("summarize(reads) = %+v", reads)
	}
	idle := summarize([]monitored{{at: 1, client: "z", cmd: "get"}}, scripts)
	net := c.sub(idle, 2)
	if net.Client != 3 || net.RoundTrips != 2 {
		t.Errorf("sub = %+v", net)
	}
	if got := perOp(map[string]int{"xack": 4, "get": 1, "none": 0}, 2); got != "xack 2.0, get 0.5" {
		t.Errorf("perOp = %q", got)
	}
}

func TestQuantiles(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 200; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p50, p99, mx := quantiles(ds)
	if p50 != 100*time.Millisecond || p99 != 198*time.Millisecond || mx != 200*time.Millisecond {
		t.Errorf("quantiles = %v %v %v", p50, p99, mx)
	}
	if a, b, c := quantiles(nil); a+b+c != 0 {
		t.Error("quantiles of nothing are not zero")
	}
}

func TestKeyKind(t *testing.T) {
	for k, want := range map[string]string{
		"{3}:ticket:7:messages":     "ticket:messages",
		"{3}:ticket:7":              "ticket",
		"{3}:seen:7:customer:m-1":   "seen",
		"{12}:seen:in:webhook:ev-1": "seen:in",
		"{0}:outbox":                "outbox",
		"inbox:C123":                "inbox",
		"seq:ticket":                "seq",
	} {
		if got := keyKind(k); got != want {
			t.Errorf("keyKind(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestTracker(t *testing.T) {
	var tr tracker
	a, b := tr.begin(), tr.begin()
	now := time.Now()
	tr.arrived(b, now)
	tr.arrived(b, now) // a repeat
	tr.arrived(99, now)
	if tr.arrivedIn(a, b+1) != 1 || tr.dups != 1 || tr.next() != 2 {
		t.Errorf("tracker: %d arrived, %d dups, next %d", tr.arrivedIn(a, b+1), tr.dups, tr.next())
	}
	sent, done := tr.span(0, 2)
	if len(sent) != 2 || !done[0].IsZero() || !done[1].Equal(now) {
		t.Errorf("span = %v, %v", sent, done)
	}
	if n := tr.arrivalsBetween(now.Add(-time.Second), now.Add(time.Second)); n != 1 {
		t.Errorf("arrivalsBetween = %d", n)
	}
}

func TestTSTime(t *testing.T) {
	if got := tsTime("1700000000.000123"); !got.Equal(time.Unix(1700000000, 123000)) {
		t.Errorf("tsTime = %v", got)
	}
}

func TestProfileCum(t *testing.T) {
	listing := `Showing top 40 nodes out of 54
      flat  flat%   sum%        cum   cum%
     0.26s  0.73%  0.73%     12.85s 35.92%  github.com/frontdeskhq/frontdesk/store.(*queues).drain
     4.17s 11.66% 26.11%      4.25s 11.88%  github.com/frontdeskhq/frontdesk/store.(*Outbox).read
         0     0%  4.31%      2.94s  8.22%  github.com/frontdeskhq/frontdesk/connectors/webhook.(*Handler).handle`
	got := profileCum(listing)
	if got["store.(*queues).drain"] != 35.92 || got["store.(*Outbox).read"] != 11.88 || got["webhook.(*Handler).handle"] != 8.22 || len(got) != 3 {
		t.Errorf("profileCum = %v", got)
	}
}

func TestBareRatio(t *testing.T) {
	bare := &curve{Saturation: 5411}
	for _, tc := range []struct {
		fd       curve
		got, met string
	}{
		{curve{Saturation: 2705}, "0.49 × (2705 vs 5411 msg/s)", "**no**"},
		{curve{Saturation: 2706}, "0.50 × (2706 vs 5411 msg/s)", "yes"},
		{curve{Saturation: 2705, Capped: true}, "≥ 0.49 × (≥ 2705 vs 5411 msg/s; the load driver's limit, not Frontdesk's)", "—"},
		{curve{Saturation: 3000, Capped: true}, "≥ 0.55 × (≥ 3000 vs 5411 msg/s; the load driver's limit, not Frontdesk's)", "yes"},
	} {
		l := bareRatio(toSlack, &tc.fd, bare)
		if l.got != tc.got || l.met != tc.met {
			t.Errorf("%+v: %q %q, want %q %q", tc.fd, l.got, l.met, tc.got, tc.met)
		}
	}
}

func TestMedianStep(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	runs := []step{
		{Rate: 500, Throughput: 480, P99: ms(30), Sent: 10, Arrived: 10},
		{Rate: 500, Throughput: 500, P99: ms(20), Sent: 10, Arrived: 9, Lost: 1},
		{Rate: 500, Throughput: 490, P99: ms(90), Sent: 10, Arrived: 10},
	}
	m := medianStep(runs)
	if m.Throughput != 490 || m.P99 != ms(30) || m.Rate != 500 || m.Sent != 30 || m.Arrived != 29 || m.Lost != 1 {
		t.Errorf("medianStep = throughput %v p99 %v rate %v sent %d arrived %d lost %d", m.Throughput, m.P99, m.Rate, m.Sent, m.Arrived, m.Lost)
	}
	if m := medianStep(runs[:1]); m.P99 != ms(30) {
		t.Errorf("medianStep of one run: p99 %v", m.P99)
	}
}

func TestStallMet(t *testing.T) {
	free := step{Throughput: 1000, P99: 20 * time.Millisecond, Arrived: 6000}
	for _, tc := range []struct {
		stalled step
		want    bool
	}{
		{step{Throughput: 1000, P99: 20 * time.Millisecond}, true},
		{step{Throughput: 900, P99: 22 * time.Millisecond}, true},     // both at the edge
		{step{Throughput: 1100, P99: 5 * time.Millisecond}, true},     // better is no fault
		{step{Throughput: 899, P99: 20 * time.Millisecond}, false},    // throughput 10.1% down
		{step{Throughput: 1000, P99: 22*time.Millisecond + 1}, false}, // p99 just over 10% up
		{step{Throughput: 1000, P99: 20 * time.Millisecond, Lost: 1}, false},
	} {
		if got := stallMet(free, tc.stalled); got != tc.want {
			t.Errorf("stallMet(%v, %v at %v, lost %d) = %v, want %v", free.Throughput, tc.stalled.Throughput, tc.stalled.P99, tc.stalled.Lost, got, tc.want)
		}
	}
	f := stallFigures{Dir: toSlack, Free: free, Stalled: step{Rate: 1000, Throughput: 950, P99: 21 * time.Millisecond}, Held: 20}
	if l := stallLine(f); l.met != "yes" || l.want != "throughput and p99 within 10%" ||
		l.got != "stalled: 950 msg/s, p99 21ms; answering: 1000 msg/s, p99 20ms (1000 msg/s offered; 20 requests to Vitally held through the runs)" {
		t.Errorf("stallLine = %+v", l)
	}
	f.Held = 0
	if l := stallLine(f); l.met != "—" {
		t.Errorf("stallLine with nothing held: met %q, want —", l.met)
	}
	f.Held, f.Stalled.Throughput = 20, 800
	if l := stallLine(f); l.met != "**no**" {
		t.Errorf("stallLine at 80%%: met %q", l.met)
	}
}

func TestSinksRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		with, without float64
		want          bool
	}{
		{2.4, 2.4, true}, {2.4, 2.3, true}, {2.3, 2.4, true}, {2.41, 2.3, false}, {6.8, 4.8, false},
	} {
		if got := roundTripsKept(tc.with, tc.without); got != tc.want {
			t.Errorf("roundTripsKept(%v, %v) = %v, want %v", tc.with, tc.without, got, tc.want)
		}
	}
	costs := func(cs, sc float64) []opCost {
		return []opCost{{Name: "relayed message (C→S)", RoundTrips: cs}, {Name: "relayed message (S→C)", RoundTrips: sc}}
	}
	r := &report{Costs: costs(2.4, 5.0)}
	if _, ok := r.sinksRoundTripsLine(); ok {
		t.Error("a round-trips line without the run without the sinks")
	}
	r.NoSinks = &noSinksFigures{Costs: costs(2.4, 4.8)}
	l, ok := r.sinksRoundTripsLine()
	if !ok || l.met != "**no**" || l.got != "per relayed message customer → Slack: 2.40 with, 2.40 without; per relayed message Slack → customer: 5.00 with, 4.80 without" {
		t.Errorf("sinksRoundTripsLine = %+v, %v", l, ok)
	}
	r.Costs = costs(2.4, 4.9)
	if l, _ := r.sinksRoundTripsLine(); l.met != "yes" {
		t.Errorf("sinksRoundTripsLine at +0.1: met %q", l.met)
	}
	// The targets table shows the sinks-off figure beside each round-trip row.
	var found bool
	for _, tl := range r.targets() {
		if tl.what == "Redis round trips per relayed message (S→C)" {
			found = strings.Contains(tl.got, "; sinks off: 4.8")
		}
	}
	if !found {
		t.Errorf("no sinks-off figure in the round-trip rows: %+v", r.targets())
	}
}

func TestWithoutSinks(t *testing.T) {
	env := map[string]string{"VITALLY_API_URL": "u", "VITALLY_SECRET": "s", "AI_BASE_URL": "b", "AI_API_KEY": "k",
		"AI_MODEL": "m", "REDIS_URL": "r"}
	withoutSinks(env)
	if len(env) != 1 || env["REDIS_URL"] != "r" {
		t.Errorf("withoutSinks left %v", env)
	}
}

func TestStallFront(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer backend.Close()
	f, err := newStallFront(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	get := func() string {
		res, err := http.Get(f.URL + "/resources/users")
		if err != nil {
			return err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if got := get(); got != "ok" {
		t.Fatalf("through the front: %q", got)
	}
	f.stall()
	answered := make(chan string, 1)
	go func() { answered <- get() }()
	if !f.waitHolding(5 * time.Second) {
		t.Fatal("the request was not held")
	}
	select {
	case got := <-answered:
		t.Fatalf("answered while stalled: %q", got)
	case <-time.After(50 * time.Millisecond):
	}
	if held, gaveUp := f.release(); held != 1 || gaveUp != 0 {
		t.Errorf("release = %d held, %d given up", held, gaveUp)
	}
	if got := <-answered; got != "ok" {
		t.Errorf("after the release: %q", got)
	}
	if got := get(); got != "ok" || f.holding() != 0 {
		t.Errorf("after the stall: %q, %d held", got, f.holding())
	}
}

func TestScriptNames(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "store", "outbox")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package outbox\n\nimport \"github.com/redis/go-redis/v9\"\n\n" +
		"const headLua = `local a = 1\n` + \"-- b\\n\"\n\n" +
		"var (\n\tplainScript = redis.NewScript(`return 1`)\n\tjoinedScript = redis.NewScript(headLua + `return a`)\n)\n"
	if err := os.WriteFile(filepath.Join(dir, "s.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	hash := func(s string) string {
		sum := sha1.Sum([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	got := scriptNames(root)
	if got[hash("return 1")] != "plainScript" || got[hash("local a = 1\n-- b\nreturn a")] != "joinedScript" || len(got) != 2 {
		t.Errorf("scriptNames = %v", got)
	}
}

// TestBusiest: the saturation reading is the busiest step the target kept up with, not an
// overloaded step that delivered more for a while.
func TestBusiest(t *testing.T) {
	c := curve{Search: []step{{Throughput: 2600, KeptUp: true}, {Throughput: 3689}, {Throughput: 3021, KeptUp: true}, {Throughput: 2480}}}
	if st := c.busiest(); st == nil || st.Throughput != 3021 {
		t.Fatalf("busiest = %+v, want the kept-up step of 3021/s", st)
	}
	c = curve{Search: []step{{Throughput: 100}, {Throughput: 300}, {Throughput: 200}}}
	if st := c.busiest(); st == nil || st.Throughput != 300 {
		t.Fatalf("busiest with none kept up = %+v, want 300/s", st)
	}
	if (&curve{}).busiest() != nil {
		t.Fatal("busiest of no steps is not nil")
	}
}

// A scraped histogram gives what was observed between two scrapes, its quantiles as
// bucket bounds and the share above a bound.
func TestHistogram(t *testing.T) {
	before := histogram{0.005: 10, 0.01: 10, 0.05: 10, math.Inf(1): 10}
	after := histogram{0.005: 60, 0.01: 100, 0.05: 109, math.Inf(1): 110}
	h := after.since(before)
	if h.total() != 100 {
		t.Fatalf("total %v, want 100", h.total())
	}
	if q := h.quantile(0.5); q != 0.005 {
		t.Errorf("p50 ≤ %v, want 0.005", q)
	}
	if q := h.quantile(0.99); q != 0.05 {
		t.Errorf("p99 ≤ %v, want 0.05", q)
	}
	if q := h.quantile(1); !math.IsInf(q, 1) {
		t.Errorf("max ≤ %v, want +Inf", q)
	}
	if o := h.over(0.01); o < 0.0999 || o > 0.1001 {
		t.Errorf("over 10 ms: %v, want 0.1", o)
	}
	if (histogram{}).quantile(0.5) != 0 || (histogram{}).over(0.01) != 0 {
		t.Error("an empty histogram says something")
	}
}
