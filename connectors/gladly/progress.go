package gladly

import "sync"

// maxProgress bounds how many deliveries the progress remembers; past it, it starts over
// (a retry then repeats its steps, as it would after a restart).
const maxProgress = 10_000

// progress remembers, in memory, how many steps of a delivery went through (the parts of
// a long reply; the reply, topics and close of an end), so that a retry of the same key
// goes on from the first step that did not. Gladly takes no idempotency key: across a
// restart, or when an answer is lost, a step may be done twice.
type progress struct {
	mu   sync.Mutex
	done map[string]int
}

func newProgress() *progress { return &progress{done: map[string]int{}} }

// steps returns how many steps of key are done.
func (p *progress) steps(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done[key]
}

// mark records that n steps of key are done.
func (p *progress) mark(key string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.done[key]; !ok && len(p.done) >= maxProgress {
		clear(p.done)
	}
	p.done[key] = n
}

// forget drops key, once all its steps are done.
func (p *progress) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.done, key)
}
