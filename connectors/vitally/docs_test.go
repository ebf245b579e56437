package vitally

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryTrait keeps docs/vitally.md's trait table in step with what is sent.
func TestDocsListEveryTrait(t *testing.T) {
	raw, err := os.ReadFile("../../docs/vitally.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, tr := range Traits() {
		if row := "| " + tr.Label + " | " + tr.Type + " |"; !strings.Contains(doc, row) {
			t.Errorf("docs/vitally.md has no row %q", row)
		}
	}
}
