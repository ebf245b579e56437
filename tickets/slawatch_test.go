package tickets_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// supportSLA is a 24/7 policy for the support team: first reply in 10 minutes, next in
// 5, resolved in an hour; breaches go to user group SESC.
var supportSLA = SLAPolicy{Team: support.ChannelID, Escalation: "SESC", SLA: SLA{
	Hours:   Hours{Always: true},
	Targets: map[Urgency]Targets{"": {FirstResponse: 10 * time.Minute, NextResponse: 5 * time.Minute, Resolution: time.Hour}},
}}

func withSLA(p ...SLAPolicy) func(*Config) {
	return func(c *Config) { c.Initial.SLAs = p }
}

// at sets the harness clock to t (the next reading is a second later).
func (h *harness) at(t time.Time) {
	h.mu.Lock()
	h.clock = t.Add(-time.Second)
	h.mu.Unlock()
}

// timers lists the SLA timers set, as "kind breach at".
func (h *harness) timers() []string {
	var out []string
	for _, ev := range h.store.Scheduled() {
		if ev.Type == EventSLAAlert {
			out = append(out, string(ev.Clock)+" "+map[bool]string{false: "warn", true: "breach"}[ev.Breach]+" "+ev.At.Format("15:04:05"))
		}
	}
	slices.Sort(out)
	return out
}

// fireAll fires the timers due at at, and those their handling sets due by then (a
// breach after its warning), and returns the side-effect calls made.
func (h *harness) fireAll(t *testing.T, at time.Time) []string {
	t.Helper()
	h.at(at)
	var calls []string
	for range 10 {
		h.store.Fire(at)
		got := h.deliver(t)
		if len(got) == 0 && len(h.last) == 0 {
			return calls
		}
		calls = append(calls, got...)
	}
	t.Fatal("timers kept firing")
	return nil
}

// alerts keeps the AlertSLA calls of calls.
func alerts(calls []string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, "desk.AlertSLA") {
			out = append(out, c[:strings.LastIndexByte(c, ' ')]) // without the key
		}
	}
	return out
}

