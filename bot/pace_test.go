package bot

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A channel Slack has not refused is not paced; once it has, its posts go a turn apart
// in the order they came, the cards before the others; a post that does not come back
// for its turn loses its place; a quiet channel goes back to posting freely.
func TestSlackPace(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	p := newSlackPace()
	p.now = func() time.Time { return now }
	for i := range 5 {
		if d := p.wait("C1", fmt.Sprint("free", i), false); d != 0 {
			t.Fatalf("a channel never rate-limited: post %d waits %v", i, d)
		}
	}
	// Slack refuses card-0 and asks for a second: it keeps the first place.
	p.limited("C1", postEvery, "card-0", true, time.Second)
	wait := map[string]time.Duration{}
	for _, k := range []string{"reply-1", "card-1", "reply-2", "card-2"} {
		wait[k] = p.wait("C1", k, k[:4] == "card")
	}
	if d := p.wait("C2", "elsewhere", false); d != 0 {
		t.Errorf("another channel waits %v", d)
	}
	// Slack's Retry-After first; each is told its place as it comes: the cards after the
	// cards already waiting, the rest at the end.
	want := map[string]time.Duration{"reply-1": time.Second + postEvery, "card-1": time.Second + postEvery,
		"reply-2": time.Second + 3*postEvery, "card-2": time.Second + 2*postEvery}
	for k, d := range want {
		if wait[k] != d {
			t.Errorf("%s waits %v, want %v", k, wait[k], d)
		}
	}
	// Coming back early keeps the place and says how much longer.
	now = now.Add(500 * time.Millisecond)
	if d := p.wait("C1", "card-0", true); d != 500*time.Millisecond {
		t.Errorf("card-0 back early waits %v more, want 500ms", d)
	}
	// A card coming now goes after card-2, ahead of the replies.
	if d := p.wait("C1", "card-3", true); d != 500*time.Millisecond+3*postEvery {
		t.Errorf("card-3 waits %v", d)
	}
	now = now.Add(500 * time.Millisecond)
	if d := p.wait("C1", "card-0", true); d != 0 {
		t.Fatalf("card-0 at its turn waits %v", d)
	}
	if d := p.wait("C1", "reply-1", false); d != 4*postEvery {
		t.Errorf("reply-1 waits %v, want four turns (card-1, card-2, card-3, itself)", d)
	}
	// card-1 does not come back: past paceLate the line goes on without it.
	now = now.Add(postEvery + paceLate + time.Millisecond)
	if d := p.wait("C1", "card-2", true); d != 0 {
		t.Errorf("card-2 after card-1 left waits %v", d)
	}
	if d := p.wait("C1", "card-1", true); d == 0 {
		t.Error("card-1, back late, went ahead of the line")
	}
	// Quiet for paceQuiet after the last turn: free again.
	now = now.Add(10*postEvery + paceQuiet + paceLate)
	for i := range 3 {
		if d := p.wait("C1", fmt.Sprint("later", i), false); d != 0 {
			t.Errorf("a quiet channel: post %d waits %v", i, d)
		}
	}
	if len(p.lines) != 0 {
		t.Errorf("%d channel lines kept after they went quiet", len(p.lines))
	}
}

// Once Slack rate-limits posting in a ticketing channel, the Desk does not ask Slack again
// before the turn comes: the next post waits in line without a call, and a card waiting
// goes before a customer's message under another card.
func TestDesk_PostsWaitTheirTurnAfterA429(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, Config{})
	first := w.pending(t, "T-1")
	w.tk.add(tickets.Ticket{ID: "T-2", Source: "webhook", Customer: tickets.Customer{Name: "Dora"},
		Team: tickets.Team{ChannelID: w.support.ID, Label: "Support Team"}, Status: tickets.StatusPending})
	t1, t2 := w.tk.ticket("T-1"), w.tk.ticket("T-2")
	t1.Card = tickets.Card{Channel: w.support.ID, TS: first.TS}
	ctx := context.Background()
	w.sim.RateLimit("chat.postMessage", 1, time.Second)
	_, err := w.desk.PostCard(ctx, &t2, t2.Team, nil, "card:T-2")
	if d, ok := tickets.RetryAfter(err); !ok || d != time.Second {
		t.Fatalf("PostCard under a 429: %v, want a wait of Slack's 1s", err)
	}
	calls := len(w.sim.Calls("chat.postMessage"))
	msg := tickets.Message{ID: "m1", Direction: tickets.FromCustomer, Text: "hello?"}
	err = w.desk.Post(ctx, &t1, msg, tickets.PlaceCard, "msg:m1")
	replyWait, ok := tickets.RetryAfter(err)
	if !ok {
		t.Fatalf("a post in the rate-limited channel: %v, want a wait", err)
	}
	var refused *refusedPost
	if !errors.As(err, &refused) || refused.key != "msg:m1" {
		t.Errorf("the wait %v does not say that nothing was posted", err)
	}
	// The card, back for its turn, goes first; the reply waits one more turn.
	time.Sleep(time.Second)
	cctx := tickets.WithLastError(tickets.WithRetry(ctx), &refusedPost{key: "card:T-2", err: errors.New("429")})
	if _, err := w.desk.PostCard(cctx, &t2, t2.Team, nil, "card:T-2"); err != nil {
		t.Fatalf("the card at its turn: %v", err)
	}
	if replyWait < time.Second+postEvery-100*time.Millisecond {
		t.Errorf("the reply was told to wait %v, not a turn behind the card (%v)", replyWait, time.Second+postEvery)
	}
	if got := len(w.sim.Calls("chat.postMessage")); got != calls+1 {
		t.Errorf("chat.postMessage called %d times after the 429, want the card's 1", got-calls)
	}
	w.support.ExpectMessage("Dora", "Pending")
}

// A method Slack rate-limited (chat.update, Tier 3) waits in line too: the next card
// update is not sent before its turn.
func TestDesk_UpdatesWaitTheirTurnAfterA429(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, Config{})
	card := w.pending(t, "T-1")
	tk := w.tk.ticket("T-1")
	c := tickets.Card{Channel: w.support.ID, TS: card.TS}
	w.sim.RateLimit("chat.update", 1, time.Second)
	ctx := context.Background()
	if _, ok := tickets.RetryAfter(w.desk.UpdateCard(ctx, &tk, c, "upd:1")); !ok {
		t.Fatal("UpdateCard under a 429: no wait asked for")
	}
	calls := len(w.sim.Calls("chat.update"))
	d, ok := tickets.RetryAfter(w.desk.UpdateCard(ctx, &tk, c, "upd:2"))
	if !ok || d < time.Second+tier3Every-100*time.Millisecond {
		t.Errorf("another update right after: wait %v (%v), want behind the first in line", d, ok)
	}
	if got := len(w.sim.Calls("chat.update")); got != calls {
		t.Errorf("chat.update called %d more times while Slack's limit lasted", got-calls)
	}
}
