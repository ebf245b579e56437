package tickets_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// acme is a channel shared with Acme, whose requests go to the support team.
var acme = CustomerChannel{Channel: "CACME", Team: support.ChannelID, Customer: "Acme", Domain: "acme.com"}

func withCustomerChannels(cc ...CustomerChannel) func(*Config) {
	return func(c *Config) {
		c.Initial.CustomerChannels = cc
		c.Sources[SourceSlack] = c.Sources["webhook"]
	}
}

// dana is a person of Acme's.
var dana = Customer{ID: "UDANA", Name: "Dana"}

// post is what dana writes in acme's channel at ts (in thread, when set).
func (h *harness) post(t *testing.T, ts, thread, text string) ChannelOutcome {
	t.Helper()
	c := dana
	out, err := h.svc.ChannelPost(context.Background(), ChannelPost{Channel: acme.Channel, TS: ts, ThreadTS: thread,
		Requester: &c, Text: text, At: h.now()})
	if err != nil {
		t.Fatalf("post %s %q: %v", ts, text, err)
	}
	return out
}

// now is the harness clock's next reading.
func (h *harness) now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clock = h.clock.Add(time.Second)
	return h.clock
}

// TestService_ChannelPost: in a customer channel a requester's top-level message opens a
// ticket for its thread, routed to the channel's team, showing their organisation; quick
// follow-ups join it, as do replies in either's thread; a greeting alone opens nothing,
// nor does a reply in a thread that is no request, nor an agent's message; after the
// grouping window a message is a new request; a reply in a closed request's thread opens
// it again.
func TestService_ChannelPost(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withCustomerChannels(acme))

	if out := h.post(t, "100.1", "", "hi there 👋"); out.Ignored != IgnoredGreeting {
		t.Fatalf("a greeting: %+v", out)
	}
	out := h.post(t, "100.2", "", "Our export fails with a 500")
	if !out.Opened {
		t.Fatalf("a request opened nothing: %+v", out)
	}
	tk, _ := h.svc.Get(ctx, out.State.ID)
	equal(t, "conversation", tk.ConversationID, "CACME/100.2")
	equal(t, "source", tk.Source, SourceSlack)
	equal(t, "team", tk.Team, support)
	equal(t, "opening", tk.Opening, "Our export fails with a 500")
	equal(t, "organisation", tk.Customer.Fields["organisation"], "Acme")
	equal(t, "domain", tk.Customer.Fields["domain"], "acme.com")
	equal(t, "requester", tk.Customer.ID, "UDANA")

	// A follow-up within the window joins it; so do replies in its thread, and in the
	// first message's.
	if out := h.post(t, "100.3", "", "and the logs say timeout"); !out.Added || out.State.ID != tk.ID {
		t.Fatalf("a quick follow-up: %+v", out)
	}
	if out := h.post(t, "100.4", "100.3", "here is more"); !out.Added || out.State.ID != tk.ID {
		t.Fatalf("a reply to the follow-up: %+v", out)
	}
	if out := h.post(t, "100.5", "100.2", "any news?"); !out.Added || out.State.ID != tk.ID {
		t.Fatalf("a reply to the request: %+v", out)
	}
	// Again, as Slack may send it twice: nothing added.
	if out := h.post(t, "100.5", "100.2", "any news?"); out.Added {
		t.Fatalf("a message taken twice: %+v", out)
	}
	msgs, _ := h.svc.Transcript(ctx, tk.ID)
	if len(msgs) != 4 {
		t.Fatalf("transcript has %d messages, want 4: %+v", len(msgs), msgs)
	}
	// Thanks alone in the window join the request too: they are part of it.
	if out := h.post(t, "100.6", "", "thanks!"); !out.Added {
		t.Fatalf("thanks within the window: %+v", out)
	}

	// A reply in a thread that is no request opens nothing, nor does an agent's message.
	if out := h.post(t, "100.7", "99.9", "what about this?"); out.Ignored != IgnoredThread {
		t.Fatalf("a reply elsewhere: %+v", out)
	}
	if out, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: "100.8", Agent: alice, Text: "looking"}); err != nil || out.Ignored != IgnoredAgent {
		t.Fatalf("an agent's message: %+v, %v", out, err)
	}
	// Asked for (🎫, the shortcut), that reply is a request.
	c := dana
	if out, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: "100.7", ThreadTS: "99.9", Requester: &c,
		Text: "what about this?", Ask: true, At: h.now()}); err != nil || !out.Opened {
		t.Fatalf("a reply asked for: %+v, %v", out, err)
	}

	// After the window, a top-level message is a request of its own.
	h.at(h.now().Add(10 * time.Minute))
	second := h.post(t, "200.1", "", "Another problem: SSO")
	if !second.Opened || second.State.ID == tk.ID {
		t.Fatalf("after the window: %+v", second)
	}
	// Slack sends the first request's messages again, now: each goes where it went, once.
	for _, ts := range []string{"100.2", "100.3"} {
		if out := h.post(t, ts, "", "again"); out.Added || out.Opened || out.State.ID != tk.ID {
			t.Fatalf("message %s sent again: %+v", ts, out)
		}
	}
	if msgs, _ := h.svc.Transcript(ctx, second.State.ID); len(msgs) != 1 {
		t.Fatalf("the second request took messages of the first: %+v", msgs)
	}

	// Not a customer channel: ErrNotFound, nothing changes.
	if _, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: "COTHER", TS: "1.1", Requester: &c, Text: "x"}); err == nil {
		t.Fatal("a post in another channel was taken")
	}

	// Closed, the request's thread opens it again.
	h.pick(t, tk.ID, alice)
	if _, err := h.svc.End(ctx, tk.ID, alice, ""); err != nil {
		t.Fatal(err)
	}
	again := h.post(t, "300.1", "100.2", "it fails again")
	if !again.Opened {
		t.Fatalf("a reply to a closed request: %+v", again)
	}

	// Thanks after the latest request closed, within its window: nothing, even sent twice.
	h.pick(t, second.State.ID, alice)
	if _, err := h.svc.End(ctx, second.State.ID, alice, ""); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{IgnoredGreeting, IgnoredTaken} {
		if out := h.post(t, "400.1", "", "thanks a lot!"); out.Ignored != want {
			t.Fatalf("thanks after the close (sent %d times): %+v", i+1, out)
		}
	}
}

