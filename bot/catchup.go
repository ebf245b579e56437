package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A customer channel's message is acknowledged to Slack within storeWait whether or not
// the ticket service has it yet (Slack must not send it again meanwhile), so it can be
// lost after all: when the process dies before it is taken, or when Slack and Redis
// cannot answer for as long as its handler may work. Slack will not send it again. So
// the customer channels catch up from their history:
//
//   - after trouble (a connection of the app may have ended with events in flight, as
//     gaps.go has it: this process connected or lost its connection, Slack sent an event
//     again, another replica stopped or died), one replica reads every customer
//     channel's history from a while before (catchUpLookback) — or from where its last
//     catch-up got to, or its latest message taken live, when that is older
//     (tickets.Service.CatchUpFrom) — and the replies since then in its requests'
//     threads;
//   - when a message could not be taken in its handler's time, its channel catches up.
//
// The messages the ticket service never took go through the same path as an event
// (takePost, in the channel's order), marked as read back (tickets.ChannelPost.Replay);
// once they are taken, the channel is caught up to there (tickets.Service.CaughtUp).

// catchUpDelay is how long a catch-up waits after it was asked for: Slack's own sendings
// again, and the handlers at work, come first; asks meanwhile join it.
const catchUpDelay = 3 * time.Second

// catchUpPages bounds the pages (of catchUpPageSize) a catch-up reads of one channel's
// history, and of one thread's replies.
const (
	catchUpPages    = 5
	catchUpPageSize = 200
)

// catchUpClaim is how long a replica's claim on an epoch's catch-up is kept.
const catchUpClaim = time.Hour

// catchUpRetry is how long a catch-up that failed (Redis or Slack away) waits before it
// is tried again, for the same moment.
const catchUpRetry = 30 * time.Second

// catchUps are the catch-ups asked for and not begun yet, merged: every channel from
// the earliest trouble (with the shared epochs the troubles raised, which one replica
// claims; local when one of them was this replica's own), and single channels from the
// earliest time each was asked for. wake tells the loop.
type catchUps struct {
	mu       sync.Mutex
	all      bool
	local    bool
	epochs   []int64
	since    time.Time
	channels map[string]time.Time
	wake     chan struct{}
}

func newCatchUps() *catchUps {
	return &catchUps{channels: map[string]time.Time{}, wake: make(chan struct{}, 1)}
}

// ask adds a catch-up of every customer channel from a trouble at at (epoch the shared
// epoch it raised, 0 for this replica's own), or of channel alone. It never blocks.
func (c *catchUps) ask(at time.Time, epoch int64, channel string) {
	c.mu.Lock()
	if channel != "" {
		if was, ok := c.channels[channel]; !ok || at.Before(was) {
			c.channels[channel] = at
		}
	} else {
		c.all = true
		c.local = c.local || epoch == 0
		if epoch != 0 {
			c.epochs = append(c.epochs, epoch)
		}
		if c.since.IsZero() || at.Before(c.since) {
			c.since = at
		}
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// take empties c, returning what it held.
func (c *catchUps) take() (all, local bool, epochs []int64, since time.Time, channels map[string]time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all, local, epochs, since, channels = c.all, c.local, c.epochs, c.since, c.channels
	c.all, c.local, c.epochs, c.since, c.channels = false, false, nil, time.Time{}, map[string]time.Time{}
	return all, local, epochs, since, channels
}

// catchUpSoon asks for a catch-up of every customer channel after a trouble just now
// (epoch the shared epoch it raised, 0 for this replica's own), or of channel alone.
func (b *Bot) catchUpSoon(epoch int64, channel string) {
	if b.catchUps != nil { // nil in a Bot made without New (tests of the epochs alone)
		b.catchUps.ask(time.Now(), epoch, channel)
	}
}

// retryCatchUp asks again, catchUpRetry from now, for a catch-up of channel ("" for
// every one) from the trouble at at, by this replica; not once at is more than
// tickets.MaxCatchUp ago (nothing that old is read back).
func (b *Bot) retryCatchUp(at time.Time, channel string) {
	if time.Since(at) > tickets.MaxCatchUp {
		b.log.Warn("customer channels: a catch-up given up, its trouble too long ago", zap.String("channel", channel), zap.Time("trouble", at))
		return
	}
	time.AfterFunc(catchUpRetry, func() { b.catchUps.ask(at, 0, channel) })
}

// catchUpLookback is how long before a trouble a message may have been written whose
// event was lost: its handler may have worked on it for HandlerTimeout, and a dead
// replica is known only heartbeatStale later.
func (b *Bot) catchUpLookback() time.Duration {
	return 2*b.cfg.HandlerTimeout + heartbeatStale
}

// catchUpLoop serves the asks for catch-ups until ctx ends, one catch-up at a time; asks
// made while one runs are merged into the next.
func (b *Bot) catchUpLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.catchUps.wake:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(catchUpDelay):
		}
		b.catchUp(ctx)
	}
}

