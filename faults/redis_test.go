//go:build faults

package faults

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// redisServer is a redis-server process of the suite's own, with the persistence the
// product asks operators for: AOF on, fsynced at every write. It can be stopped and
// started again on the same port and directory.
type redisServer struct {
	port int
	dir  string
	n    int // how many times it was started (names the log files)
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedis starts redis-server on a free loopback port, with its files in dir.
func startRedis(dir string) (*redisServer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &redisServer{port: port, dir: dir}
	return r, r.start()
}

func (r *redisServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// url is the REDIS_URL of db 0.
func (r *redisServer) url() string { return "redis://" + r.addr() + "/0" }

// start runs redis-server and waits until it answers PING.
func (r *redisServer) start() error {
	r.n++
	logf, err := os.Create(filepath.Join(r.dir, fmt.Sprintf("redis-%d.log", r.n)))
	if err != nil {
		return err
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--dir", r.dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start redis-server: %w", err)
	}
	r.cmd, r.done = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(r.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if err := r.ping(); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			r.kill()
			return fmt.Errorf("redis-server on %s does not answer: %w (see %s)", r.addr(), err, logf.Name())
		}
		select {
		case <-r.done:
			return fmt.Errorf("redis-server exited at start (see %s)", logf.Name())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ping sends PING on a fresh connection and wants +PONG (not -LOADING while it reads
// its AOF).
func (r *redisServer) ping() error {
	c, err := net.DialTimeout("tcp", r.addr(), time.Second)
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

// stop shuts redis-server down as an operator would (SIGTERM: it flushes the AOF and
// exits), killing it after 20 s.
func (r *redisServer) stop() error {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
		return nil
	case <-time.After(20 * time.Second):
		r.kill()
		return errors.New("redis-server did not stop within 20s of SIGTERM; killed")
	}
}

// kill kills redis-server and waits for it.
func (r *redisServer) kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.done
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
