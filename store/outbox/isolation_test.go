package outbox

import (
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/store/redistest"
)

// A Worker of a store handles that store's events only, never those of another store
// under another prefix on the same Redis.
func TestWorker_PrefixIsolation(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Open(t)
	a, b := storeOn(t, c, prefix+"a:"), storeOn(t, c, prefix+"b:")
	// In different partitions, so that the two tickets' ids differ too.
	open(t, a, convsIn("conv", 1, 1)[0])
	btk := open(t, b, convsIn("conv", 2, 1)[0])

	rec := &recorder{}
	start(t, newWorker(t, b, "desk", rec.handle, Config{}))
	eventually(t, "b's EventOpened is handled", func() bool { return len(rec.done()) == 1 })
	time.Sleep(100 * time.Millisecond)
	if evs := rec.done(); len(evs) != 1 || evs[0].TicketID != btk.ID {
		t.Errorf("b's worker handled %+v, want only b's own ticket %s", evs, btk.ID)
	}
	if n := pendingCount(t, a, "desk"); n != 0 {
		t.Errorf("b's worker read %d of a's entries", n)
	}
}