// catchUp does what was asked: every customer channel from the earliest trouble, when
// one of them was this replica's own or it is the first to claim one of the epochs; and
// the channels asked for by name.
func (b *Bot) catchUp(ctx context.Context) {
	all, local, epochs, since, channels := b.catchUps.take()
	if all {
		claimed := false
		for _, n := range epochs {
			claimed = b.claimCatchUp(ctx, n) || claimed // each claimed, so that the others leave them
		}
		all = local || claimed
	}
	if !all && len(channels) == 0 {
		return
	}
	failed := func(err error, what string) {
		b.log.Warn("customer channels not caught up: "+what+"; trying again soon", zap.Error(err))
		if all {
			b.retryCatchUp(since, "")
		}
		for ch, at := range channels {
			b.retryCatchUp(at, ch)
		}
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		failed(err, "settings")
		return
	}
	if len(st.CustomerChannels) == 0 {
		return
	}
	threads, err := b.tk.OpenThreads(ctx)
	if err != nil {
		failed(err, "their open requests")
		return
	}
	for _, cc := range st.CustomerChannels {
		at, asked := channels[cc.Channel]
		if all && (!asked || since.Before(at)) {
			at, asked = since, true
		}
		if !asked || ctx.Err() != nil {
			continue
		}
		n, err := b.catchUpChannel(ctx, cc.Channel, at, threads[cc.Channel])
		switch {
		case err != nil:
			b.cfg.Metrics.CaughtUp("failed", n)
			if tickets.IsPermanent(err) {
				// The app left the channel, or it is gone: nothing to read, now or later.
				b.log.Warn("customer channel not caught up", zap.String("channel", cc.Channel), zap.Error(err))
				continue
			}
			b.log.Warn("customer channel not caught up; trying again soon", zap.String("channel", cc.Channel), zap.Error(err))
			if ctx.Err() == nil {
				b.retryCatchUp(at, cc.Channel)
			}
		case n > 0:
			b.cfg.Metrics.CaughtUp("ok", n)
			b.log.Info("customer channel caught up: messages read back from its history", zap.String("channel", cc.Channel), zap.Int("messages", n))
		default:
			b.cfg.Metrics.CaughtUp("ok", 0)
		}
	}
}

// claimCatchUp reports whether this replica is the one to catch up after the trouble
// that raised the shared epoch to epoch (the first to ask; true when Redis cannot say).
func (b *Bot) claimCatchUp(ctx context.Context, epoch int64) bool {
	first, err := b.seen.Seen(ctx, "catch-up", strconv.FormatInt(epoch, 10), catchUpClaim)
	return err != nil || first
}

