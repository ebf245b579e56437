package chatra

import (
	"crypto/sha256"
	"sync"
)

// maxProgress bounds how many partly sent messages the Client remembers.
const maxProgress = 10_000

// progress remembers, for the messages split in parts whose sending failed half-way, how
// many parts Chatra already took, so that a retry in the same process goes on from the
// first part not sent. It is memory only: after a restart a retry sends every part again
// (at least once). Memory stays bounded: beyond maxProgress entries the oldest is
// forgotten.
type progress struct {
	mu    sync.Mutex
	sent  map[string]progressEntry
	order []string // keys, oldest first
}

type progressEntry struct {
	sum  [sha256.Size]byte // of the parts, so that other parts under the same key start over
	done int
}

func newProgress() *progress { return &progress{sent: map[string]progressEntry{}} }

// done returns how many of the parts of key (whose digest is sum) were sent.
func (p *progress) done(key string, sum [sha256.Size]byte) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.sent[key]; ok && e.sum == sum {
		return e.done
	}
	return 0
}

// mark records that the first n parts of key were sent.
func (p *progress) mark(key string, sum [sha256.Size]byte, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.sent[key]; !ok {
		for len(p.order) >= maxProgress {
			delete(p.sent, p.order[0])
			p.order = p.order[1:]
		}
		p.order = append(p.order, key)
	}
	p.sent[key] = progressEntry{sum: sum, done: n}
}

// forget drops key once all its parts were sent: the outbox does not deliver it again.
func (p *progress) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.sent[key]; !ok {
		return
	}
	delete(p.sent, key)
	for i, k := range p.order {
		if k == key {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
}

// size is how many keys are remembered.
func (p *progress) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent)
}
