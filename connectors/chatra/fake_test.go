package chatra

import (
	"context"
	"sync"
	"time"
)

// fakeSeen is the store's Seen and Known in memory (store.Redis: SET NX with a TTL, and
// EXISTS, shared by every replica): first is true the first time an id is recorded in a
// scope; Known records nothing. Nothing expires. fail, when set, is returned and nothing
// is recorded.
type fakeSeen struct {
	mu    sync.Mutex
	ids   map[string]time.Duration // scope + " " + id → ttl
	calls int
	fail  error
}

func newFakeSeen() *fakeSeen { return &fakeSeen{ids: map[string]time.Duration{}} }

func (s *fakeSeen) Seen(_ context.Context, scope, id string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return false, s.fail
	}
	k := scope + " " + id
	if _, ok := s.ids[k]; ok {
		return false, nil
	}
	s.ids[k] = ttl
	return true, nil
}

func (s *fakeSeen) Known(_ context.Context, scope, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return false, s.fail
	}
	_, ok := s.ids[scope+" "+id]
	return ok, nil
}

// has reports whether id was recorded in scope, and for how long.
func (s *fakeSeen) has(scope, id string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl, ok := s.ids[scope+" "+id]
	return ttl, ok
}

// count returns how many calls the fake took.
func (s *fakeSeen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// fakeNotes is the store's Note and Noted in memory (store.Redis: SET with a TTL, DEL for
// an empty value, GET; shared by every replica). fail, when set, is returned.
type fakeNotes struct {
	mu   sync.Mutex
	vals map[string]string // scope + " " + id → value
	fail error
}

func newFakeNotes() *fakeNotes { return &fakeNotes{vals: map[string]string{}} }

func (n *fakeNotes) Note(_ context.Context, scope, id, value string, _ time.Duration) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	if value == "" {
		delete(n.vals, scope+" "+id)
	} else {
		n.vals[scope+" "+id] = value
	}
	return nil
}

func (n *fakeNotes) Noted(_ context.Context, scope, id string) (string, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return "", false, n.fail
	}
	v, ok := n.vals[scope+" "+id]
	return v, ok, nil
}
