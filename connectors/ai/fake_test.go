package ai

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/ai/aitest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const testKey = "sk-test-secret-42"

// Answers the fake can give as the first choice's content.
const (
	goodContent = `{"title":"Refund for a double charge","summary":"The customer was charged twice for March. The agent started a refund.",` +
		`"sentiment":"negative","urgency":"high","tags":["billing","refund"]}`
	fencedContent = "```json\n" + `{"title":"Refund for a double charge","urgency":"medium","tags":["billing"]}` + "\n```"
)

// reply is how the fake answers a request.
type reply = aitest.Reply

// newFakeAI is an OpenAI-compatible endpoint (aitest) taking testKey and answering
// goodContent. The test fails if it refuses a request before its model: a wrong path,
// method, key or body.
func newFakeAI(t *testing.T) *aitest.Server {
	t.Helper()
	f := aitest.New(testKey)
	f.Answer(reply{Content: goodContent})
	t.Cleanup(func() {
		f.Close()
		if strays := f.Strays(); len(strays) > 0 {
			t.Errorf("the fake AI refused requests: %q", strays)
		}
	})
	return f
}

// memStore is an in-memory Tickets.
type memStore struct {
	mu      sync.Mutex
	msgs    map[tickets.ID][]tickets.Message
	syncs   []recordedSync
	syncErr error // what SetSync answers
}

// recordedSync is one call of SetSync.
type recordedSync struct {
	id     tickets.ID
	sink   string
	status tickets.SyncStatus
}

func (m *memStore) SetSync(_ context.Context, id tickets.ID, sink string, s tickets.SyncStatus) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncs = append(m.syncs, recordedSync{id, sink, s})
	return m.syncErr
}

// synced returns SetSync's calls.
func (m *memStore) synced() []recordedSync {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]recordedSync(nil), m.syncs...)
}

func (m *memStore) Messages(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msgs, ok := m.msgs[id]
	if !ok {
		return nil, tickets.ErrNotFound
	}
	return append([]tickets.Message(nil), msgs...), nil
}

// suggestions records the calls of the suggest function Enrich is given, answering err.
type suggestions struct {
	mu    sync.Mutex
	calls []tickets.DetailsChange
	ids   []tickets.ID
	err   error
}

func (s *suggestions) suggest(_ context.Context, id tickets.ID, c tickets.DetailsChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.ids = append(s.ids, id)
	return s.err
}

func (s *suggestions) got() []tickets.DetailsChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]tickets.DetailsChange(nil), s.calls...)
}

// contains reports whether any of the strings has sub.
func contains(sub string, in ...string) bool {
	for _, s := range in {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
