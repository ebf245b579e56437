package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Agents' messages reach the customer in the order they were written in the inbox
// channel, Slack's ts order. Slack sends a channel's message events in that order, and
// the relay takes each channel's messages one at a time (serial.go), so ordinarily the
// order holds by itself. It breaks when a Socket Mode connection ends (a crash, a network
// drop, a refresh, a replica killed or stopped) with an agent's message in flight: Slack sends that
// one again only after a while (seconds, up to minutes), and the agent's next messages,
// arriving on another connection at once, would overtake it.
//
// So whenever a connection may have ended with events in flight (trouble: this process's
// connection ended or came up, Slack sent an event again, or another replica said so or
// stopped beating; a replica that stops cleanly says so before its connection closes,
// handOff), each inbox channel is due a check until its history has been read
// past that moment: before the channel's next top-level agent message is relayed, its
// history is read and the agents' messages the ticket service does not have yet are
// relayed first, in ts order. The late event, when it comes, is recognised by its ts and
// not relayed twice. A message lost in the trouble was written before it, so checks stop
// as soon as the channel's history has been read past the trouble.
//
// A check costs one conversations.history call (Tier 3). When Slack rate-limits it, the
// relay does not wait: channels are relayed unchecked until the limit lifts (a late
// message then arrives when Slack sends it again; nothing is lost).

// SocketEpochs is shared by the replicas: a counter each of them raises when one of the
// app's Socket Mode connections may have ended with events in flight, and their
// heartbeats, so that one that dies without a word raises it too.
type SocketEpochs interface {
	// BumpSocketEpoch raises the counter and returns its new value.
	BumpSocketEpoch(ctx context.Context) (int64, error)
	// BeatSocket records that member is alive at now, raises the counter when another
	// member's latest heartbeat is more than stale old, and returns the counter and how
	// many members are alive.
	BeatSocket(ctx context.Context, member string, now time.Time, stale time.Duration) (epoch int64, alive int, err error)
	// SocketUnheard returns how many members other than member have not read epoch (or
	// a later one) at a heartbeat yet.
	SocketUnheard(ctx context.Context, member string, epoch int64) (int, error)
	// LeaveSocket forgets member, which stops cleanly.
	LeaveSocket(ctx context.Context, member string) error
}

// gapHistoryPages bounds how many pages of history (gapPageSize messages each) one check
// reads, newest first.
const (
	gapHistoryPages = 3
	gapPageSize     = 200
)

// heartbeat is how often a replica says it is alive and reads the shared epoch;
// heartbeatStale is how old another's latest heartbeat may be before it counts as dead.
const (
	heartbeat      = 500 * time.Millisecond
	heartbeatStale = 2 * time.Second
)

// handOver bounds how long a replica that joins or stops cleanly waits, after it raised
// the epoch, for each of the others to have read it at a heartbeat (one that has not by
// then is dead, and its silence raises the epoch anyway); it asks every handOverPoll.
const (
	handOver     = heartbeatStale + heartbeat
	handOverPoll = heartbeat / 10
)

// historyTries is how many times a check reads history when Slack fails (5xx, network),
// backing off from historyBackoff, before it lets the message go unchecked.
const (
	historyTries   = 4
	historyBackoff = 100 * time.Millisecond
)

// gapMargin covers the difference between Slack's clock (a message's ts) and ours, and
// the last writes Slack makes to a connection that is already ending.
const gapMargin = time.Second

// gapForget is how long a channel's checked point is kept after it was reached.
const gapForget = time.Hour

// gaps tracks which inbox channels are due a check. A connection that may have ended with
// events in flight (trouble) can only have taken messages written before it ended; so a
// channel is due until its history has been read past the latest trouble (and
// gapMargin): checks stop as soon as the channel's messages are newer than the trouble.
type gaps struct {
	mu       sync.Mutex
	trouble  time.Time         // the latest trouble; zero before the first connection
	checked  map[string]string // channel → the ts up to which its history was read and relayed
	cooldown time.Time         // Slack rate-limited conversations.history until then
	now      func() time.Time
}