// catchUpChannel reads customer channel channel's messages from the time the ticket
// service says (tickets.Service.CatchUpFrom, for a trouble at trouble) — top-level ones,
// and the replies in the threads of its open requests (threads) and of the messages read
// — and hands each person's message the ticket service has not taken to takePost,
// in ts order, as read back; once they are all taken, it records how far the channel is
// caught up (tickets.Service.CaughtUp). It returns how many it handed over.
func (b *Bot) catchUpChannel(ctx context.Context, channel string, trouble time.Time, threads []string) (int, error) {
	began := time.Now()
	from, err := b.tk.CatchUpFrom(ctx, channel, trouble, b.catchUpLookback())
	if err != nil {
		return 0, err
	}
	shared, err := b.sharedChannel(ctx, channel)
	if err != nil {
		return 0, err
	}
	var msgs []slack.Message
	// limit is the latest ts the channel can be caught up to: history not read to its
	// start (more than catchUpPages pages since from) leaves it where it was; a thread
	// not read to its end, up to its last reply read.
	limit := ""
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: from, Limit: catchUpPageSize}
	for page := 1; ; page++ {
		h, err := slackRead(ctx, true, func() (*slack.GetConversationHistoryResponse, error) {
			return b.api.GetConversationHistoryContext(ctx, params)
		})
		if err != nil {
			return 0, classify("conversations.history", err)
		}
		for _, m := range h.Messages {
			msgs = append(msgs, m)
			if m.ReplyCount > 0 && compareTS(m.LatestReply, from) > 0 && !slices.Contains(threads, m.Timestamp) {
				threads = append(threads, m.Timestamp)
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		if page == catchUpPages {
			limit = from // newest first: the oldest were not read
			b.log.Warn("customer channel: a catch-up read the newest messages only", zap.String("channel", channel), zap.Int("read", len(msgs)))
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	for _, thread := range threads {
		replies, complete, err := b.repliesSince(ctx, channel, thread, from)
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, replies...)
		if !complete && len(replies) > 0 {
			if last := replies[len(replies)-1].Timestamp; limit == "" || compareTS(last, limit) < 0 {
				limit = last
			}
		}
	}
	msgs = slices.DeleteFunc(msgs, func(m slack.Message) bool {
		return compareTS(m.Timestamp, from) <= 0 || !b.personMessage(m.BotID, m.User, m.SubType)
	})
	slices.SortFunc(msgs, func(x, y slack.Message) int { return compareTS(x.Timestamp, y.Timestamp) })
	msgs = slices.CompactFunc(msgs, func(x, y slack.Message) bool { return x.Timestamp == y.Timestamp })
	missed, err := b.notTaken(ctx, channel, msgs)
	if err != nil {
		return 0, err
	}
	// Handed over in the channel's order, behind the events at work there; waited for.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string // the messages that could not be taken
	for _, m := range missed {
		ev := &slackevents.MessageEvent{Type: "message", Channel: channel, User: m.User, Text: m.Text, TimeStamp: m.Timestamp,
			ThreadTimeStamp: m.ThreadTimestamp, SubType: m.SubType, BotID: m.BotID, Message: &m.Msg}
		wg.Add(1)
		b.inOrder(ctx, channel, func(hctx context.Context) {
			taken := false
			defer func() { // after a panic too (inOrder recovers it)
				if !taken {
					mu.Lock()
					failed = append(failed, ev.TimeStamp)
					mu.Unlock()
				}
				wg.Done()
			}()
			err := ctx.Err() // once this replica stops, none is taken: the next catch-up reads them
			if err == nil {
				_, err = b.takePost(hctx, ev, shared, true)
			}
			taken = err == nil
		})
	}
	wg.Wait()
	// Caught up to just before the earliest message that could not be taken (the next
	// catch-up reads from there), or else to when the history was read.
	upTo := slackTS(began.Add(-gapMargin))
	if len(failed) > 0 {
		slices.SortFunc(failed, compareTS)
		upTo = slackTS(tsTime(failed[0]).Add(-time.Microsecond))
	}
	if limit != "" && compareTS(limit, upTo) < 0 {
		upTo = limit
	}
	if compareTS(upTo, from) > 0 {
		if err := b.tk.CaughtUp(ctx, channel, upTo); err != nil {
			return len(missed), err
		}
	}
	if len(failed) > 0 {
		return len(missed), fmt.Errorf("%d of %d messages read back could not be taken", len(failed), len(missed))
	}
	return len(missed), nil
}

// notTaken are the messages of msgs (of channel) the ticket service never took.
func (b *Bot) notTaken(ctx context.Context, channel string, msgs []slack.Message) ([]slack.Message, error) {
	ts := make([]string, len(msgs))
	for i, m := range msgs {
		ts[i] = m.Timestamp
	}
	left, err := b.tk.NotTaken(ctx, channel, ts)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(msgs), func(m slack.Message) bool { return !slices.Contains(left, m.Timestamp) }), nil
}

// sharedChannelTTL is how long what conversations.info said of a channel being shared
// with another organisation is trusted.
const sharedChannelTTL = time.Hour

type cachedShared struct {
	shared bool
	exp    time.Time
}

// sharedChannel reports whether channel is shared with another organisation
// (conversations.info's is_ext_shared), as the events' is_ext_shared_channel says.
func (b *Bot) sharedChannel(ctx context.Context, channel string) (bool, error) {
	if c, ok := b.sharedness.Get(channel); ok && time.Now().Before(c.exp) {
		return c.shared, nil
	}
	info, err := slackRead(ctx, true, func() (*slack.Channel, error) {
		return b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	})
	if err != nil {
		return false, classify("conversations.info", err)
	}
	b.sharedness.Add(channel, cachedShared{shared: info.IsExtShared, exp: time.Now().Add(sharedChannelTTL)})
	return info.IsExtShared, nil
}

// repliesSince reads the replies in thread of channel written after ts from, oldest
// first; complete is false when there were more than catchUpPages pages of them.
func (b *Bot) repliesSince(ctx context.Context, channel, thread, from string) (_ []slack.Message, complete bool, _ error) {
	params := &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: thread, Oldest: from, Limit: catchUpPageSize}
	var out []slack.Message
	for range catchUpPages {
		var more bool
		var next string
		msgs, err := slackRead(ctx, true, func() ([]slack.Message, error) {
			msgs, m, n, err := b.api.GetConversationRepliesContext(ctx, params)
			more, next = m, n
			return msgs, err
		})
		if err != nil {
			if code := slackCode(err); code == "thread_not_found" || code == "message_not_found" {
				return out, true, nil // deleted since
			}
			return nil, false, classify("conversations.replies", err)
		}
		for _, m := range msgs {
			if m.Timestamp != thread {
				out = append(out, m)
			}
		}
		if !more || next == "" {
			return out, true, nil
		}
		params.Cursor = next
	}
	return out, false, nil
}
