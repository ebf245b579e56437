package store

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// Each family names its own streams and shares the leases' and dead streams' keys, so
// that a worker of either reaches what keys.go builds and nothing else.
func TestRedis_Streams(t *testing.T) {
	t.Parallel()
	r, c := newStore(t)
	out, in := r.OutboxStreams("desk"), r.InboundStreams()
	if out.Stream(3) != r.keys.groupOutbox("desk", 3) || in.Stream(3) != r.keys.inbound(3) {
		t.Errorf("streams of partition 3 = %s and %s", out.Stream(3), in.Stream(3))
	}
	if out.Legacy(3) != r.keys.outbox(3) || in.Legacy(3) != "" {
		t.Errorf("legacy streams of partition 3 = %q and %q", out.Legacy(3), in.Legacy(3))
	}
	for _, s := range []Streams{out, in} {
		if s.Client() != c || s.Lease("desk", 3) != r.keys.lease("desk", 3) || s.Dead(3) != r.keys.dead(3) {
			t.Errorf("family %s: client, lease %s or dead stream %s is not the store's", s.Stream(3), s.Lease("desk", 3), s.Dead(3))
		}
	}
	ev, err := out.Decode(3, redis.XMessage{ID: "5-1", Values: map[string]any{
		"t": "ticket.opened", "k": "7-3", "e": `{"type":"ticket.opened","ticket":"7-3"}`,
	}})
	if err != nil || ev.ID != "3/5-1" || out.OrderKey(ev) != "7-3" {
		t.Errorf("Decode = %+v, %v (order key %s)", ev, err, out.OrderKey(ev))
	}
}
