package awaittest

import (
	"sync"
	"testing"
	"time"
)

// record is a fake's record as the fakes keep theirs: items and a Changed under one lock.
type record struct {
	mu      sync.Mutex
	items   []int
	changed Changed
}

func (r *record) add(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, n)
	r.changed.Broadcast()
}

func (r *record) snapshot() ([]int, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.items...), r.changed.C()
}

func TestAwait(t *testing.T) {
	r := &record{}
	r.add(1)
	if n, ok := Await(time.Second, r.snapshot, func(n int) bool { return n == 1 }); !ok || n != 1 {
		t.Errorf("an item recorded before: %d, %v", n, ok)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		r.add(2)
		r.add(3)
	}()
	if n, ok := Await(10*time.Second, r.snapshot, func(n int) bool { return n > 2 }); !ok || n != 3 {
		t.Errorf("an item recorded later: %d, %v", n, ok)
	}
	if _, ok := Await(20*time.Millisecond, r.snapshot, func(n int) bool { return n > 3 }); ok {
		t.Error("Await found an item nobody recorded")
	}
}

func TestSleep(t *testing.T) {
	if !Sleep(0, nil, nil) || !Sleep(time.Millisecond, nil, nil) {
		t.Error("a delay with nothing cutting it short was cut short")
	}
	closed := make(chan struct{})
	close(closed)
	if Sleep(time.Hour, nil, closed) || Sleep(time.Hour, closed, nil) {
		t.Error("an ended request or a closed fake did not cut the delay short")
	}
}
