package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
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
//     channel's history from a while before (catchUpLookback) — or from the channel's
//     latest message taken live, when that is older (every replica was down a while) —
//     and the replies since then in its requests' threads;
//   - when a message could not be taken in its handler's time, its channel catches up.
//
// What it reads goes through the same path as an event (takeCustomerPost, in the
// channel's order), marked as read back (tickets.ChannelPost.Replay): the ticket service
// takes only what it had not taken before.

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

// catchUp asks for a catch-up: of every customer channel after the trouble at at (epoch
// the shared epoch the trouble raised, which one replica claims; 0 for this replica's
// own), or of channel alone.
type catchUp struct {
	at      time.Time
	epoch   int64
	channel string
}

// catchUpSoon asks for a catch-up (catchUp's fields); it never blocks: when too many
// asks are waiting, one of every channel is among them.
func (b *Bot) catchUpSoon(epoch int64, channel string) {
	b.ask(catchUp{at: time.Now(), epoch: epoch, channel: channel})
}

func (b *Bot) ask(a catchUp) {
	select {
	case b.catchUps <- a:
	default:
	}
}

// retryCatchUp asks again, catchUpRetry from now, for a catch-up of channel ("" for
// every one) from the trouble at at, by this replica.
func (b *Bot) retryCatchUp(at time.Time, channel string) {
	time.AfterFunc(catchUpRetry, func() { b.ask(catchUp{at: at, channel: channel}) })
}

// catchUpLookback is how long before a trouble a message may have been written whose
// event was lost: its handler may have worked on it for HandlerTimeout, and a dead
// replica is known only heartbeatStale later.
func (b *Bot) catchUpLookback() time.Duration {
	return 2*b.cfg.HandlerTimeout + heartbeatStale
}

// catchUpLoop serves the asks for catch-ups until ctx ends, one catch-up at a time.
func (b *Bot) catchUpLoop(ctx context.Context) {
	for {
		var first catchUp
		select {
		case <-ctx.Done():
			return
		case first = <-b.catchUps:
		}
		asks := []catchUp{first}
		wait := time.NewTimer(catchUpDelay)
	gather:
		for {
			select {
			case <-ctx.Done():
				wait.Stop()
				return
			case a := <-b.catchUps:
				asks = append(asks, a)
			case <-wait.C:
				break gather
			}
		}
		b.catchUp(ctx, asks)
	}
}

// catchUp does what asks ask: every customer channel from the earliest trouble, when
// one of them is this replica's own or its epoch was not claimed by another replica yet;
// and the channels asked for by name.
func (b *Bot) catchUp(ctx context.Context, asks []catchUp) {
	var all bool
	var since time.Time
	channels := map[string]time.Time{}
	for _, a := range asks {
		if a.channel != "" {
			if at, ok := channels[a.channel]; !ok || a.at.Before(at) {
				channels[a.channel] = a.at
			}
			continue
		}
		if a.epoch == 0 || b.claimCatchUp(ctx, a.epoch) {
			all = true
		}
		if since.IsZero() || a.at.Before(since) {
			since = a.at
		}
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
// — and hands each person's message to takeCustomerPost, in ts order, as read back. It
// returns how many it handed over.
func (b *Bot) catchUpChannel(ctx context.Context, channel string, trouble time.Time, threads []string) (int, error) {
	from, err := b.tk.CatchUpFrom(ctx, channel, trouble, b.catchUpLookback())
	if err != nil {
		return 0, err
	}
	info, err := slackRead(ctx, func() (*slack.Channel, error) {
		return b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	})
	if err != nil {
		return 0, classify("conversations.info", err)
	}
	var msgs []slack.Message
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: from, Limit: catchUpPageSize}
	for range catchUpPages {
		h, err := slackRead(ctx, func() (*slack.GetConversationHistoryResponse, error) {
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
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	for _, thread := range threads {
		replies, err := b.repliesSince(ctx, channel, thread, from)
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, replies...)
	}
	slices.SortFunc(msgs, func(x, y slack.Message) int { return compareTS(x.Timestamp, y.Timestamp) })
	msgs = slices.CompactFunc(msgs, func(x, y slack.Message) bool { return x.Timestamp == y.Timestamp })
	n := 0
	for _, m := range msgs {
		if compareTS(m.Timestamp, from) <= 0 || !b.personMessage(m.BotID, m.User, m.SubType) {
			continue
		}
		ev := &slackevents.MessageEvent{Type: "message", Channel: channel, User: m.User, Text: m.Text, TimeStamp: m.Timestamp,
			ThreadTimeStamp: m.ThreadTimestamp, SubType: m.SubType, BotID: m.BotID, Message: &m.Msg}
		n++
		b.inOrder(ctx, channel, func(ctx context.Context) { b.takeCustomerPost(ctx, ev, info.IsExtShared, true) })
	}
	return n, nil
}

// repliesSince reads the replies in thread of channel written after ts from.
func (b *Bot) repliesSince(ctx context.Context, channel, thread, from string) ([]slack.Message, error) {
	params := &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: thread, Oldest: from, Limit: catchUpPageSize}
	var out []slack.Message
	for range catchUpPages {
		var more bool
		var next string
		msgs, err := slackRead(ctx, func() ([]slack.Message, error) {
			msgs, m, n, err := b.api.GetConversationRepliesContext(ctx, params)
			more, next = m, n
			return msgs, err
		})
		if err != nil {
			if code := slackCode(err); code == "thread_not_found" || code == "message_not_found" {
				return out, nil // deleted since
			}
			return nil, classify("conversations.replies", err)
		}
		for _, m := range msgs {
			if m.Timestamp != thread {
				out = append(out, m)
			}
		}
		if !more || next == "" {
			break
		}
		params.Cursor = next
	}
	return out, nil
}

// slackRead calls read, waiting out Slack's rate limits (a catch-up is in no hurry) and
// trying again with backoff while Slack fails, historyTries times.
func slackRead[T any](ctx context.Context, read func() (T, error)) (T, error) {
	wait := historyBackoff
	for try := 1; ; try++ {
		v, err := read()
		if err == nil {
			return v, nil
		}
		var rl *slack.RateLimitedError
		switch {
		case errors.As(err, &rl):
			wait = rl.RetryAfter
		case try >= historyTries || tickets.IsPermanent(classify("", err)):
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(wait):
		}
		if rl == nil {
			wait *= 2
		}
	}
}
