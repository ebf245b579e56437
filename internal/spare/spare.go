// Package spare runs functions on goroutines it keeps for a while once they are done.
//
// A goroutine starts with a small stack and grows it, by copying, the first few times a
// call goes deep: an HTTP request through net/http, a Redis call through go-redis. Work
// that starts a goroutine per message (a ticket's outbox queue drained and started again
// at every message, a channel's relay worker) pays that growth every time. A goroutine
// kept for the next function has grown already. Under load, functions come faster than
// the keeping time and the same goroutines run them all; a pool keeps only so many
// waiting, and they end after the keeping time, so a burst leaves no stacks behind.
package spare

import (
	"sync"
	"sync/atomic"
	"time"
)

// Pool runs functions on spare goroutines. Make one with New; a nil *Pool starts a
// goroutine per function. It is safe for concurrent use.
type Pool struct {
	jobs    chan func()
	keep    time.Duration
	maxIdle int64
	idle    atomic.Int64 // goroutines waiting for a function

	mu     sync.Mutex
	closed bool
	stop   chan struct{}
}

// New returns a Pool that keeps a goroutine for keep after the function it ran returned,
// for the next one, while fewer than maxIdle others wait: a burst that needed thousands
// of goroutines at once leaves no more than maxIdle behind, and each holds its stack.
func New(keep time.Duration, maxIdle int) *Pool {
	return &Pool{jobs: make(chan func()), keep: keep, maxIdle: int64(maxIdle), stop: make(chan struct{})}
}

// Go runs f on a spare goroutine, or on a new one when none is waiting. It never waits
// for another function to finish. After Close, and on a nil Pool, every f gets a
// goroutine of its own.
func (p *Pool) Go(f func()) {
	if p == nil {
		go f()
		return
	}
	select {
	case p.jobs <- f:
	default:
		go p.run(f)
	}
}

// run runs f, then the functions Go hands it, until none comes for keep, maxIdle others
// wait already, or the pool is closed.
func (p *Pool) run(f func()) {
	var idle *time.Timer
	for {
		f()
		if p.idle.Add(1) > p.maxIdle {
			p.idle.Add(-1)
			return
		}
		if idle == nil {
			idle = time.NewTimer(p.keep)
			defer idle.Stop()
		} else {
			idle.Reset(p.keep)
		}
		select {
		case f = <-p.jobs:
			p.idle.Add(-1)
		case <-idle.C:
			p.idle.Add(-1)
			return
		case <-p.stop:
			p.idle.Add(-1)
			return
		}
	}
}

// Close lets the waiting goroutines end now rather than after keep. Functions running
// finish as usual.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.stop)
	}
}
