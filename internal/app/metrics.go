package app

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/bot"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// metrics are Frontdesk's Prometheus metrics, served at GET /metrics. They live in a
// registry of their own (not the global one), so that Frontdesks built side by side in
// one process (tests) count apart. No label carries customer data, a secret or an
// unbounded value: teams are the admins' labels, sources the connectors' names, routes
// and Slack methods fixed names.
type metrics struct {
	reg *prometheus.Registry
	// series names every time series name registered, a histogram's _bucket, _sum and
	// _count too (docs/grafana-dashboard.json may use only these).
	series map[string]bool

	opened, picked, transferred, closed   *prometheus.CounterVec
	timeToPick, firstResponse, resolution *prometheus.HistogramVec
	relayed                               *prometheus.CounterVec
	slaAlerts, statuses                   *prometheus.CounterVec

	handled       *prometheus.CounterVec
	handlerTook   *prometheus.HistogramVec
	slackCalls    *prometheus.CounterVec
	slackLimited  *prometheus.CounterVec
	socketUp      prometheus.Gauge
	reconnects    prometheus.Counter
	orderChecks   *prometheus.CounterVec
	recovered     prometheus.Counter
	catchUps      *prometheus.CounterVec
	catchUpRead   prometheus.Counter
	ackTook       prometheus.Histogram
	httpRequests  *prometheus.CounterVec
	vitallySyncs  *prometheus.CounterVec
	connectedOnce atomic.Bool
}

var (
	_ tickets.Observer = (*metrics)(nil)
	_ bot.Metrics      = (*metrics)(nil)
)