func TestService_SLAClocksAndAlerts(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withSLA(supportSLA))
	tk := h.open(t, "c1", "", "help")
	h.deliver(t)
	got, _ := h.svc.Get(ctx, tk.ID)
	if !got.Watch.Clocks {
		t.Fatal("a ticket of a team with an SLA is not watched")
	}
	// Opened at 09:00:01: the first response's and the resolution's next alerts, their
	// warnings.
	equal(t, "timers", h.timers(), []string{"first_response warn 09:07:31", "resolution warn 09:45:01"})

	// 09:08: the first response's warning, to the priority group while no one has it.
	h.at(t0.Add(8 * time.Minute))
	h.store.Fire(t0.Add(8 * time.Minute))
	calls := h.deliver(t)
	equal(t, "warning", alerts(calls), []string{`desk.AlertSLA 1 first_response breach=false notify=[UPRIO] escalate=""`})
	calls = h.deliver(t) // the card's refresh: an event of its own
	if !slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "desk.UpdateCard 1") }) {
		t.Errorf("the card was not refreshed at the warning: %q", calls)
	}
	if tm := h.timers(); !slices.Contains(tm, "first_response breach 09:10:01") {
		t.Errorf("the warning did not set the breach's timer: %q", tm)
	}
	h.store.Fire(t0.Add(9 * time.Minute))
	equal(t, "nothing fires twice", alerts(h.deliver(t)), nil)

	// Alice picks it and answers at 09:09: the first response came in time; its breach
	// timer, when it fires, finds the clock stopped.
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	if _, err := h.svc.AgentMessage(ctx, "G1", Message{Direction: FromAgent, Author: alice, Text: "hello", SourceMessageID: "a1", At: t0.Add(9 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	h.at(t0.Add(11 * time.Minute))
	h.store.Fire(t0.Add(11 * time.Minute))
	equal(t, "a satisfied clock's breach is withdrawn", alerts(h.deliver(t)), nil)
	got, _ = h.svc.Get(ctx, tk.ID)
	equal(t, "responded", got.Responded, t0.Add(9*time.Minute))

	// The customer writes at 09:20: the next response is due at 09:25. Two more customer
	// messages before the answer move nothing.
	for i, at := range []time.Duration{20, 21, 22} {
		if _, _, err := h.svc.CustomerMessage(ctx, "webhook", "c1", Message{Text: "?", SourceMessageID: "q" + string(rune('0'+i)), At: t0.Add(at * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	clocks := 0
	for _, ev := range h.store.Drain() {
		if ev.Type == EventClock {
			clocks++
		}
		h.store.Redeliver(ev)
	}
	equal(t, "clock events for three customer messages", clocks, 1)
	h.deliver(t)
	if tm := h.timers(); !slices.Contains(tm, "next_response warn 09:23:45") {
		t.Errorf("next response timers: %q", tm)
	}
	// 09:26: warning and breach together, to Alice; the breach mentions SESC.
	equal(t, "next response alerts", alerts(h.fireAll(t, t0.Add(26*time.Minute))), []string{
		`desk.AlertSLA 1 next_response breach=false notify=[UALICE] escalate=""`,
		`desk.AlertSLA 1 next_response breach=true notify=[UALICE] escalate="SESC"`,
	})
	// A second timer for an alert carried out (a re-arm raced its firing) does nothing.
	dup := Event{ID: "dup", Type: EventSLAAlert, TicketID: tk.ID, At: t0.Add(25 * time.Minute), Clock: SLANextResponse,
		Started: t0.Add(20 * time.Minute), Breach: true}
	if err := h.svc.Handlers()[GroupSLA](ctx, dup); err != nil {
		t.Fatal(err)
	}
	equal(t, "a duplicate alert", alerts(h.log.take()), nil)
	// The card shows the clocks as the desk renders it.
	got, _ = h.svc.Get(ctx, tk.ID)
	equal(t, "alerted", len(got.Alerted), 3)

	// Alice ends it: the resolution's timers find it closed.
	h.svc.End(ctx, tk.ID, alice, "")
	h.deliver(t)
	h.at(t0.Add(2 * time.Hour))
	h.store.Fire(t0.Add(2 * time.Hour))
	equal(t, "a closed ticket's alerts", alerts(h.deliver(t)), nil)
}

func TestService_SLAFollowsTheTeam(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withSLA(supportSLA))
	tk := h.open(t, "c1", technical.Label, "help")
	h.deliver(t)
	if got, _ := h.svc.Get(ctx, tk.ID); got.Watch.Clocks || len(h.timers()) != 0 {
		t.Fatalf("a team without an SLA: watched=%v timers=%q", got.Watch, h.timers())
	}
	h.pick(t, tk.ID, alice)
	h.deliver(t)
	if _, err := h.svc.Transfer(ctx, tk.ID, support.ChannelID, alice); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	got, _ := h.svc.Get(ctx, tk.ID)
	if !got.Watch.Clocks || len(h.timers()) != 2 {
		t.Fatalf("transferred to a team with an SLA: watched=%v timers=%q", got.Watch, h.timers())
	}
	// The card the desk posts there shows the clocks.
	if len(got.Due) != 0 {
		t.Error("Due is stored")
	}
	// Back to a team without one: the clocks are no longer watched.
	h.pick(t, tk.ID, bob)
	h.deliver(t)
	if _, err := h.svc.Transfer(ctx, tk.ID, technical.ChannelID, bob); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	if got, _ := h.svc.Get(ctx, tk.ID); got.Watch.Clocks {
		t.Fatal("still watched in a team without an SLA")
	}
	// Its old timers fire and do nothing.
	h.store.Fire(t0.Add(3 * time.Hour))
	equal(t, "alerts of a team without an SLA", alerts(h.deliver(t)), nil)
}

// TestService_RearmSLA: a policy saved for a team with open tickets times them at once
// (RearmSLA), not from their next change; removed, their clocks are no longer watched
// and their cards lose the due line.
func TestService_RearmSLA(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	a := h.open(t, "c1", "", "help")
	b := h.open(t, "c2", technical.Label, "help")
	h.deliver(t)
	if n, err := h.svc.RearmSLA(ctx, support.ChannelID); err != nil || n != 1 {
		t.Fatalf("RearmSLA without a policy = %d, %v", n, err)
	}
	if calls := deskCalls(h.deliver(t)); len(calls) != 0 || len(h.timers()) != 0 {
		t.Fatalf("no policy saved, yet: calls %q, timers %q", calls, h.timers())
	}

	st, _ := h.svc.Settings(ctx)
	st.SLAs = []SLAPolicy{supportSLA}
	if err := h.svc.UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	if n, err := h.svc.RearmSLA(ctx, support.ChannelID); err != nil || n != 1 {
		t.Fatalf("RearmSLA = %d, %v", n, err)
	}
	calls := h.deliver(t)
	if got, _ := h.svc.Get(ctx, a.ID); !got.Watch.Clocks {
		t.Fatal("the team's open ticket is not watched once its policy is saved")
	}
	if got, _ := h.svc.Get(ctx, b.ID); got.Watch.Clocks {
		t.Fatal("another team's ticket is watched")
	}
	equal(t, "timers", h.timers(), []string{"first_response warn 09:07:31", "resolution warn 09:45:01"})
	if !slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "desk.UpdateCard "+string(a.ID)) }) {
		t.Errorf("the card was not refreshed with its due times: %q", calls)
	}
	// Again: nothing changes.
	if _, err := h.svc.RearmSLA(ctx, support.ChannelID); err != nil {
		t.Fatal(err)
	}
	equal(t, "calls of a second rearm", deskCalls(h.deliver(t)), nil)

	// Removed: no longer watched, the card without due times; the timers do nothing.
	st, _ = h.svc.Settings(ctx)
	st.SLAs = nil
	if err := h.svc.UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RearmSLA(ctx, support.ChannelID); err != nil {
		t.Fatal(err)
	}
	calls = h.deliver(t)
	if got, _ := h.svc.Get(ctx, a.ID); got.Watch.Clocks {
		t.Fatal("still watched once the policy is removed")
	}
	if !slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "desk.UpdateCard "+string(a.ID)) }) {
		t.Errorf("the card still shows due times: %q", calls)
	}
	h.store.Fire(t0.Add(3 * time.Hour))
	equal(t, "alerts once the policy is removed", alerts(h.deliver(t)), nil)
}

