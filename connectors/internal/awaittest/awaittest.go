// Package awaittest holds what the connectors' fakes of their vendors (chatratest,
// gladlytest, webhooktest) share so that tests can wait on them: a signal that what a
// fake recorded changed, a wait for a recorded item, and a delayed answer that the
// request's end or the fake's Close cuts short. It is for fakes and tests only.
package awaittest

import (
	"slices"
	"time"
)

// Changed tells waiters that what a fake recorded changed. The zero Changed is ready. It
// is not safe for concurrent use: call it under the lock that guards the record.
type Changed struct{ ch chan struct{} }

// Broadcast wakes every waiter of C.
func (c *Changed) Broadcast() {
	if c.ch != nil {
		close(c.ch)
	}
	c.ch = make(chan struct{})
}

// C is closed at the next Broadcast.
func (c *Changed) C() <-chan struct{} {
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

// Await waits up to timeout for an item that match accepts, looking at those recorded
// already too, and returns the first; ok is false when none came in time. snapshot
// returns the items recorded so far and the record's Changed.C, taken together under the
// fake's lock; match runs outside it.
func Await[T any](timeout time.Duration, snapshot func() ([]T, <-chan struct{}), match func(T) bool) (item T, ok bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		items, changed := snapshot()
		if i := slices.IndexFunc(items, match); i >= 0 {
			return items[i], true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return item, false
		}
	}
}

// Sleep waits d, the delay a fake was told to answer with, and reports true; it reports
// false at once when request (the request's context) or closed (the fake's Close) ends
// first. A nil channel never ends.
func Sleep(d time.Duration, request, closed <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-request:
		return false
	case <-closed:
		return false
	}
}
