// Package spare runs functions on goroutines it keeps for a while once they are done.
//
// A goroutine starts with a small stack and grows it, by copying, the first few times a
// call goes deep: an HTTP request through net/http, a Redis call through go-redis. Work
// that starts a goroutine per message (a ticket's outbox queue drained and started again
// at every message, a channel's relay worker) pays that growth every time. A goroutine
// kept for the next function has grown already. Under load, functions come faster than
// the keeping time and the same few goroutines run them all; when idle, the goroutines
// end after the keeping time, so nothing lingers.
package spare

import (
	"sync"
	"time"
)

// Pool runs functions on spare goroutines. Make one with New; a nil *Pool starts a
// goroutine per function. It is safe for concurrent use.
type Pool struct {
	jobs chan func()
	keep time.Duration

	mu     sync.Mutex
	closed bool
	stop   chan struct{}
}

// New returns a Pool that keeps each goroutine for keep after the function it ran
// returned, for the next one.
func New(keep time.Duration) *Pool {
	return &Pool{jobs: make(chan func()), keep: keep, stop: make(chan struct{})}
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

// run runs f, then the functions Go hands it, until none comes for keep or the pool is
// closed.
func (p *Pool) run(f func()) {
	idle := time.NewTimer(p.keep)
	defer idle.Stop()
	for {
		f()
		idle.Reset(p.keep)
		select {
		case f = <-p.jobs:
		case <-idle.C:
			return
		case <-p.stop:
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
