//go:build faults

package faults

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// latencyProxy forwards TCP connections to target, holding back every read from the
// target by a random delay between lo and hi before it reaches the client (data keeps
// its order; delays overlap, so it adds latency without capping throughput).
type latencyProxy struct {
	ln     net.Listener
	target string
	lo, hi time.Duration

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, target string, lo, hi time.Duration) *latencyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &latencyProxy{ln: ln, target: target, lo: lo, hi: hi}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *latencyProxy) addr() string { return p.ln.Addr().String() }

func (p *latencyProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			_, _ = io.Copy(s, c) // client → Redis at once
			s.Close()
			c.Close()
		}()
		go func() {
			defer p.wg.Done()
			p.delayed(c, s) // Redis → client, late
			s.Close()
			c.Close()
		}()
	}
}

// chunk is data read from the target and when it may be written to the client.
type chunk struct {
	data []byte
	due  time.Time
}

// delayed copies from src to dst, each read held back by a random delay.
func (p *latencyProxy) delayed(dst, src net.Conn) {
	ch := make(chan chunk, 4096)
	go func() {
		defer close(ch)
		var last time.Time
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				due := time.Now().Add(p.lo + rand.N(p.hi-p.lo+1))
				if due.Before(last) {
					due = last // in order
				}
				last = due
				ch <- chunk{data: append([]byte(nil), buf[:n]...), due: due}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.data); err != nil {
			src.Close()
			for range ch { // let the reader finish
			}
			return
		}
	}
}

func (p *latencyProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// pingThrough times a Redis PING through addr (the proxy), on a fresh connection.
func pingThrough(t *testing.T, addr string) time.Duration {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	buf := make([]byte, 16)
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAtLeast(c, buf, len("+PONG\r\n")); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}
