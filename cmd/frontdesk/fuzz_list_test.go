package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestFuzzTargetsAllRun keeps scripts/fuzz.sh (what CI runs) listing every fuzz target in
// the module.
func TestFuzzTargetsAllRun(t *testing.T) {
	script, err := os.ReadFile("../../scripts/fuzz.sh")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", "../..", "grep", "-h", "-E", `^func Fuzz[A-Za-z0-9_]*\(`, "--", "*_test.go").Output()
	if err != nil {
		t.Fatalf("git grep: %v", err)
	}
	name := regexp.MustCompile(`^func (Fuzz\w*)\(`)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m := name.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		if !strings.Contains(string(script), " "+m[1]+`"`) {
			t.Errorf("scripts/fuzz.sh does not run %s", m[1])
		}
	}
	if n == 0 {
		t.Fatal("found no fuzz targets; the search is broken")
	}
}
