//go:build faults

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is one frontdesk process, its stdout and stderr in files.
type proc struct {
	name    string
	addr    string // HTTP_ADDR
	cmd     *exec.Cmd
	outPath string
	errPath string
	done    chan struct{}
	waitErr error
	killed  bool // by the harness (kill -9)
}

// startProc runs the binary with env (NAME=value) serving HTTP on addr.
func startProc(dir, name, addr string, env map[string]string) (*proc, error) {
	p := &proc{name: name, addr: addr, done: make(chan struct{}),
		outPath: filepath.Join(dir, name+".stdout.log"), errPath: filepath.Join(dir, name+".stderr.log")}
	out, err := os.Create(p.outPath)
	if err != nil {
		return nil, err
	}
	errf, err := os.Create(p.errPath)
	if err != nil {
		out.Close()
		return nil, err
	}
	p.cmd = exec.Command(suite.bin)
	p.cmd.Stdout, p.cmd.Stderr = out, errf
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Only what the harness sets, plus what any process needs.
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			p.cmd.Env = append(p.cmd.Env, k+"="+v)
		}
	}
	for _, k := range keys {
		p.cmd.Env = append(p.cmd.Env, k+"="+env[k])
	}
	p.cmd.Env = append(p.cmd.Env, "HTTP_ADDR="+addr)
	if err := p.cmd.Start(); err != nil {
		out.Close()
		errf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		out.Close()
		errf.Close()
		close(p.done)
	}()
	return p, nil
}

// alive reports whether the process is still running.
func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill is kill -9, and waits for the process to be gone.
func (p *proc) kill() {
	p.killed = true
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop is SIGTERM (the binary's graceful shutdown), then SIGKILL after grace.
func (p *proc) stop(grace time.Duration) error {
	if !p.alive() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.waitErr != nil {
			return fmt.Errorf("%s exited with %v after SIGTERM", p.name, p.waitErr)
		}
		return nil
	case <-time.After(grace):
		p.kill()
		return fmt.Errorf("%s did not stop within %v of SIGTERM; killed", p.name, grace)
	}
}

// readyz is the status of GET /readyz, or 0 when nothing answers.
func (p *proc) readyz(hc *http.Client) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/readyz", nil)
	res, err := hc.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// waitReady waits until /readyz answers 200 (Redis and Slack reachable).
func (p *proc) waitReady(hc *http.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if !p.alive() {
			return fmt.Errorf("%s exited before it was ready: %v", p.name, p.waitErr)
		}
		if p.readyz(hc) == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %v", p.name, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dump logs the end of the process's stdout and its stderr, for a failed scenario.
func (p *proc) dump(t *testing.T, lines int) {
	t.Helper()
	status := "running"
	if !p.alive() {
		status = fmt.Sprintf("exited: %v", p.waitErr)
		if p.killed {
			status += " (killed by the harness)"
		}
	}
	t.Logf("==== %s (%s), %s ====\n%s\n---- last lines ----\n%s", p.name, status, p.outPath,
		logSummary(p.outPath), tail(p.outPath, lines))
	if s := tail(p.errPath, 10); strings.TrimSpace(s) != "" {
		t.Logf("==== %s stderr (%d lines), %s ====\n%s", p.name, countLines(p.errPath), p.errPath, s)
	}
}

// logSummary counts the warn and error lines of a JSON log by message.
func logSummary(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	counts := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		var l struct{ Level, Logger, Msg string }
		if json.Unmarshal([]byte(line), &l) != nil || l.Level != "warn" && l.Level != "error" {
			continue
		}
		counts[fmt.Sprintf("%-5s %s: %s", l.Level, l.Logger, l.Msg)]++
	}
	if len(counts) == 0 {
		return "no warnings or errors"
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%6d × %s\n", counts[k], k)
	}
	return strings.TrimRight(sb.String(), "\n")
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = append([][]byte{[]byte(fmt.Sprintf("... (%d lines before)", len(lines)-n))}, lines[len(lines)-n:]...)
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// countLines counts the lines of a file.
func countLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}
