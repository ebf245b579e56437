package spare

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every function runs, whether a spare goroutine waits or not, and functions never wait
// for one another; after Close too.
func TestPool_RunsEverything(t *testing.T) {
	p := New(time.Minute, 4)
	var ran atomic.Int64
	var wg sync.WaitGroup
	// Two functions that each wait for the other: they must run side by side.
	a, b := make(chan struct{}), make(chan struct{})
	wg.Add(2)
	p.Go(func() { defer wg.Done(); close(a); <-b; ran.Add(1) })
	p.Go(func() { defer wg.Done(); close(b); <-a; ran.Add(1) })
	wg.Wait()
	for range 100 {
		wg.Add(1)
		p.Go(func() { defer wg.Done(); ran.Add(1) })
	}
	wg.Wait()
	p.Close()
	p.Close() // twice is fine
	wg.Add(1)
	p.Go(func() { defer wg.Done(); ran.Add(1) })
	wg.Wait()
	if n := ran.Load(); n != 103 {
		t.Errorf("%d functions ran, want 103", n)
	}
}

// A goroutine that ran a function waits for the next one, for as long as it is kept and
// no longer.
func TestPool_Keeps(t *testing.T) {
	for _, keep := range []time.Duration{time.Minute, time.Millisecond} {
		p := New(keep, 4)
		done := make(chan struct{})
		p.Go(func() { close(done) })
		<-done
		want := keep == time.Minute
		deadline := time.Now().Add(5 * time.Second)
		for waiting(p) != want {
			if time.Now().After(deadline) {
				t.Fatalf("kept for %s: a goroutine waits: %v, want %v", keep, !want, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
		p.Close()
	}
}

// waiting reports whether a goroutine of p waits for a function: a send succeeds at once
// (the function it then runs does nothing).
func waiting(p *Pool) bool {
	select {
	case p.jobs <- func() {}:
		return true
	default:
		return false
	}
}

// No more than maxIdle goroutines wait: the others end once their function returned.
func TestPool_KeepsAtMost(t *testing.T) {
	p := New(time.Minute, 2)
	defer p.Close()
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		p.Go(func() { defer wg.Done(); <-release })
	}
	close(release)
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for p.idle.Load() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines wait, want 2", p.idle.Load())
		}
		time.Sleep(time.Millisecond)
	}
}
