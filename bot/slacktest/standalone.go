package slacktest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// NewStandalone starts a simulator for a program rather than a test: a load driver, a
// demo. What would fail a test (the app calling a method the simulator does not know, an
// ack that never came, an Expect* call that timed out) is recorded instead and listed by
// Problems; a failed Expect* call returns nil rather than stopping the goroutine. Nothing
// closes it for the program: call Close when done. A program usually also calls
// DiscardUnexpected, since it does not consume what the bot produces.
//
// Its Web API goes through the rate-limit model (limits.go), off until SetRealLimits.
func NewStandalone(opts ...Option) *Sim {
	s := New(&recorder{}, opts...)
	installLimiter(s)
	return s
}

// NewLimited is New with the rate-limit model in front of the Web API, off until
// SetRealLimits (or SetLimits) turns it on.
func NewLimited(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	s := New(t, opts...)
	installLimiter(s)
	return s
}

// Problems lists, in order, what a simulator made by NewStandalone would have reported
// as test failures. It is nil for one made by New, which reports to its test.
func (s *Sim) Problems() []string {
	r, ok := s.t.(*recorder)
	if !ok {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.problems)
}

// recorder stands in for testing.TB outside a test. testing.TB has an unexported method,
// so only a type embedding it can satisfy it; the embedded TB stays nil and every method
// the simulator calls (Helper, Errorf, Fatalf, Logf, Failed, Cleanup) is overridden here,
// with the other common ones for safety.
type recorder struct {
	testing.TB

	mu       sync.Mutex
	problems []string
}

func (r *recorder) add(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, msg)
}

func (r *recorder) Helper()                           {}
func (r *recorder) Name() string                      { return "slacktest-standalone" }
func (r *recorder) Log(...any)                        {}
func (r *recorder) Logf(string, ...any)               {}
func (r *recorder) Cleanup(func())                    {} // the program calls Close itself
func (r *recorder) Error(args ...any)                 { r.add(fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }
func (r *recorder) Fail()                             { r.add("failed") }

// Fatal and Fatalf record and return: the simulator's callers return a zero result
// after them.
func (r *recorder) Fatal(args ...any)                 { r.add(fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }
func (r *recorder) FailNow()                          { r.add("failed") }

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.problems) > 0
}