// newMetrics registers every metric in a new registry.
func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), series: map[string]bool{}}
	m.reg.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
		// go_sched_latencies_seconds: how long goroutines waited to run, the first sign of a
		// replica short of CPU (acks and relays queue behind it).
		collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/sched/latencies:seconds$`)})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	team := []string{"team", "source"}
	m.opened = m.counterVec("frontdesk_tickets_opened_total", "Tickets opened, by team and source.", team...)
	m.picked = m.counterVec("frontdesk_tickets_picked_total", "Picks (first and after a transfer), by team and source.", team...)
	m.transferred = m.counterVec("frontdesk_tickets_transferred_total",
		"Transfers, by the team the ticket went to, the team it left and its source.", "team", "from_team", "source")
	m.closed = m.counterVec("frontdesk_tickets_closed_total",
		"Tickets closed, by team, source and who closed them: agent, source, handed_back (by an agent) or sla.",
		"team", "source", "by")
	m.timeToPick = m.histogramVec("frontdesk_ticket_time_to_pick_seconds",
		"Time from a ticket's creation to its first pick, by the team that picked it and source.",
		[]float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600}, team...)
	m.relayed = m.counterVec("frontdesk_messages_relayed_total",
		"Messages taken for relay, by direction (customer, source_agent: to Slack; agent: to the customer) and source.",
		"direction", "source")

	m.slaAlerts = m.counterVec("frontdesk_sla_alerts_total",
		"SLA alerts fired, by team, urgency (none when unset), clock (first_response, next_response, resolution) and level (warning, breach).",
		"team", "urgency", "clock", "level")

	businessTime := []float64{60, 300, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600}
	m.firstResponse = m.histogramVec("frontdesk_ticket_first_response_seconds",
		"Business time from a ticket's creation to the first message an agent wrote to the customer, by team, observed when the ticket closes (docs/sla.md).",
		businessTime, "team")
	m.resolution = m.histogramVec("frontdesk_ticket_resolution_seconds",
		"Business time from a ticket's creation to its close, without the time it waited on the customer or was on hold (unless the team counts those), by team.",
		businessTime, "team")
	m.statuses = m.counterVec("frontdesk_ticket_status_changes_total",
		"Changes of picked tickets' status, by team, the status left and the one entered (active, waiting, on_hold) and cause (agent, customer, wake, reply).",
		"team", "from", "to", "cause")

	m.handled = m.counterVec("frontdesk_outbox_handled_total",
		"Outbox handler calls, by consumer group and outcome: ok, retry (failed, tried again) or gave_up (dead-lettered).",
		"group", "outcome")
	m.handlerTook = m.histogramVec("frontdesk_outbox_handler_duration_seconds",
		"How long outbox handler calls take, by consumer group.",
		[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}, "group")
	m.series[outboxDepthName], m.series[outboxAgeName] = true, true // see watchOutboxes

	m.slackCalls = m.counterVec("frontdesk_slack_api_calls_total",
		"Slack Web API calls, by method and status class (2xx, 4xx, 5xx, error when no answer came).", "method", "class")
	m.slackLimited = m.counterVec("frontdesk_slack_api_rate_limited_total",
		"Slack Web API calls answered 429 (rate limited), by method.", "method")
	m.socketUp = prometheus.NewGauge(prometheus.GaugeOpts{Name: "frontdesk_slack_socket_connected",
		Help: "1 while the Slack Socket Mode connection is up, else 0."})
	m.reconnects = prometheus.NewCounter(prometheus.CounterOpts{Name: "frontdesk_slack_socket_reconnects_total",
		Help: "Socket Mode connections made after the first one."})
	m.ackTook = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "frontdesk_slack_envelope_ack_seconds",
		Help:    "Time from receiving a Socket Mode envelope to writing its acknowledgement (Slack wants it within 3s).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 3}})
	m.register(m.socketUp, "frontdesk_slack_socket_connected")
	m.register(m.reconnects, "frontdesk_slack_socket_reconnects_total")
	m.register(m.ackTook, "frontdesk_slack_envelope_ack_seconds", histogramSuffixes...)
	m.orderChecks = m.counterVec("frontdesk_agent_order_checks_total",
		"Checks of an inbox channel's history for agents' messages Slack had not sent yet, made after a Socket Mode connection may have ended with events in flight, by outcome (ok, rate_limited, failed).", "outcome")
	m.recovered = prometheus.NewCounter(prometheus.CounterOpts{Name: "frontdesk_agent_messages_recovered_total",
		Help: "Agents' messages found in an inbox channel's history before Slack sent them, relayed ahead of the later ones."})
	m.register(m.recovered, "frontdesk_agent_messages_recovered_total")
	m.catchUps = m.counterVec("frontdesk_customer_channel_catchups_total",
		"Catch-ups of a customer channel's history (and its requests' threads) after events may have been lost, by outcome (ok, failed).", "outcome")
	m.catchUpRead = prometheus.NewCounter(prometheus.CounterOpts{Name: "frontdesk_customer_channel_messages_read_back_total",
		Help: "Customer channels' messages read back from history by a catch-up and handed to the ticket service, which takes those it had not taken."})
	m.register(m.catchUpRead, "frontdesk_customer_channel_messages_read_back_total")

	m.httpRequests = m.counterVec("frontdesk_http_requests_total",
		"Requests to the connectors' routes (webhook, chatra, gladly, files), by route and status code.", "route", "code")
	m.vitallySyncs = m.counterVec("frontdesk_vitally_syncs_total",
		"Vitally syncs, by outcome (synced, not_synced, skipped) and reason.", "outcome", "reason")
	return m
}

var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// register registers c, whose series are name and name+suffix for each suffix.
func (m *metrics) register(c prometheus.Collector, name string, suffixes ...string) {
	m.reg.MustRegister(c)
	m.series[name] = true
	for _, s := range suffixes {
		m.series[name+s] = true
	}
}

func (m *metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.register(c, name)
	return c
}

func (m *metrics) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	m.register(h, name, histogramSuffixes...)
	return h
}

// watchOutboxes reports each of groups' outbox depth and oldest entry age, asking stats
// on every scrape.
func (m *metrics) watchOutboxes(groups []string, stats outboxStats) {
	m.reg.MustRegister(newOutboxCollector(groups, stats))
}

// handler serves the metrics. A collector that fails (the outbox's, when Redis does not
// answer) is logged and left out; the rest is served.
func (m *metrics) handler(log *zap.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      zap.NewStdLog(log.Named("metrics")),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// Series names every time series name Frontdesk serves at /metrics, sorted (a
// histogram's _bucket, _sum and _count each): the names the Grafana dashboard
// (docs/grafana-dashboard.json) and docs/operations.md may use.
func Series() []string {
	return slices.Sorted(maps.Keys(newMetrics().series))
}
