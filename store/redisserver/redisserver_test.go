package redisserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// do sends one command (inline) on a fresh connection and returns the answer, an
// array's elements joined by spaces.
func do(t *testing.T, addr, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	var reply func() string
	reply = func() string {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		line = strings.TrimSpace(line)
		n, _ := strconv.Atoi(line[1:])
		switch line[0] {
		case '$':
			if n < 0 {
				return "(nil)"
			}
			b, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(b)
		case '*':
			parts := make([]string, n)
			for i := range parts {
				parts[i] = reply()
			}
			return strings.Join(parts, " ")
		}
		return line
	}
	return reply()
}

// TestServer_AOFRestart: with AOF, what was written before a Stop is there after Restart
// on the same port, and each start has its own log.
func TestServer_AOFRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Start(context.Background(), Options{Dir: filepath.Join(dir, "data"), Persistence: AOF,
		Log: func(n int) string { return filepath.Join(dir, fmt.Sprintf("redis-%d.log", n)) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	if got := do(t, s.Addr(), "SET k v"); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	if got := do(t, s.Addr(), "CONFIG GET appendfsync"); got != "appendfsync always" {
		t.Fatalf("CONFIG GET appendfsync = %q", got)
	}
	if err := s.Restart(context.Background()); err == nil {
		t.Error("Restart of a running server succeeded")
	}
	if err := s.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := ping(s.Addr()); err == nil {
		t.Fatal("still answers after Stop")
	}
	if err := s.Stop(time.Second); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := s.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := do(t, s.Addr(), "GET k"); got != "v" {
		t.Errorf("GET k after the restart = %q, want v", got)
	}
	if s.URL() != "redis://"+s.Addr()+"/0" || s.PID() <= 0 {
		t.Errorf("URL %s, PID %d", s.URL(), s.PID())
	}
	s.Kill()
	s.Kill()
	for _, f := range []string{"redis-1.log", "redis-2.log"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestServer_Nothing: by default nothing is kept, and a given port is used.
func TestServer_Nothing(t *testing.T) {
	t.Parallel()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), Options{Port: port, Dir: t.TempDir(), Args: []string{"--databases", "2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	if s.Addr() != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("Addr = %s, want port %d", s.Addr(), port)
	}
	if got := do(t, s.Addr(), "CONFIG GET appendonly"); got != "appendonly no" {
		t.Fatalf("CONFIG GET = %q", got)
	}
	if got := do(t, s.Addr(), "SELECT 2"); !strings.HasPrefix(got, "-") {
		t.Errorf("SELECT 2 with --databases 2 = %q, want an error", got)
	}
}

// TestStart_Fails: a server that cannot start says why, naming its log.
func TestStart_Fails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "redis.log")
	_, err := Start(context.Background(), Options{Dir: dir, Args: []string{"--no-such-option", "x"},
		Log: func(int) string { return log }})
	if err == nil || !strings.Contains(err.Error(), log) {
		t.Errorf("Start with a bad option: %v, want an error naming %s", err, log)
	}
}

func TestStart_NotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := Start(context.Background(), Options{Dir: t.TempDir()}); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Start without redis-server on PATH: %v", err)
	}
}
