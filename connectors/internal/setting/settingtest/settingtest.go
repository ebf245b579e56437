// Package settingtest is for tests of the connectors' Config.Validate, whose error holds
// one problem a line, each starting with its variable's name and ": " ("CHATRA_GROUPS: ..."),
// and never quotes a secret.
package settingtest

import (
	"slices"
	"strings"
	"testing"
)

// Problems returns the lines of err, one problem each; none when err is nil.
func Problems(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// OneProblem fails t, and stops it, unless err is exactly one problem, about key; it
// fails t too when err quotes one of secrets.
func OneProblem(t testing.TB, err error, key string, secrets ...string) {
	t.Helper()
	NoSecret(t, err, secrets...)
	if p := Problems(err); len(p) != 1 || !strings.HasPrefix(p[0], key+": ") {
		t.Fatalf("error %v, want one problem, about %s", err, key)
	}
}

// Names fails t unless each of keys starts a line of err, and when err quotes one of
// secrets.
func Names(t testing.TB, err error, keys []string, secrets ...string) {
	t.Helper()
	NoSecret(t, err, secrets...)
	lines := Problems(err)
	for _, key := range keys {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, key+": ") }) {
			t.Errorf("%s is not reported in the error %v", key, err)
		}
	}
}

// NoSecret fails t when err quotes one of secrets; an empty one is passed over.
func NoSecret(t testing.TB, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if err != nil && s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes the secret %q: %v", s, err)
		}
	}
}