// TestService_ChannelAnswer: a customer channel's request is answered in its thread. Its
// pick opens no inbox channel (the card says who has it, the source is told); the
// customer's messages are not relayed anywhere; an agent's reply in the thread is the
// ticket's agent message, its first response, which needs no delivery, even before the
// pick; an agent's top-level message or a reply in another thread is no answer.
func TestService_ChannelAnswer(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withCustomerChannels(acme), withSLA(supportSLA))
	out := h.post(t, "100.1", "", "Our export fails")
	h.deliver(t)
	answer := func(ts, thread, text string) ChannelOutcome {
		t.Helper()
		out, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: ts, ThreadTS: thread, Agent: alice, Text: text, At: h.now()})
		if err != nil {
			t.Fatalf("answer %s: %v", ts, err)
		}
		return out
	}
	if got := answer("100.2", "100.1", "Looking into it"); !got.Added || got.State.ID != out.State.ID {
		t.Fatalf("an agent's reply in the request's thread: %+v", got)
	}
	calls := h.deliver(t)
	for _, c := range calls {
		if strings.HasPrefix(c, "source.Deliver") || strings.HasPrefix(c, "desk.Post") {
			t.Errorf("an answer in the thread was delivered or posted: %q", c)
		}
	}
	tk, _ := h.svc.Get(ctx, out.State.ID)
	if tk.Responded.IsZero() {
		t.Error("the agent's reply in the thread is no first response")
	}
	if got := answer("100.2", "100.1", "Looking into it"); got.Added {
		t.Fatal("an answer taken twice")
	}
	for _, o := range []ChannelOutcome{answer("100.3", "", "lunch?"), answer("100.4", "99.9", "elsewhere")} {
		if o.Ignored != IgnoredAgent {
			t.Errorf("an agent's message that answers no request: %+v", o)
		}
	}

	h.pick(t, out.State.ID, alice)
	h.post(t, "100.5", "100.1", "thanks, and now?")
	calls = h.deliver(t)
	for _, c := range calls {
		if strings.HasPrefix(c, "desk.OpenInbox") || strings.HasPrefix(c, "desk.Post") {
			t.Errorf("a request answered in its thread got an inbox or a relay: %q", c)
		}
	}
	if !slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "source.Deliver "+string(out.State.ID)+" accepted") }) {
		t.Errorf("the source was not told of the pick: %q", calls)
	}
	msgs, _ := h.svc.Transcript(ctx, out.State.ID)
	var dirs []Direction
	for _, m := range msgs {
		dirs = append(dirs, m.Direction)
	}
	equal(t, "directions", dirs, []Direction{FromCustomer, FromAgent, FromCustomer})
	// Edits and deletions in the thread change the transcript and tell no one.
	if got, err := h.svc.ChannelChange(ctx, acme.Channel, "100.1", MessageChange{SourceMessageID: "100.2", Text: "Looking into it now"}); err != nil || !got.Changed {
		t.Fatalf("the agent's edit = %+v, %v", got, err)
	}
	if got, err := h.svc.ChannelChange(ctx, acme.Channel, "", MessageChange{SourceMessageID: "100.1", Text: "Our export fails (v2)"}); err != nil || !got.Changed {
		t.Fatalf("the customer's edit of the request = %+v, %v", got, err)
	}
	if got, err := h.svc.ChannelChange(ctx, acme.Channel, "100.1", MessageChange{SourceMessageID: "100.5", Delete: true}); err != nil || !got.Changed {
		t.Fatalf("the customer's deletion = %+v, %v", got, err)
	}
	if _, err := h.svc.ChannelChange(ctx, acme.Channel, "", MessageChange{SourceMessageID: "77.7", Text: "x"}); err == nil {
		t.Error("a change of a message that is no request's was taken")
	}
	for _, c := range h.deliver(t) {
		if strings.HasPrefix(c, "desk.ShowChange") || strings.HasPrefix(c, "source.") {
			t.Errorf("a change in the thread was shown or delivered: %q", c)
		}
	}

	// A reply under its card is the team's note; under another message, nothing.
	tk, _ = h.svc.Get(ctx, out.State.ID)
	note := Message{Author: bob, Text: "a known bug", SourceMessageID: "500.1", At: h.now()}
	if st, added, err := h.svc.CardReply(ctx, tk.Card.Channel, tk.Card.TS, note); err != nil || !added || st.ID != tk.ID {
		t.Fatalf("a reply under the card = %+v, %v, %v", st, added, err)
	}
	if _, added, _ := h.svc.CardReply(ctx, tk.Card.Channel, tk.Card.TS, note); added {
		t.Error("a note taken twice")
	}
	if _, _, err := h.svc.CardReply(ctx, tk.Card.Channel, "1.1", note); err == nil {
		t.Error("a reply under another message was taken")
	}
	if msgs, _ := h.svc.Transcript(ctx, tk.ID); msgs[len(msgs)-1].Direction != Internal || msgs[len(msgs)-1].Author.ID != bob.ID {
		t.Errorf("the note in the transcript: %+v", msgs[len(msgs)-1])
	}
	if got, err := h.svc.ChannelTicket(ctx, acme.Channel, "100.5", "100.1"); err != nil || got.ID != out.State.ID {
		t.Errorf("ChannelTicket of a reply = %v, %v", got, err)
	}
	if got, err := h.svc.ChannelTicket(ctx, tk.Card.Channel, tk.Card.TS, ""); err != nil || got.ID != out.State.ID {
		t.Errorf("ChannelTicket of the card = %v, %v", got, err)
	}
	if _, err := h.svc.ChannelTicket(ctx, acme.Channel, "99.9", ""); err == nil {
		t.Error("ChannelTicket of a thread that is no request found one")
	}
}

