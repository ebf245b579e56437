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