// deskCalls keeps the desk's calls of calls.
func deskCalls(calls []string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, "desk.") {
			out = append(out, c)
		}
	}
	return out
}

func TestService_SLAMissingTicketIsPermanent(t *testing.T) {
	h := newHarness(t, withSLA(supportSLA))
	err := h.svc.Handlers()[GroupSLA](context.Background(), Event{ID: "x", Type: EventClock, TicketID: "404"})
	if !IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestSLAPolicy_Report(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, berlin) }
	week, err := ParseWeek("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	p := SLAPolicy{SLA: SLA{Hours: Hours{Zone: "Europe/Berlin", Week: week}}}
	// Opened on Friday the 4th at 16:50, answered on Monday at 09:10, waiting on the
	// customer from 09:20 to 09:40, closed at 10:00.
	tk := &Ticket{CreatedAt: at(4, 16, 50), Responded: at(7, 9, 10), Status: StatusClosed, ClosedAt: at(7, 10, 0),
		Statuses: []StatusChange{{From: StatusActive, To: StatusWaiting, At: at(7, 9, 20)}, {From: StatusWaiting, To: StatusActive, At: at(7, 9, 40)}},
		Alerted:  map[string]bool{"first_response/1/warn": true, "first_response/1/breach": true, "resolution/1/warn": true}}
	got := p.Report(tk)
	want := SLAReport{FirstResponse: 20 * time.Minute, Responded: true, Resolution: 50 * time.Minute, Resolved: true, Breached: []SLAKind{SLAFirstResponse}}
	equal(t, "report", got, want)
	// A team that counts the waiting; and one without a policy, round the clock.
	p.ResolutionRunsPaused = true
	equal(t, "resolution counting the wait", p.Report(tk).Resolution, 70*time.Minute)
	equal(t, "no policy", SLAPolicy{}.Report(tk).FirstResponse, at(7, 9, 10).Sub(at(4, 16, 50)))
	// Open: no resolution yet.
	tk.Status = StatusActive
	if r := p.Report(tk); r.Resolved {
		t.Errorf("an open ticket's resolution: %+v", r)
	}
}

func TestService_Queues(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withSLA(supportSLA))
	// Three support tickets (first replies due 10 minutes after each opens), one technical.
	a := h.open(t, "a", "", "first")
	h.at(t0.Add(time.Minute))
	b := h.open(t, "b", "", "second")
	c := h.open(t, "c", technical.Label, "third")
	d := h.open(t, "d", "", "fourth")
	h.pick(t, b.ID, alice)
	h.pick(t, d.ID, alice)
	h.deliver(t)
	// Alice answers b: its first reply is in, its resolution due in an hour.
	if _, err := h.svc.AgentMessage(ctx, "G"+string(b.ID), Message{Direction: FromAgent, Author: alice, Text: "hi", SourceMessageID: "x"}); err != nil {
		t.Fatal(err)
	}
	h.deliver(t)
	q, err := h.svc.Queues(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ts []*Ticket) (out []ID) {
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	equal(t, "Alice's, soonest due first", ids(q.Mine), []ID{d.ID, b.ID})
	equal(t, "teams", len(q.Teams), 2)
	equal(t, "the support queue", ids(q.Teams[0].Tickets), []ID{a.ID, d.ID, b.ID})
	equal(t, "the technical queue (no SLA: by age)", ids(q.Teams[1].Tickets), []ID{c.ID})
	if len(q.Mine[0].Due) == 0 || q.Mine[0].Due[0].Kind != SLAFirstResponse {
		t.Errorf("due clocks of d: %+v", q.Mine[0].Due)
	}
}
