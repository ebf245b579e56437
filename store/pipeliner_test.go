package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// echoScript increments its key and answers with its argument and the count.
var echoScript = redis.NewScript(`return {ARGV[1], redis.call('INCR', KEYS[1])}`)

func TestPipeliner_EachCallGetsItsOwnAnswer(t *testing.T) {
	c, prefix := redistest.Open(t)
	p := newPipeliner(c)
	ctx := context.Background()
	const callers, calls = 3 * maxBatch, 10 // more at once than one pipeline carries
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("%spipe:%d", prefix, g)
			for i := range calls {
				want := fmt.Sprintf("g%d-%d", g, i)
				got, err := p.run(ctx, true, echoScript, []string{key}, want).Slice()
				if err != nil {
					errs <- err
					return
				}
				// In order per caller: its count goes up by one each call.
				if got[0] != want || got[1] != int64(i+1) {
					errs <- fmt.Errorf("caller %d call %d answered %v", g, i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight != 0 || len(p.queue) != 0 {
		t.Errorf("after the calls: %d in flight, %d queued", p.inFlight, len(p.queue))
	}
}

func TestPipeliner_LoadsAScriptRedisDoesNotHave(t *testing.T) {
	c, prefix := redistest.Open(t)
	p := newPipeliner(c)
	ctx := context.Background()
	fresh := redis.NewScript(`return 'fresh ' .. ARGV[1] .. ' ` + prefix + `'`) // not loaded yet
	got, err := p.run(ctx, true, fresh, []string{prefix + "k"}, "x").Text()
	if err != nil || got != "fresh x "+prefix {
		t.Fatalf("run = %q, %v", got, err)
	}
}

func TestPipeliner_EndedContextSendsNothing(t *testing.T) {
	c, prefix := redistest.Open(t)
	p := newPipeliner(c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	key := prefix + "untouched"
	if err := p.run(ctx, true, echoScript, []string{key}, "x").Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("run with an ended context = %v", err)
	}
	if n, err := c.Exists(context.Background(), key).Result(); err != nil || n != 0 {
		t.Errorf("the script ran: exists %d, %v", n, err)
	}
}

func TestRerunnable(t *testing.T) {
	withID := customerMsg("a", "s1")
	for _, tc := range []struct {
		name   string
		create bool
		w      tickets.InboundWrite
		want   bool
	}{
		{"messages with ids", false, tickets.InboundWrite{Messages: []tickets.Message{withID, customerMsg("b", "s2")}}, true},
		{"a message without one", false, tickets.InboundWrite{Messages: []tickets.Message{withID, customerMsg("b", "")}}, false},
		{"creating", true, tickets.InboundWrite{Messages: []tickets.Message{withID}}, false},
		{"closing", false, tickets.InboundWrite{Messages: []tickets.Message{withID}, Close: &tickets.Closing{}}, false},
	} {
		if got := rerunnable(tc.create, tc.w); got != tc.want {
			t.Errorf("%s: rerunnable = %v", tc.name, got)
		}
	}
}
