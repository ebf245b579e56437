package tickets

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A customer channel catches up from its history when its messages' events may have
// been lost (the Slack adapter reads it back and hands each message over again,
// ChannelPost.Replay). The ticket service says from when (CatchUpFrom), which of the
// messages read it has not taken yet (NotTaken), which threads hold open requests
// (OpenThreads), and remembers how far a catch-up got (CaughtUp).

// MaxCatchUp bounds how far back a catch-up reads a customer channel's history.
const MaxCatchUp = 24 * time.Hour

// CatchUpFrom is the ts from which a catch-up reads customer channel channel's history
// after events may have been lost at trouble: lookback before it, or from where the
// channel's last catch-up got to when that is older (one that stopped half-way, say) —
// from its latest message taken live when it never caught up (every replica was down a
// while: what was written meanwhile was never sent) — but never more than MaxCatchUp ago.
func (s *Service) CatchUpFrom(ctx context.Context, channel string, trouble time.Time, lookback time.Duration) (string, error) {
	from := trouble.Add(-lookback)
	base, found, err := s.store.Noted(ctx, noteCaughtUp, channel)
	if err == nil && !found {
		base, found, err = s.store.Noted(ctx, noteLast, channel)
	}
	if err != nil {
		return "", fmt.Errorf("tickets: catch-up: %w", err)
	}
	if at, ok := tsTime(base); found && ok && at.Before(from) {
		from = at
	}
	if oldest := s.now().Add(-MaxCatchUp); from.Before(oldest) {
		from = oldest
	}
	return fmt.Sprintf("%d.%06d", from.Unix(), from.Nanosecond()/1000), nil
}

// CaughtUp records that customer channel channel's messages up to ts upTo were all read
// back (and taken, where they had not been).
func (s *Service) CaughtUp(ctx context.Context, channel, upTo string) error {
	if _, ok := tsTime(upTo); !ok {
		return invalidf("%q is not a Slack ts", upTo)
	}
	if err := s.store.Note(ctx, noteCaughtUp, channel, upTo, channelNoteTTL); err != nil {
		return fmt.Errorf("tickets: caught up: %w", err)
	}
	return nil
}

// NotTaken are the messages of customer channel channel, by ts, that were never taken
// (ChannelPost), in the order given.
func (s *Service) NotTaken(ctx context.Context, channel string, ts []string) ([]string, error) {
	var out []string
	for _, t := range ts {
		_, taken, err := s.store.Noted(ctx, noteTaken, ChannelConversation(channel, t))
		if err != nil {
			return nil, fmt.Errorf("tickets: not taken: %w", err)
		}
		if !taken {
			out = append(out, t)
		}
	}
	return out, nil
}

// OpenThreads are the threads of the open requests of customer channels, by channel: a
// catch-up reads their replies.
func (s *Service) OpenThreads(ctx context.Context) (map[string][]string, error) {
	open, err := s.store.OpenTickets(ctx)
	if err != nil {
		return nil, fmt.Errorf("tickets: open threads: %w", err)
	}
	threads := map[string][]string{}
	for _, t := range open {
		if channel, ts, ok := SplitChannelConversation(t.ConversationID); ok && t.InThread() {
			threads[channel] = append(threads[channel], ts)
		}
	}
	return threads, nil
}

// tsTime reads a Slack ts ("1700000000.000100") as a time.
func tsTime(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || ts == "" {
		return time.Time{}, false
	}
	us, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, us*1000), true
}