// TestService_ChannelRating: a customer channel's request shows its state by reactions
// (the team's own, else 👀 and ✅; a reopen takes the ✅ off); only its requester rates
// it, by a button (RateAs) or a reply of 1 to 5 in its thread: anyone else's "5" there is
// a message, which reopens it.
func TestService_ChannelRating(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withCustomerChannels(acme), withRatingWindow(time.Hour), withSLA(reopening))
	out := h.post(t, "100.1", "", "Our export fails")
	h.deliver(t)
	id := out.State.ID
	h.pick(t, id, alice)
	if calls := h.deliver(t); !slices.ContainsFunc(calls, func(c string) bool { return strings.HasSuffix(c, " +:eyes:") }) {
		t.Errorf("the pick shows no 👀: %q", calls)
	}
	if _, err := h.svc.End(ctx, id, alice, ""); err != nil {
		t.Fatal(err)
	}
	if calls := h.deliver(t); !slices.ContainsFunc(calls, func(c string) bool {
		return strings.HasPrefix(c, "source.Deliver "+string(id)+" ended") && strings.HasSuffix(c, " +:white_check_mark:")
	}) {
		t.Errorf("the end shows no ✅: %q", calls)
	}

	conv := ChannelConversation(acme.Channel, "100.1")
	_, err := h.svc.RateAs(ctx, SourceSlack, conv, "UEVE", 1)
	wantErr(t, err, ErrNotRequester)
	if tk, err := h.svc.RateAs(ctx, SourceSlack, conv, dana.ID, 4); err != nil || tk.ID != id || tk.CSAT.Rating != 4 {
		t.Fatalf("the requester's rating: %+v, %v", tk, err)
	}
	eve := Customer{ID: "UEVE", Name: "Eve"}
	other, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: "100.9", ThreadTS: "100.1", Requester: &eve, Text: "5", At: h.now()})
	if err != nil || other.Rated || !other.Reopened {
		t.Fatalf("another's 5 in the thread: %+v, %v", other, err)
	}
	if tk, _ := h.svc.Get(ctx, id); tk.CSAT == nil || tk.CSAT.Rating != 4 {
		t.Fatalf("another's 5 changed the rating: %+v", tk.CSAT)
	}
	if calls := h.deliver(t); !slices.ContainsFunc(calls, func(c string) bool {
		return strings.HasPrefix(c, "source.Deliver "+string(id)+" accepted") && strings.HasSuffix(c, " -:white_check_mark: +:eyes:")
	}) {
		t.Errorf("the reopen does not take the ✅ off: %q", calls)
	}

	// The team's own reactions; one that is no emoji's name is refused.
	st, _ := h.svc.Settings(ctx)
	st.StatusReactions = StatusReactions{Picked: "raising_hand", Closed: "done"}
	if err := h.svc.UpdateSettings(ctx, *st); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.End(ctx, id, alice, ""); err != nil {
		t.Fatal(err)
	}
	if calls := h.deliver(t); !slices.ContainsFunc(calls, func(c string) bool { return strings.HasSuffix(c, " +:done:") }) {
		t.Errorf("the end shows not the team's reaction: %q", calls)
	}
	st.StatusReactions.Picked = ":eyes:"
	wantErr(t, h.svc.UpdateSettings(ctx, *st), ErrInvalid)
}

