package keyrate

import (
	"fmt"
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := New(1, 2, 1000) // 1 a second, 2 at once: a bucket refills in 2s
	l.Now = func() time.Time { return now }

	t.Run("Burst", func(t *testing.T) {
		for i := range 2 {
			if ok, _ := l.Allow("a"); !ok {
				t.Fatalf("request %d refused", i)
			}
		}
		ok, wait := l.Allow("a")
		if ok || wait <= 0 || wait > time.Second {
			t.Fatalf("third request: ok=%v wait=%s, want refused for at most 1s", ok, wait)
		}
		if ok, _ := l.Allow("b"); !ok {
			t.Fatal("another key refused")
		}
		now = now.Add(time.Second)
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("refused after the bucket refilled a token")
		}
	})

	t.Run("IdleEvicted", func(t *testing.T) {
		if n := l.Len(); n != 2 {
			t.Fatalf("Len = %d, want 2", n)
		}
		now = now.Add(l.Idle())
		_, _ = l.Allow("c") // sweeps a and b, full again by now
		if n := l.Len(); n != 1 {
			t.Errorf("Len after idle = %d, want 1", n)
		}
	})

	t.Run("Bounded", func(t *testing.T) {
		b := New(1, 2, 10)
		b.Now = func() time.Time { return now }
		for i := range 100 {
			b.Allow(fmt.Sprint("m", i))
		}
		if n := b.Len(); n > 10 {
			t.Errorf("Len = %d, want at most 10", n)
		}
	})
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int64
	}{{0, 1}, {time.Millisecond, 1}, {time.Second, 1}, {1001 * time.Millisecond, 2}, {100 * time.Second, 100}} {
		if got := RetryAfterSeconds(tt.d); got != tt.want {
			t.Errorf("RetryAfterSeconds(%s) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