func newGaps() *gaps { return &gaps{checked: map[string]string{}, now: time.Now} }

// troubled records that a connection may have ended with events in flight just now.
func (g *gaps) troubled() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trouble = g.now()
	old := slackTS(g.trouble.Add(-gapForget))
	for ch, upTo := range g.checked {
		if compareTS(upTo, old) < 0 {
			delete(g.checked, ch)
		}
	}
}

// due reports whether channel must be checked before its next top-level agent message,
// and the ts its history is known to be complete up to ("" when not known). A channel is
// never due while history is rate-limited.
func (g *gaps) due(channel string) (bool, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.trouble.IsZero() || g.now().Before(g.cooldown) {
		return false, ""
	}
	upTo := g.checked[channel]
	return upTo == "" || compareTS(upTo, slackTS(g.trouble.Add(gapMargin))) < 0, upTo
}

// done records that channel's history was read and relayed up to ts upTo.
func (g *gaps) done(channel, upTo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if compareTS(upTo, g.checked[channel]) > 0 {
		g.checked[channel] = upTo
	}
}

// limited stops checks until d has passed.
func (g *gaps) limited(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cooldown = g.now().Add(d)
}

// connectionsChanged is called when a connection of the app may have ended with events
// in flight (this one ended or came up, or Slack sent an event again): every channel here
// is due a check, and so is every channel of the other replicas.
//
// Customer channels catch up from their history (catchup.go): one replica does it for a
// raised epoch (the one that claims it), this one alone when the epoch cannot be raised.
func (b *Bot) connectionsChanged(ctx context.Context, why string) {
	b.gaps.troubled()
	if b.cfg.Epochs == nil {
		b.catchUpSoon(0, "")
		return
	}
	if why == "connected" && b.joinRaised.Swap(false) {
		// join told the others just now, and an earlier connection of this process there
		// was none.
		b.epochMu.Lock()
		n := b.sharedEpoch
		b.epochMu.Unlock()
		b.catchUpSoon(n, "")
		return
	}
	b.go_(ctx, func(ctx context.Context) {
		n, ok := b.raise(ctx, why)
		if !ok {
			n = 0
		}
		b.catchUpSoon(n, "")
	})
}

// raise raises the shared epoch and returns its new value; false when Redis could not
// be told (logged).
func (b *Bot) raise(ctx context.Context, why string) (int64, bool) {
	n, err := b.cfg.Epochs.BumpSocketEpoch(ctx)
	if err != nil {
		b.log.Warn("cannot tell the other replicas to check message order", zap.String("why", why), zap.Error(err))
		return 0, false
	}
	b.epochMu.Lock()
	b.sharedEpoch = max(b.sharedEpoch, n)
	b.epochMu.Unlock()
	return n, true
}

// join sends this replica's first heartbeat before its connection opens and reports
// whether Redis answered. When other replicas beat, it raises the epoch and waits until
// each of them has read it (handOver): by then each counts this replica too, so agents'
// messages settle (Replicas) before Slack sends this one any event.
func (b *Bot) join(ctx context.Context) bool {
	if b.cfg.Epochs == nil || !b.beat(ctx, false) {
		return false
	}
	if b.Replicas() > 1 && b.raiseAndWait(ctx, "joining") {
		b.joinRaised.Store(true)
	}
	return true
}

// handOff is a clean stop's first step, taken while the connection is still open: the
// events on their way over it when it closes come again only after a while, and the
// agents' messages written after them go to the other replicas meanwhile. So it raises
// the shared epoch and, while it goes on taking events, waits until each of the others
// has read it (handOver): by the time the connection closes, they check a channel's
// order before they relay its next agent message.
//
// A replica that read the epoch is due checks until it has read its channels' history
// past that moment and gapMargin; so when the others took longer than half that margin
// to read it, it raises the epoch once more.
func (b *Bot) handOff(ctx context.Context) {
	if b.cfg.Epochs == nil {
		return
	}
	for range 2 {
		began := time.Now()
		b.raiseAndWait(ctx, "stopping")
		if time.Since(began) < gapMargin/2 {
			return
		}
	}
}