// TestService_ChannelReplay: a message read back from history (a catch-up) is taken
// when it was not before, and not again when it was, whatever came of it then (a
// greeting ignored stays ignored even though a request by the same person is open now).
// A catch-up reads from lookback before the trouble, or from the channel's latest message
// taken live when that is older, never more than MaxCatchUp back; the open requests'
// threads are listed by channel.
func TestService_ChannelReplay(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, withCustomerChannels(acme))
	replay := func(ts, thread, text string) ChannelOutcome {
		t.Helper()
		c := dana
		out, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: ts, ThreadTS: thread, Requester: &c, Text: text, At: h.now(), Replay: true})
		if err != nil {
			t.Fatalf("replay %s: %v", ts, err)
		}
		return out
	}
	h.post(t, "100.1", "", "hi all")
	first := h.post(t, "100.2", "", "Our export fails")
	if out := replay("100.1", "", "hi all"); out.Ignored != IgnoredTaken {
		t.Fatalf("a greeting taken live, read back: %+v", out)
	}
	if out := replay("100.2", "", "Our export fails"); out.Ignored != IgnoredTaken {
		t.Fatalf("a request taken live, read back: %+v", out)
	}
	// Never taken (its event was lost): taken now, once.
	if out := replay("100.3", "100.2", "the id is 42"); !out.Added || out.State.ID != first.State.ID {
		t.Fatalf("a lost reply read back: %+v", out)
	}
	if out := replay("100.3", "100.2", "the id is 42"); out.Ignored != IgnoredTaken {
		t.Fatalf("read back twice: %+v", out)
	}
	if msgs, _ := h.svc.Transcript(ctx, first.State.ID); len(msgs) != 2 {
		t.Fatalf("transcript: %+v", msgs)
	}
	// Slack sends a message read back again: taken already, where it went.
	if out := h.post(t, "100.3", "100.2", "the id is 42"); out.Ignored != IgnoredTaken || out.State.ID != first.State.ID {
		t.Fatalf("a message read back, then sent by Slack: %+v", out)
	}
	if left, err := h.svc.NotTaken(ctx, acme.Channel, []string{"100.1", "100.3", "100.4", "100.5"}); err != nil || !slices.Equal(left, []string{"100.4", "100.5"}) {
		t.Fatalf("not taken = %q, %v", left, err)
	}
	// A reply read back that was written before its request closed (taken by a version
	// that noted nothing) reopens nothing.
	h.pick(t, first.State.ID, alice)
	if _, err := h.svc.End(ctx, first.State.ID, alice, ""); err != nil {
		t.Fatal(err)
	}
	c := dana
	old, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: "100.4", ThreadTS: "100.2", Requester: &c, Text: "written before",
		At: time.Unix(0, 0).Add(time.Hour), Replay: true})
	if err != nil || old.Ignored != IgnoredBefore {
		t.Fatalf("a reply written before the close, read back: %+v, %v", old, err)
	}
	// One written after the close (its event lost) opens the request again.
	late, err := h.svc.ChannelPost(ctx, ChannelPost{Channel: acme.Channel, TS: "100.5", ThreadTS: "100.2", Requester: &c, Text: "it fails again",
		At: h.now().Add(time.Minute), Replay: true})
	if err != nil || !late.Opened {
		t.Fatalf("a reply written after the close, read back: %+v, %v", late, err)
	}

	threads, err := h.svc.OpenThreads(ctx)
	if err != nil || !slices.Equal(threads[acme.Channel], []string{"100.2"}) { // open again
		t.Fatalf("open threads = %v, %v", threads, err)
	}

	// From lookback before the trouble; from the latest message taken live when older
	// (a read-back one does not count); never more than MaxCatchUp ago.
	now := h.now()
	ts := func(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) + ".000000" }
	from := func(channel string) string {
		t.Helper()
		f, err := h.svc.CatchUpFrom(ctx, channel, now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	equal(t, "from, no message taken", from("COTHER"), ts(now.Add(-time.Minute)))
	h.post(t, ts(now.Add(-2*time.Hour)), "", "an old one")
	replay(ts(now.Add(-3*time.Hour)), "", "an older one, read back")
	equal(t, "from, the latest taken live", from(acme.Channel), ts(now.Add(-2*time.Hour)))
	h.post(t, ts(now.Add(-48*time.Hour)), "", "a very old one")
	if f := from(acme.Channel); f < ts(now.Add(-MaxCatchUp-time.Minute)) {
		t.Errorf("from %s: more than MaxCatchUp back", f)
	}
	h.post(t, ts(now), "", "a new one")
	equal(t, "from, lookback", from(acme.Channel), ts(now.Add(-time.Minute)))
	// Where the last catch-up got to, when older, whatever was taken live since.
	if err := h.svc.CaughtUp(ctx, acme.Channel, ts(now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	equal(t, "from, caught up", from(acme.Channel), ts(now.Add(-time.Hour)))
	wantErr(t, h.svc.CaughtUp(ctx, acme.Channel, "yesterday"), ErrInvalid)
}
