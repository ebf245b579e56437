package bot

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// ✅ marks keep to their pace (Slack's Tier 3 for reactions.add): past the burst, a mark
// waits its turn, and one whose context ends before it makes no call. A ❌ never waits
// behind them.
func TestDesk_MarksKeepPace(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, Config{})
	inbox := w.active(t, "T-1", w.alice)
	w.desk.marks = rate.NewLimiter(rate.Every(time.Hour), 2)
	ctx := context.Background()
	mark := func(ctx context.Context, typ tickets.EventType, ts string) error {
		m := tickets.Message{ID: "m-" + ts, Direction: tickets.FromAgent, SourceMessageID: ts}
		return w.desk.MarkDelivery(ctx, "T-1", inbox.ID, tickets.Event{Type: typ, TicketID: "T-1", Message: &m, Reason: "blocked"}, "k-"+ts)
	}
	var msgs []*slacktest.Message
	for _, text := range []string{"one", "two", "three", "four"} {
		msgs = append(msgs, w.alice.Post(inbox, text))
	}
	for _, m := range msgs[:2] {
		if err := mark(ctx, tickets.EventDelivered, m.TS); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := mark(short, tickets.EventDelivered, msgs[2].TS); err == nil {
		t.Error("a mark past the pace went out at once")
	}
	if err := mark(ctx, tickets.EventFailed, msgs[3].TS); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range w.sim.Calls("reactions.add") {
		names = append(names, c.Params["name"])
	}
	if len(names) != 3 || names[2] != reactionFailed {
		t.Errorf("reactions.add calls %v, want two ✅ then the ❌", names)
	}
	for i, name := range []string{reactionDelivered, reactionDelivered, "", reactionFailed} {
		if name == "" {
			continue
		}
		msg := msgs[i]
		msg.ExpectReaction(name)
		if name == reactionFailed {
			msg.ExpectReply("Not delivered", "blocked")
		}
	}
}
