package gladly

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestClient_StaysUnderTheRateLimit: at its default pace a client's calls of one method
// stay within Gladly's 10 a second (the fake answers 429 past it, as Gladly documents),
// however many go at once.
func TestClient_StaysUnderTheRateLimit(t *testing.T) {
	c, f := setup(t, func(o *options) { o.requestsPerSecond = 0 }) // the default
	f.SetRateLimit(10)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.conversation(context.Background(), convID)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call: %v", err)
		}
	}
	if n := f.TooMany(); n != 0 {
		t.Errorf("Gladly answered %d calls with 429", n)
	}
}

// fakeClock is a clock that sleeping moves on.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return true
}

func testPacer(perSecond float64) (*pacer, *fakeClock) {
	clock := &fakeClock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	p := newPacer(perSecond)
	p.now, p.sleep, p.buckets.Now = clock.Now, clock.Sleep, clock.Now
	return p, clock
}

func TestPacer_SpacesCallsPerMethod(t *testing.T) {
	p, clock := testPacer(DefaultRequestsPerSecond)
	ctx := context.Background()
	for range 3 {
		if err := p.wait(ctx, http.MethodGet); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.wait(ctx, http.MethodPost); err != nil { // another method's own bucket
		t.Fatal(err)
	}
	var total time.Duration
	for _, d := range clock.slept {
		total += d
	}
	if want := 2 * time.Second / DefaultRequestsPerSecond; total < want-time.Millisecond || total > want+time.Millisecond {
		t.Errorf("slept %v in all (%v), want %v: three GETs, one POST", total, clock.slept, want)
	}
}

// TestPacer_ReadsGladlysHeaders: an answer saying the organisation's second is spent
// (another replica spent it) holds that method's calls for a second; a 429 too.
func TestPacer_ReadsGladlysHeaders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header string
		holds  bool
	}{
		{"Spent", http.StatusOK, "0", true},
		{"Left", http.StatusOK, "3", false},
		{"TooMany", http.StatusTooManyRequests, "", true},
		{"Garbage", http.StatusOK, "soon", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, clock := testPacer(1000)
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			resp.Header.Set("Ratelimit-Limit-Second", "10")
			if tc.header != "" {
				resp.Header.Set("Ratelimit-Remaining-Second", tc.header)
			}
			p.observe(http.MethodGet, resp)
			if err := p.wait(context.Background(), http.MethodPost); err != nil || len(clock.slept) != 0 {
				t.Errorf("POST waited %v (%v): only the answer's method is held", clock.slept, err)
			}
			if err := p.wait(context.Background(), http.MethodGet); err != nil {
				t.Fatal(err)
			}
			held := len(clock.slept) > 0 && clock.slept[0] == spentWait
			if held != tc.holds {
				t.Errorf("GET slept %v, want held = %v", clock.slept, tc.holds)
			}
		})
	}
}

func TestPacer_GivesUp(t *testing.T) {
	p, _ := testPacer(0.01) // one call per 100 s
	ctx := context.Background()
	if err := p.wait(ctx, http.MethodGet); err != nil {
		t.Fatal(err)
	}
	var ra *tickets.RetryAfterError
	if err := p.wait(ctx, http.MethodGet); !errors.As(err, &ra) {
		t.Errorf("wait = %v, want a RetryAfterError: the outbox waits, not a goroutine", err)
	}
	p2, _ := testPacer(1)
	cctx, cancel := context.WithCancel(ctx)
	_ = p2.wait(cctx, http.MethodGet)
	cancel()
	if err := p2.wait(cctx, http.MethodGet); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait = %v", err)
	}
}
