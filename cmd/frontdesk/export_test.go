package main

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestExport(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	carol := w.d.open(t, "x-1", "Support Team", "Carol", "Hello there")
	dave := w.d.open(t, "x-2", "Support Team", "Dave", "Hi")
	w.support.ExpectMessage("Carol")
	w.support.ExpectMessage("Dave")
	// The cards are recorded on the tickets just after they are posted.
	for _, tk := range []*tickets.Ticket{carol, dave} {
		waitFor(t, func() bool {
			got, err := w.d.Service().Get(context.Background(), tk.ID)
			return err == nil && !got.Card.IsZero()
		})
	}
	env := environment(map[string]string{"REDIS_URL": w.vars["REDIS_URL"], "REDIS_PREFIX": w.vars["REDIS_PREFIX"]})
	var out, errOut bytes.Buffer
	if err := export(context.Background(), nil, env, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(errOut.String(), "exported 2 tickets") {
		t.Fatalf("export wrote %q (%s)", out.String(), errOut.String())
	}
	// Round trip: what is read back is the ticket and transcript as the store has them.
	for _, line := range lines {
		var got exported
		if err := json.Unmarshal([]byte(line), &got); err != nil || got.Ticket == nil {
			t.Fatalf("line %s: %v", line, err)
		}
		want, err := w.d.Service().Get(context.Background(), got.Ticket.ID)
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := w.d.Service().Transcript(context.Background(), got.Ticket.ID)
		if !reflect.DeepEqual(normalize(got.Ticket), normalize(want)) || !reflect.DeepEqual(got.Messages, msgs) || len(msgs) != 1 {
			t.Errorf("exported %+v\nwant     %+v", got, exported{Ticket: want, Messages: msgs})
		}
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

// normalize makes a ticket comparable after a JSON round trip: times in UTC, and nil for
// empty maps and slices.
func normalize(t *tickets.Ticket) *tickets.Ticket {
	b, _ := json.Marshal(t)
	var out tickets.Ticket
	_ = json.Unmarshal(b, &out)
	return &out
}
