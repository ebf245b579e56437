package store

import (
	"context"
	"errors"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_SetSync(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-sync", nil)
	synced := func() []tickets.Event {
		var out []tickets.Event
		for _, ev := range events(t, r, tk.ID) {
			if ev.Type == tickets.EventSynced {
				out = append(out, ev)
			}
		}
		return out
	}

	clean := tickets.SyncStatus{Synced: true, RemoteID: "ins_1", Where: "Account Acme", LastEvent: "e1", At: t0}
	if err := r.SetSync(ctx, tk.ID, "vitally", clean); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Syncs["vitally"]; s.RemoteID != "ins_1" || !s.Synced || s.Where != "Account Acme" || !s.At.Equal(t0) {
		t.Fatalf("Syncs = %+v", got.Syncs)
	}
	if n := len(synced()); n != 0 {
		t.Fatalf("a first clean sync raised %d ticket.synced events; it is not news", n)
	}

	// Same outcome, another event: no news.
	clean.LastEvent = "e2"
	if err := r.SetSync(ctx, tk.ID, "vitally", clean); err != nil {
		t.Fatal(err)
	}
	if n := len(synced()); n != 0 {
		t.Fatalf("an unchanged outcome raised %d events", n)
	}

	// Failing: news once, not again while the reason stays.
	fail := tickets.SyncStatus{Reason: "no Organization or Account", At: t0}
	for range 2 {
		if err := r.SetSync(ctx, tk.ID, "vitally", fail); err != nil {
			t.Fatal(err)
		}
	}
	evs := synced()
	if len(evs) != 1 || evs[0].Sink != "vitally" || evs[0].Sync == nil || evs[0].Sync.Reason != fail.Reason {
		t.Fatalf("events after failing twice = %+v", evs)
	}
	// Recovered: news.
	if err := r.SetSync(ctx, tk.ID, "vitally", clean); err != nil {
		t.Fatal(err)
	}
	if evs := synced(); len(evs) != 2 || !evs[1].Sync.Synced {
		t.Fatalf("events after recovering = %+v", evs)
	}

	// Another sink is kept apart.
	if err := r.SetSync(ctx, tk.ID, "other", fail); err != nil {
		t.Fatal(err)
	}
	got, _ = r.Get(ctx, tk.ID)
	if len(got.Syncs) != 2 || got.Syncs["vitally"].Failing() || !got.Syncs["other"].Failing() {
		t.Errorf("Syncs = %+v", got.Syncs)
	}

	before := snapshot(t, r)
	if err := r.SetSync(ctx, "404-1", "vitally", clean); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("SetSync on a missing ticket = %v", err)
	}
	if err := r.SetSync(ctx, tk.ID, "bad:name", clean); !errors.Is(err, tickets.ErrInvalid) {
		t.Errorf("SetSync with a bad sink name = %v", err)
	}
	unchanged(t, r, before)
}
