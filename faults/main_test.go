//go:build faults

// Package faults is the fault-injection suite (make faults): it builds the real binary,
// runs it as separate processes against the Slack simulator, a fake chatbot and a
// redis-server of its own, breaks things in the middle of a burst of messages (kill -9,
// a second replica, a Redis restart, Slack trouble, a failing chatbot, slow links) and
// counts what arrived: every message once, in order per chat. See docs/reliability.md.
//
// It only builds with the faults tag, so go test ./... leaves it out.
package faults

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/store/redisserver"
)

// suite is what TestMain sets up for every scenario: the binary and the Redis.
var suite struct {
	bin string // the frontdesk binary, built once
	dir string // the temporary directory of the run
	// redis is a redis-server of the suite's own, started here and killed at the end, with
	// the persistence the product asks operators for: AOF on, fsynced at every write. The
	// redis-restart scenario stops and restarts it on the same port and directory.
	redis *redisserver.Server

	mu             sync.Mutex
	passed, failed int
}

func TestMain(m *testing.M) { os.Exit(runSuite(m)) }

func runSuite(m *testing.M) int {
	if _, err := exec.LookPath("redis-server"); err != nil {
		fmt.Fprintln(os.Stderr, "faults: redis-server is not on PATH (scripts/redis.sh installs it):", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "frontdesk-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	suite.dir = dir
	suite.bin = filepath.Join(dir, "frontdesk")
	start := time.Now()
	build := exec.Command("go", "build", "-o", suite.bin, "./cmd/frontdesk")
	build.Dir = ".." // the module's root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "faults: go build ./cmd/frontdesk: %v\n%s", err, out)
		return 1
	}
	fmt.Printf("faults: built %s in %.1fs\n", suite.bin, time.Since(start).Seconds())

	redisDir := filepath.Join(dir, "redis")
	suite.redis, err = redisserver.Start(context.Background(), redisserver.Options{Dir: redisDir,
		Persistence: redisserver.AOF, StartTimeout: 15 * time.Second,
		Log: func(n int) string { return filepath.Join(redisDir, fmt.Sprintf("redis-%d.log", n)) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	fmt.Printf("faults: redis-server on %s (AOF, appendfsync always) in %s\n", suite.redis.Addr(), redisDir)

	code := m.Run()
	suite.redis.Kill()

	suite.mu.Lock()
	fmt.Printf("%d passed, %d failed\n", suite.passed, suite.failed)
	failed := suite.failed > 0
	suite.mu.Unlock()
	if failed || code != 0 {
		fmt.Printf("faults: logs kept in %s\n", dir)
		if code == 0 {
			code = 1
		}
	} else {
		_ = os.RemoveAll(dir)
	}
	return code
}

// record counts a scenario's outcome for the closing line.
func record(passed bool) {
	suite.mu.Lock()
	defer suite.mu.Unlock()
	if passed {
		suite.passed++
	} else {
		suite.failed++
	}
}

// summary is a scenario's one line: "crash   sent 1500  delivered 1500 ... 12.4s  PASS".
func summary(name string, f figures, extra []string, took time.Duration, passed bool) string {
	verdict := "PASS"
	if !passed {
		verdict = "FAIL"
	}
	parts := []string{fmt.Sprintf("%-17s sent %d  delivered %d  duplicated %d  lost %d  out-of-order %d",
		name, f.sent, f.delivered, f.duplicated, f.lost, f.outOfOrder)}
	parts = append(parts, extra...)
	parts = append(parts, fmt.Sprintf("%.1fs", took.Seconds()), verdict)
	return strings.Join(parts, "  ")
}
