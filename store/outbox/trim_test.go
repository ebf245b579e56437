package outbox

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestWorker_Trim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := newStore(t)
	const p = 7
	fill(t, r, p, 1) // 5 events: opened, picked, 3 messages
	stream := r.out.Stream(p)
	ids := func() []string {
		var out []string
		for _, m := range c.XRange(ctx, stream, "-", "+").Val() {
			out = append(out, m.ID)
		}
		return out
	}
	all := ids()
	if len(all) != 5 {
		t.Fatalf("stream has %d entries, want 5", len(all))
	}

	// Group "desk" handles everything.
	rec := &recorder{}
	o := newWorker(t, r, "desk", rec.handle, Config{})
	stop := start(t, o)
	eventually(t, "desk handles everything", func() bool { return len(rec.done()) == 5 })
	stop()

	// Group "sink" has read two entries and acknowledged the first only.
	c.XGroupCreate(ctx, stream, "sink", "0")
	c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "sink", Consumer: "s", Streams: []string{stream, ">"}, Count: 2})
	c.XAck(ctx, stream, "sink", all[0])
	trim := func(want []string) {
		t.Helper()
		if _, err := o.trim(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got := ids(); !slices.Equal(got, want) {
			t.Errorf("after trim the stream holds %v, want %v", got, want)
		}
	}
	trim(all[1:]) // the entry sink has not acknowledged stays

	c.XAck(ctx, stream, "sink", all[1])
	trim(all[2:]) // nothing pending: what sink has not read yet stays

	// A group created at "0" that has read nothing needs everything left.
	c.XGroupCreate(ctx, stream, "late", "0")
	c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "sink", Consumer: "s", Streams: []string{stream, ">"}})
	c.XAck(ctx, stream, "sink", all[2:]...)
	trim(all[2:])

	c.XGroupDestroy(ctx, stream, "late")
	trim(nil) // every group is done with every entry

	t.Run("InRun", func(t *testing.T) {
		more := fill(t, r, p, 1)
		cfg := testConfig("c1")
		cfg.TrimEvery = 20 * time.Millisecond
		rec := &recorder{}
		start(t, newWorker(t, r, "desk", rec.handle, cfg))
		eventually(t, "desk handles the new entries", func() bool { return len(rec.done()) == 5 })
		// sink has not read them: they must stay.
		time.Sleep(100 * time.Millisecond)
		if n := c.XLen(ctx, stream).Val(); n != 5 {
			t.Errorf("stream has %d entries, want the 5 sink has not read (%d events in all)", n, len(more))
		}
		c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "sink", Consumer: "s", Streams: []string{stream, ">"}})
		c.XAck(ctx, stream, "sink", ids()...)
		eventually(t, "the stream is trimmed", func() bool { return c.XLen(ctx, stream).Val() == 0 })
	})
}

func TestStreamIDs(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{"0-0": "0-1", "5-9": "5-10", "7-18446744073709551615": "8-0", "0": "0-1", "12": "12-1"} {
		if got, err := nextID(id); err != nil || got != want {
			t.Errorf("nextID(%s) = %s, %v; want %s", id, got, err, want)
		}
	}
	for _, bad := range []string{"x", "1-x", "-1", ""} {
		if _, err := nextID(bad); err == nil {
			t.Errorf("nextID(%q) succeeded", bad)
		}
	}
	for _, tc := range []struct {
		a, b string
		less bool
	}{{"1-0", "2-0", true}, {"2-0", "10-0", true}, {"1-2", "1-10", true}, {"1-1", "1-1", false}, {"3-0", "2-9", false}} {
		if got := lessID(tc.a, tc.b); got != tc.less {
			t.Errorf("lessID(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}
