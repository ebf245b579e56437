package bot

import (
	"context"
	"sync"

	"go.uber.org/zap"
)

// serial runs jobs one after another per key (a channel), in the order they were queued,
// and different keys side by side. Slack sends a channel's messages in order; the relay
// must keep it.
type serial struct {
	mu     sync.Mutex
	queues map[string][]func()
}

// do queues job under key and starts a worker for key if none runs.
func (s *serial) do(key string, start func(func()), job func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queues == nil {
		s.queues = map[string][]func(){}
	}
	q, running := s.queues[key]
	s.queues[key] = append(q, job)
	if running {
		return
	}
	start(func() {
		for {
			s.mu.Lock()
			q := s.queues[key]
			if len(q) == 0 {
				delete(s.queues, key)
				s.mu.Unlock()
				return
			}
			next := q[0]
			s.queues[key] = q[1:]
			s.mu.Unlock()
			next()
		}
	})
}

// inOrder queues f for channel on b's per-channel queue, run under HandlerTimeout. An f
// that panics loses its own work only: the channel's next ones still run.
func (b *Bot) inOrder(ctx context.Context, channel string, f func(ctx context.Context)) {
	b.serial.do(channel, b.spawn,
		func() {
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.cfg.HandlerTimeout)
			defer cancel()
			defer func() {
				if v := recover(); v != nil {
					b.log.Error("handler panicked", zap.String("channel", channel), zap.Any("panic", v), zap.Stack("stack"))
				}
			}()
			f(hctx)
		})
}
