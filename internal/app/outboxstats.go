package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontdeskhq/frontdesk/store/outbox"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	outboxDepthName = "frontdesk_outbox_depth"
	outboxAgeName   = "frontdesk_outbox_oldest_age_seconds"
	// outboxStatsTimeout bounds asking Redis for the outbox's stats on a scrape.
	outboxStatsTimeout = 5 * time.Second
)

// outboxStats tells where consumer groups stand with the outbox (outbox.Stats).
type outboxStats func(ctx context.Context, groups ...string) (map[string]outbox.Stat, error)

// outboxCollector reports each consumer group's outbox depth and the age of its oldest
// entry not yet acknowledged, asking Redis on every scrape.
type outboxCollector struct {
	groups     []string
	stats      outboxStats
	depth, age *prometheus.Desc
}

func newOutboxCollector(groups []string, stats outboxStats) *outboxCollector {
	return &outboxCollector{
		groups: groups,
		stats:  stats,
		depth: prometheus.NewDesc(outboxDepthName,
			"Outbox entries a consumer group has not acknowledged yet (read and in hand, or not read yet).",
			[]string{"group"}, nil),
		age: prometheus.NewDesc(outboxAgeName,
			"Age of the oldest outbox entry a consumer group has not acknowledged yet; 0 when there is none.",
			[]string{"group"}, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.age
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), outboxStatsTimeout)
	defer cancel()
	stats, err := c.stats(ctx, c.groups...)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	for _, g := range c.groups {
		s := stats[g]
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(s.Depth), g)
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, s.Oldest.Seconds(), g)
	}
}

// outboxReady is the /readyz check that fails while a consumer group has left an entry
// unread for longer than maxAge: its workers are stuck, gone, or far behind. Entries in
// hand that are being retried (a customer endpoint down, Slack's Retry-After) do not
// count: they wait on someone else, and the chat goes on meanwhile. Only the groups the
// chat needs are looked at: a sink (Vitally, AI) falling behind never takes the chat
// out of service, nor do the SLA alerts (GroupSLA), which keep to Slack's pace: a burst
// of tickets crossing a threshold together leaves its alerts unread for minutes
// (docs/sla.md).
func outboxReady(groups []string, stats outboxStats, maxAge time.Duration) readyCheck {
	var core []string
	for _, g := range groups {
		if !strings.HasPrefix(g, tickets.SinkGroupPrefix) && g != tickets.GroupSLA {
			core = append(core, g)
		}
	}
	return readyCheck{name: "outbox", fn: func(ctx context.Context) error {
		st, err := stats(ctx, core...)
		if err != nil {
			return err
		}
		worst, oldest := "", maxAge
		for _, g := range core {
			if age := st[g].OldestUnread; age > oldest {
				worst, oldest = g, age
			}
		}
		if worst != "" {
			return fmt.Errorf("group %s has left an entry unread for %s", worst, roughly(oldest))
		}
		return nil
	}}
}

// roughly writes d for people: "6m", "1h30m", "45s".
func roughly(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	s := d.Round(time.Minute).String() // "6m0s", "1h30m0s", "2h0m0s"
	s = s[:len(s)-len("0s")]
	if len(s) > 2 && s[len(s)-2:] == "0m" && s[len(s)-3] == 'h' {
		s = s[:len(s)-2]
	}
	return s
}
