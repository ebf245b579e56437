package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestExport(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.d.open(t, "x-1", "Support Team", "Carol", "Hello there")
	w.d.open(t, "x-2", "Support Team", "Dave", "Hi")
	w.support.ExpectMessage("Carol")
	w.support.ExpectMessage("Dave")
	env := environment(map[string]string{"REDIS_URL": w.vars["REDIS_URL"], "REDIS_PREFIX": w.vars["REDIS_PREFIX"]})
	var out, errOut bytes.Buffer
	if err := export(context.Background(), nil, env, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(errOut.String(), "exported 2 tickets") {
		t.Fatalf("export wrote %q (%s)", out.String(), errOut.String())
	}
	var first exported
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Ticket == nil ||
		len(first.Messages) != 1 || first.Messages[0].Text == "" {
		t.Fatalf("first line %s: %v", lines[0], err)
	}
	out.Reset()
	if err := export(context.Background(), []string{"--since", "2999-01-01"}, env, &out, &errOut); err != nil || out.Len() != 0 {
		t.Errorf("since the future: %q, %v", out.String(), err)
	}
	for _, bad := range [][]string{{"--since", "last week"}, {"extra"}, {"--until", "x"}} {
		if err := export(context.Background(), bad, env, &out, &errOut); err == nil {
			t.Errorf("export %q succeeded", bad)
		}
	}
	w.sim.DiscardUnexpected()
}
