package widget

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// memFeed is an in-memory Feed with the store's rules: an append once per key, items in
// order, a notice to every listener.
type memFeed struct {
	mu        sync.Mutex
	items     map[string][]Entry
	keys      map[string]string // visitor + "\x00" + key → seq
	n         int
	listeners []func(string)
	appends   int // calls to Append
}

func newMemFeed() *memFeed { return &memFeed{items: map[string][]Entry{}, keys: map[string]string{}} }

func (f *memFeed) Append(_ context.Context, visitor, key string, data []byte) (string, bool, error) {
	f.mu.Lock()
	f.appends++
	k := visitor + "\x00" + key
	seq, seen := f.keys[k]
	if !seen {
		f.n++
		seq = fmt.Sprintf("%d-0", f.n)
		f.keys[k] = seq
		f.items[visitor] = append(f.items[visitor], Entry{Seq: seq, Data: append([]byte(nil), data...)})
	}
	ls := slices.Clone(f.listeners)
	f.mu.Unlock()
	for _, l := range ls {
		l(visitor)
	}
	return seq, !seen, nil
}

func (f *memFeed) Read(_ context.Context, visitor, after string, max int) ([]Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Entry
	var a int
	if after != "" {
		fmt.Sscanf(after, "%d-0", &a)
	}
	for _, e := range f.items[visitor] {
		var n int
		fmt.Sscanf(e.Seq, "%d-0", &n)
		if n > a && len(out) < max {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *memFeed) Listen(ctx context.Context, ready func(), onNew func(string)) error {
	f.mu.Lock()
	f.listeners = append(f.listeners, onNew)
	f.mu.Unlock()
	ready()
	<-ctx.Done()
	return nil
}

// all returns visitor's items.
func (f *memFeed) all(visitor string) []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Entry(nil), f.items[visitor]...)
}

// memFiles is an in-memory FileStore (store.WidgetFiles keeps them in Redis; its tests
// run there).
type memFiles struct {
	mu    sync.Mutex
	files map[string]File
}

func newMemFiles() *memFiles { return &memFiles{files: map[string]File{}} }

func (m *memFiles) Put(_ context.Context, id string, f File, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f.Data = slices.Clone(f.Data)
	m.files[id] = f
	return nil
}

func (m *memFiles) Get(_ context.Context, id string) (File, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[id]
	return f, ok, nil
}

func (m *memFiles) Meta(ctx context.Context, id string) (File, bool, error) {
	f, ok, err := m.Get(ctx, id)
	f.Data = nil
	return f, ok, err
}
