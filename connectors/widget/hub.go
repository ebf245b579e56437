package widget

import "sync"

// hub knows this process's websockets by visitor, so that one feed notice wakes exactly
// the sockets of its visitor; and every socket from its upgrade on, so that a stop closes
// them all and waits for their handlers.
type hub struct {
	max    int // sockets per visitor
	mu     sync.Mutex
	conns  map[string]map[*conn]struct{}
	all    map[*conn]struct{} // those still saying hello too
	closed bool
	wg     sync.WaitGroup
}

func newHub(max int) *hub {
	return &hub{max: max, conns: map[string]map[*conn]struct{}{}, all: map[*conn]struct{}{}}
}

// enter counts a freshly upgraded socket in, until leave; false when the hub is closed.
func (h *hub) enter(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.all[c] = struct{}{}
	h.wg.Add(1)
	return true
}

// leave is the end of c's handler.
func (h *hub) leave(c *conn) {
	h.mu.Lock()
	delete(h.all, c)
	h.mu.Unlock()
	h.wg.Done()
}

// add registers c; false when its visitor has max sockets already or the hub is closed.
func (h *hub) add(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.conns[c.visitor]
	if h.closed || len(set) >= h.max {
		return false
	}
	if set == nil {
		set = map[*conn]struct{}{}
		h.conns[c.visitor] = set
	}
	set[c] = struct{}{}
	c.registered = true
	return true
}

func (h *hub) remove(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.conns[c.visitor]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(h.conns, c.visitor)
		}
	}
}

// notify wakes visitor's sockets: their feed has new items.
func (h *hub) notify(visitor string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns[visitor] {
		c.wakeUp()
	}
}

// wakeAll wakes every socket (after notices may have been lost).
func (h *hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.conns {
		for c := range set {
			c.wakeUp()
		}
	}
}

// closeAll tells every socket to close (one still saying hello is closed at once),
// refuses new ones, and waits for their handlers to return.
func (h *hub) closeAll() {
	h.mu.Lock()
	h.closed = true
	for c := range h.all {
		if c.registered {
			c.shutdown()
		} else {
			_ = c.ws.Close()
		}
	}
	h.mu.Unlock()
	h.wg.Wait()
}
