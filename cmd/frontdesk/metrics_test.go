package main

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/internal/app"
	"github.com/frontdeskhq/frontdesk/internal/metricstest"
	"github.com/frontdeskhq/frontdesk/store/outbox"
	"github.com/frontdeskhq/frontdesk/tickets"
)

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

	addr := w.d.Addr().String()
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
		{"frontdesk_outbox_handled_total", []string{"group", tickets.GroupDesk, "outcome", outbox.OutcomeOK}, 1, false},
		{"frontdesk_outbox_handled_total", []string{"group", tickets.GroupSource, "outcome", outbox.OutcomeGaveUp}, 0, true},
		{"frontdesk_outbox_handler_duration_seconds_count", []string{"group", tickets.GroupDesk}, 1, false},
		{"frontdesk_vitally_syncs_total", []string{"outcome", "skipped", "reason", "not_configured"}, 1, false},
	}
	var body string
	waitFor(t, func() bool {
		// The outbox finishes its work (archiving the inbox channel, ...) on its own time.
		var code int
		code, body = get(t, addr, "/metrics")
		v, _ := metricstest.Sample(body, "frontdesk_outbox_depth", "group", tickets.GroupDesk)
		return code == http.StatusOK && v == 0
	})
	for _, m := range want {
		got, ok := metricstest.Sample(body, m.name, m.labels...)
		if !ok || got < m.value || m.exact && got != m.value {
			t.Errorf("%s%v = %v (found %v), want %v", m.name, m.labels, got, ok, m.value)
		}
	}
	for _, group := range []string{tickets.GroupDesk, tickets.GroupMarks, tickets.GroupSource, tickets.SinkGroupPrefix + "vitally"} {
		for _, name := range []string{"frontdesk_outbox_depth", "frontdesk_outbox_oldest_age_seconds"} {
			if _, ok := metricstest.Sample(body, name, "group", group); !ok {
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
	declared := map[string]bool{}
	for _, name := range app.Series() {
		declared[name] = true
	}
	for _, name := range regexp.MustCompile(`(?m)^(frontdesk_[a-z_]+)`).FindAllString(body, -1) {
		if !declared[name] {
			t.Errorf("/metrics serves %s, which metrics.series does not list", name)
		}
	}
}

func TestMetrics_SocketReconnects(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	addr := w.d.Addr().String()
	w.sim.DropConnections()
	w.sim.ExpectConnections(1) // slack-go dials again by itself
	waitFor(t, func() bool {
		_, body := get(t, addr, "/metrics")
		up, _ := metricstest.Sample(body, "frontdesk_slack_socket_connected")
		n, _ := metricstest.Sample(body, "frontdesk_slack_socket_reconnects_total")
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
	addr := w.d.Addr().String()
	waitFor(t, func() bool { code, _ := get(t, addr, "/readyz"); return code == http.StatusOK })

	w.src.failWith(errors.New("the chatbot is down")) // retried, not given up
	w.d.open(t, "stuck-1", "Support Team", "Carol", "Hello")
	card := w.support.ExpectMessage("Ticket #", "Carol")
	w.priya.ExpectDM("Ticket #", "Carol")
	w.alice.Click(card, "Pick") // the customer is to be told: the source group retries
	waitFor(t, func() bool {
		_, body := get(t, addr, "/metrics")
		v, _ := metricstest.Sample(body, "frontdesk_outbox_handled_total", "group", tickets.GroupSource, "outcome", outbox.OutcomeRetry)
		return v >= 2
	})
	if code, body := get(t, addr, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %q while a delivery is retried", code, body)
	}
	w.src.failWith(nil)
	w.src.expect(t, "stuck-1 accepted:")
	w.sim.DiscardUnexpected()
}

// TestReadyz_SocketModeDrop: /readyz fails while the Socket Mode connection is down and
// passes again once slack-go has dialled back in.
func TestReadyz_SocketModeDrop(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	addr := w.d.Addr().String()
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