// raiseAndWait raises the shared epoch and waits, at most handOver, until every other
// replica has read it. It reports whether the epoch was raised.
func (b *Bot) raiseAndWait(ctx context.Context, why string) bool {
	n, ok := b.raise(ctx, why)
	if !ok {
		return false
	}
	deadline := time.Now().Add(handOver)
	t := time.NewTicker(handOverPoll)
	defer t.Stop()
	for {
		unheard, err := b.cfg.Epochs.SocketUnheard(ctx, b.member, n)
		if err == nil && unheard == 0 {
			return true
		}
		if time.Now().After(deadline) {
			b.log.Warn("other replicas did not read the socket epoch in time", zap.String("why", why),
				zap.Int("unheard", unheard), zap.Error(err))
			return true
		}
		select {
		case <-ctx.Done():
			return true
		case <-t.C:
		}
	}
}

// watchEpochs sends this replica's heartbeats and follows the shared epoch until ctx
// ends, making every channel due a check when it was raised elsewhere (another replica
// lost a connection, stopped, or died); then it leaves. joined says whether join's
// heartbeat read the epoch already.
func (b *Bot) watchEpochs(ctx context.Context, joined bool) {
	if b.cfg.Epochs == nil {
		return
	}
	defer func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := b.cfg.Epochs.LeaveSocket(lctx, b.member); err != nil {
			b.log.Warn("leave the replicas' heartbeats", zap.Error(err))
		}
	}()
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	// The first reading only says where the epoch stands: this replica's own first
	// connection makes every channel due anyway.
	known := joined
	for {
		if joined {
			joined = false // join beat just now
		} else if b.beat(ctx, known) {
			known = true
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// beat sends one heartbeat and reads how many replicas beat and the shared epoch; when
// known (an earlier reading said where the epoch stood) and the epoch was raised since,
// every channel is due a check. It reports whether Redis answered (its errors are
// reported where they matter).
func (b *Bot) beat(ctx context.Context, known bool) bool {
	n, alive, err := b.cfg.Epochs.BeatSocket(ctx, b.member, time.Now(), heartbeatStale)
	if err != nil {
		return false
	}
	b.replicas.Store(int64(alive))
	b.epochMu.Lock()
	raised := known && n > b.sharedEpoch
	b.sharedEpoch = max(b.sharedEpoch, n)
	b.epochMu.Unlock()
	if raised {
		b.gaps.troubled()
		b.catchUpSoon(n, "")
	}
	return true
}

// fillGap relays, before the top-level agent message of ts in channel, the agents'
// messages of the channel (since the ticket was picked) that the ticket service does not
// have yet, in ts order: those written before it, which Slack may never have sent, and
// any written since, whose events are on their way. It does nothing unless the channel
// is due a check; a failed check is tried again with the channel's next message.
func (b *Bot) fillGap(ctx context.Context, channel, ts string) {
	due, upTo := b.gaps.due(channel)
	if !due {
		return
	}
	n, reached, err := b.relayMissed(ctx, channel, ts, upTo)
	var rl *slack.RateLimitedError
	switch {
	case errors.As(err, &rl):
		b.cfg.Metrics.OrderChecked("rate_limited", n)
		b.gaps.limited(rl.RetryAfter)
		b.log.Warn("message order unchecked: conversations.history is rate-limited", zap.String("channel", channel),
			zap.Duration("for", rl.RetryAfter))
	case err != nil:
		b.cfg.Metrics.OrderChecked("failed", n)
		b.log.Warn("message order unchecked", zap.String("channel", channel), zap.Error(err))
	default:
		b.cfg.Metrics.OrderChecked("ok", n)
		b.gaps.done(channel, reached)
		if n > 0 {
			b.log.Info("relayed agent messages Slack had not sent yet, in order", zap.String("channel", channel), zap.Int("messages", n))
		}
	}
}

// relayMissed does fillGap's work, reading history after upTo (when set) or else since
// the pick. It returns how many messages written before ts it relayed (recovered) and
// the ts up to which the channel's messages are now all relayed.
func (b *Bot) relayMissed(ctx context.Context, channel, ts, upTo string) (relayed int, reached string, err error) {
	began := b.gaps.now()
	t, err := b.tk.ByInbox(ctx, channel)
	if errors.Is(err, tickets.ErrNotFound) {
		return 0, slackTS(began), nil // not an inbox channel
	}
	if err != nil {
		return 0, "", err
	}
	if !t.Status.Picked() || t.PickedAt.IsZero() {
		return 0, "", nil // nothing goes to the customer now; check again later
	}
	transcript, err := b.tk.Transcript(ctx, t.ID)
	if err != nil {
		return 0, "", err
	}
	have := make(map[string]bool, len(transcript))
	for _, m := range transcript {
		if m.Direction == tickets.FromAgent || m.Direction == tickets.Internal {
			have[m.SourceMessageID] = true
		}
	}
	oldest := slackTS(t.PickedAt)
	if compareTS(upTo, oldest) > 0 {
		oldest = upTo
	}
	// Everything written until now: history is complete up to the moment it is read,
	// less what Slack's clock may differ from ours.
	reached = slackTS(began.Add(-gapMargin))
	if compareTS(ts, reached) > 0 {
		reached = ts
	}
	var missed []slack.Message
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: oldest, Limit: gapPageSize}
	for page := 0; page < gapHistoryPages; page++ {
		h, err := b.history(ctx, params)
		if err != nil {
			return 0, "", err
		}
		for _, m := range h.Messages {
			if compareTS(m.Timestamp, reached) > 0 {
				reached = m.Timestamp
			}
			if b.relayableMessage(m.BotID, m.User, m.SubType, m.Text) && !have[m.Timestamp] {
				missed = append(missed, m)
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	slices.SortFunc(missed, func(x, y slack.Message) int { return compareTS(x.Timestamp, y.Timestamp) })
	for _, m := range missed {
		msg := b.agentMessage(ctx, m.User, m.Text, m.Timestamp, m.ThreadTimestamp, m.Files)
		// The agent hears about a message that cannot go out when Slack sends its event.
		err := b.takeAgentMessage(ctx, channel, msg)
		if err != nil && !isOutcome(err) {
			return relayed, "", err
		}
		if err == nil && compareTS(m.Timestamp, ts) < 0 {
			relayed++ // written before the message at hand; later ones are only early
		}
	}
	return relayed, reached, nil
}

// history reads a page of history, trying again with backoff while Slack fails, but
// never waiting out a rate limit (that error is returned at once).
func (b *Bot) history(ctx context.Context, p *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	h, err := slackRead(ctx, false, func() (*slack.GetConversationHistoryResponse, error) {
		return b.api.GetConversationHistoryContext(ctx, p)
	})
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("conversations.history: %w", err)
	}
	return h, err
}

// slackRead calls read, trying again with backoff while Slack fails, historyTries times;
// a rate limit is waited out when waitLimits (a catch-up is in no hurry), else returned
// at once.
func slackRead[T any](ctx context.Context, waitLimits bool, read func() (T, error)) (T, error) {
	wait := historyBackoff
	for try := 1; ; try++ {
		v, err := read()
		if err == nil {
			return v, nil
		}
		var rl *slack.RateLimitedError
		limited := errors.As(err, &rl)
		switch {
		case limited && waitLimits:
			wait = rl.RetryAfter
		case limited, try >= historyTries, tickets.IsPermanent(classify("", err)):
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(wait):
		}
		if !limited {
			wait *= 2
		}
	}
}

// slackTS writes t as a Slack ts ("1700000000.000100").
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// compareTS orders two Slack ts values.
func compareTS(a, b string) int {
	ma, mb := tsMicros(a), tsMicros(b)
	switch {
	case ma < mb:
		return -1
	case ma > mb:
		return 1
	}
	return 0
}

// tsMicros reads a Slack ts as microseconds since the epoch; 0 when it is not one.
func tsMicros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0
	}
	f, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	if err != nil {
		return 0
	}
	return s*1e6 + f
}
