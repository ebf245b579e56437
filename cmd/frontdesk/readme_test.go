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
	vars := settings(reflect.TypeFor[env]())
	if len(vars) < 40 {
		t.Fatalf("env declares %d variables; the connectors' were not found", len(vars))
	}
	for _, f := range vars {
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

// settings returns the fields of typ that are environment variables, within the groups of
// settings (the connectors' Configs) too, as processEnv reads them.
func settings(typ reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch {
		case f.Tag.Get("ignored") == "true":
		case f.Tag.Get("envconfig") != "":
			out = append(out, f)
		case f.Type.Kind() == reflect.Struct:
			out = append(out, settings(f.Type)...)
		}
	}
	return out
}
