// Package redisserver starts a redis-server of one's own, from PATH, on a loopback port:
// the one the fault-injection suite breaks and restarts, the benchmark's, and
// `frontdesk demo`'s. It is ordinary code (the demo ships in the binary), so it imports
// neither testing nor a Redis client.
package redisserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled is Start's error when redis-server is not on PATH.
var ErrNotInstalled = errors.New("redis-server is not installed")

// Persistence is what the server keeps on disk, in Options.Dir.
type Persistence int

const (
	// Nothing keeps nothing: --save "" --appendonly no.
	Nothing Persistence = iota
	// AOF appends every write to the append-only file and fsyncs it before answering
	// (--appendonly yes --appendfsync always --save ""), so that a restart reads back
	// everything that was acknowledged.
	AOF
)

// args are the redis-server arguments of p.
func (p Persistence) args() []string {
	if p == AOF {
		return []string{"--appendonly", "yes", "--appendfsync", "always", "--save", ""}
	}
	return []string{"--save", "", "--appendonly", "no"}
}

// Options says how to run the server.
type Options struct {
	// Port is the loopback port it listens on; 0 picks a free one (once: Restart keeps it).
	Port int
	// Dir is its working directory (--dir), where an append-only file goes. It is created
	// if missing.
	Dir         string
	Persistence Persistence
	// Args are more redis-server arguments, after those Start gives (--port, --bind
	// 127.0.0.1, --dir and the persistence ones).
	Args []string
	// Log names the file that takes the server's output, given which start this is (1 for
	// the first, 2 for the first Restart, …); nil discards the output.
	Log func(start int) string
	// StartTimeout is how long a start waits for the server to answer PING (10 s if 0).
	StartTimeout time.Duration
	// SysProcAttr, if set, is given to the process (for example a parent-death signal).
	SysProcAttr *syscall.SysProcAttr
}

// Server is a running (or stopped) redis-server.
type Server struct {
	bin    string
	opts   Options
	starts int // how many times it was started

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start runs redis-server as o says and waits until it answers PING (not -LOADING), at
// most o.StartTimeout or until ctx ends; then it kills it. The error says where its log
// is. A missing redis-server is ErrNotInstalled.
func Start(ctx context.Context, o Options) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	if o.Port == 0 {
		if o.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 10 * time.Second
	}
	s := &Server{bin: bin, opts: o}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Restart starts the server again after Stop or Kill, on the same port and directory,
// and waits as Start does.
func (s *Server) Restart(ctx context.Context) error {
	if s.running() {
		return fmt.Errorf("redis-server on %s is still running", s.Addr())
	}
	return s.start(ctx)
}

// Addr is the server's address, 127.0.0.1:<port>.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.opts.Port)) }

// URL is the REDIS_URL of its db 0.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// PID is the process id of the current start.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid
}

// Stop shuts the server down as an operator would: SIGTERM, upon which it writes out
// what it keeps and exits. After grace it is killed, and Stop says so. Stopping a server
// that is not running does nothing.
func (s *Server) Stop(grace time.Duration) error {
	cmd, done := s.current()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return nil
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("redis-server did not stop within %v of SIGTERM; killed", grace)
	}
}

// Kill kills the server (SIGKILL) and waits until it is gone. Killing a server that is
// not running does nothing.
func (s *Server) Kill() {
	if cmd, done := s.current(); cmd != nil {
		_ = cmd.Process.Kill()
		<-done
	}
}

// current is the process and its exit channel, or nil when none is running.
func (s *Server) current() (*exec.Cmd, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil, nil
	}
	select {
	case <-s.done:
		return nil, nil
	default:
		return s.cmd, s.done
	}
}

func (s *Server) running() bool {
	cmd, _ := s.current()
	return cmd != nil
}

// start runs the process once and waits until it answers.
func (s *Server) start(ctx context.Context) error {
	s.starts++
	o := s.opts
	cmd := exec.Command(s.bin, append(append([]string{"--port", strconv.Itoa(o.Port), "--bind", "127.0.0.1", "--dir", o.Dir},
		o.Persistence.args()...), o.Args...)...)
	cmd.SysProcAttr = o.SysProcAttr
	var out *os.File
	log := ""
	if o.Log != nil {
		log = o.Log(s.starts)
		var err error
		if out, err = os.Create(log); err != nil {
			return err
		}
		cmd.Stdout, cmd.Stderr = out, out
	}
	if err := cmd.Start(); err != nil {
		if out != nil {
			out.Close()
		}
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		if out != nil {
			out.Close()
		}
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	see := ""
	if log != "" {
		see = " (see " + log + ")"
	}
	deadline := time.Now().Add(o.StartTimeout)
	for {
		err := ping(s.Addr())
		if err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited at start%s", see)
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("redis-server on %s does not answer: %v%s", s.Addr(), err, see)
		}
	}
}

// ping sends PING on a fresh connection and wants +PONG (not -LOADING, which a server
// reading its append-only file answers).
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return errors.New(strings.TrimSpace(line))
	}
	return nil
}

// FreePort returns a loopback TCP port nothing listens on now (a port is rarely taken
// between this and its use).
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
