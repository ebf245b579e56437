package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestREADMEDocumentsEnv checks that README.md has a table row for every variable of env
// that shows its default.
func TestREADMEDocumentsEnv(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // variable → its table row
	for line := range strings.Lines(string(readme)) {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.HasPrefix(line, "|") {
			rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = line
		}
	}
	typ := reflect.TypeFor[env]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		key := f.Tag.Get("envconfig")
		row, ok := rows[key]
		if !ok {
			t.Errorf("README.md has no table row for %s", key)
			continue
		}
		if def := f.Tag.Get("default"); def != "" && !strings.Contains(row, "`"+def+"`") {
			t.Errorf("README.md's row for %s does not show its default `%s`", key, def)
		}
	}
}
