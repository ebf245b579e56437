package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// NewService returns the real tickets.Service over a new Memory, for the tests of the
// packages that call it (the connectors): one team (channel "C_SUPPORT", label
// "Support"), a clock that advances a second on every reading, and message ids "m1",
// "m2", ...; opts change the Config before the Service is made.
func NewService(t testing.TB, opts ...func(*tickets.Config)) (*tickets.Service, *Memory) {
	t.Helper()
	mem := NewMemory()
	var mu sync.Mutex
	clock, ids := t0, 0
	cfg := tickets.Config{
		Store:   mem,
		Initial: tickets.Settings{TicketingChannels: []tickets.Team{support}},
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			clock = clock.Add(time.Second)
			return clock
		},
		NewID: func() string {
			mu.Lock()
			defer mu.Unlock()
			ids++
			return fmt.Sprintf("m%d", ids)
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := tickets.New(cfg)
	if err != nil {
		t.Fatalf("storetest: tickets.New: %v", err)
	}
	return svc, mem
}
