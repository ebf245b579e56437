package main

import "testing"

// fake is a vendor's fake server (chatratest, gladlytest): it lists the requests
// it refused.
type fake interface {
	Close()
	Strays() []string
}

// closeAtEnd closes f when the test ends, and fails the test on a request f refused.
func closeAtEnd(t *testing.T, vendor string, f fake) {
	t.Cleanup(func() {
		f.Close()
		for _, s := range f.Strays() {
			t.Errorf("the fake %s refused %s", vendor, s)
		}
	})
}
