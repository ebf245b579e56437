package app

import (
	"reflect"
	"testing"
)

// Every connector whose settings Connectors holds is in the registry, so none is read from
// the environment and then never checked or made.
func TestRegistryHasEveryConnector(t *testing.T) {
	fields := reflect.TypeFor[Connectors]().NumField()
	reg := Connectors{}.registry()
	if len(reg) != fields {
		t.Fatalf("the registry has %d connectors, Connectors %d", len(reg), fields)
	}
	seen := map[reflect.Type]bool{}
	for _, r := range reg {
		seen[reflect.TypeOf(r.settings)] = true
	}
	for i := range fields {
		if f := reflect.TypeFor[Connectors]().Field(i); !seen[f.Type] {
			t.Errorf("Connectors.%s (%s) is in no registry entry", f.Name, f.Type)
		}
	}
}

// Each registry entry checks the settings of its own field: with one connector's settings
// filled in, exactly the entry of that field has them.
func TestRegistryEntriesMatchTheirFields(t *testing.T) {
	typ := reflect.TypeFor[Connectors]()
	for i := range typ.NumField() {
		var c Connectors
		field := reflect.ValueOf(&c).Elem().Field(i)
		if !fillString(field) {
			t.Fatalf("Connectors.%s has no string setting to mark", typ.Field(i).Name)
		}
		var marked []int
		for j, r := range c.registry() {
			if !reflect.ValueOf(r.settings).IsZero() {
				marked = append(marked, j)
			}
		}
		if len(marked) != 1 || !reflect.DeepEqual(c.registry()[marked[0]].settings, field.Interface()) {
			t.Errorf("Connectors.%s: the entries %v carry its settings, want exactly one, with them", typ.Field(i).Name, marked)
		}
	}
}

// fillString sets the first string field of v, a struct, and reports whether it had one.
func fillString(v reflect.Value) bool {
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && f.CanSet() {
			f.SetString("marked")
			return true
		}
	}
	return false
}
