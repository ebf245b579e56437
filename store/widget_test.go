package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

const visitorA, visitorB = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"

func TestWidgetFeed_Append(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	f := r.WidgetFeed(WidgetFeedConfig{})
	ctx := context.Background()

	t.Run("OnceByKey", func(t *testing.T) {
		seq, added, err := f.Append(ctx, visitorA, "o/ev-1", []byte(`{"n":1}`))
		if err != nil || !added || seq == "" {
			t.Fatalf("Append = %q %v %v", seq, added, err)
		}
		again, added, err := f.Append(ctx, visitorA, "o/ev-1", []byte(`{"n":"other"}`))
		if err != nil || added || again != seq {
			t.Fatalf("Append again = %q %v %v, want %q, not added", again, added, err, seq)
		}
		got, err := f.Read(ctx, visitorA, "", 10)
		if err != nil || len(got) != 1 || string(got[0].Data) != `{"n":1}` || got[0].Seq != seq {
			t.Fatalf("Read = %v %v, want the one item", got, err)
		}
	})

	t.Run("ConcurrentRetriesStoreOnce", func(t *testing.T) {
		var wg sync.WaitGroup
		seqs := make([]string, 20)
		for i := range seqs {
			wg.Go(func() {
				seq, _, err := f.Append(ctx, visitorB, "o/same", []byte(`{}`))
				if err != nil {
					t.Error(err)
				}
				seqs[i] = seq
			})
		}
		wg.Wait()
		for _, s := range seqs {
			if s != seqs[0] {
				t.Fatalf("retries got different seqs: %v", seqs)
			}
		}
		if got, _ := f.Read(ctx, visitorB, "", 100); len(got) != 1 {
			t.Fatalf("%d items stored, want 1", len(got))
		}
	})

	t.Run("OrderAndResume", func(t *testing.T) {
		const v = "00000000000000000000000000000001"
		var seqs []string
		for i := range 5 {
			seq, _, err := f.Append(ctx, v, fmt.Sprint("k", i), fmt.Appendf(nil, `{"i":%d}`, i))
			if err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, seq)
		}
		got, err := f.Read(ctx, v, seqs[1], 2)
		if err != nil || len(got) != 2 || got[0].Seq != seqs[2] || got[1].Seq != seqs[3] {
			t.Fatalf("Read after %s = %v %v, want items 2 and 3", seqs[1], got, err)
		}
		if got, _ := f.Read(ctx, v, seqs[4], 10); len(got) != 0 {
			t.Fatalf("Read after the last = %v, want none", got)
		}
		if _, err := f.Read(ctx, v, "1-0) OR (", 10); err == nil {
			t.Fatal("Read took a bad position")
		}
	})

	t.Run("OtherVisitorsApart", func(t *testing.T) {
		got, _ := f.Read(ctx, visitorA, "", 100)
		for _, e := range got {
			if string(e.Data) == `{}` {
				t.Fatalf("visitor A reads visitor B's item %v", e)
			}
		}
	})

	t.Run("BadVisitor", func(t *testing.T) {
		for _, v := range []string{"", "a}b", "a{b", "a:b"} {
			if _, _, err := f.Append(ctx, v, "k", []byte(`{}`)); err == nil {
				t.Errorf("Append for visitor %q succeeded", v)
			}
		}
	})

	t.Run("KeysShareASlot", func(t *testing.T) {
		k := r.keys
		a := k.widgetFeed(visitorA)
		for _, other := range []string{k.widgetKeys(visitorA), k.widgetOrder(visitorA)} {
			if hashTag(a) != hashTag(other) {
				t.Errorf("%s and %s have different hash tags", a, other)
			}
		}
		if hashTag(a) == a {
			t.Errorf("%s has no hash tag", a)
		}
	})
}

// hashTag is the part of key Redis Cluster hashes: between the first '{' and the next '}'.
func hashTag(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' && j > i+1 {
					return key[i+1 : j]
				}
			}
			break
		}
	}
	return key
}

func TestWidgetFeed_CapAndTTL(t *testing.T) {
	t.Parallel()
	r, c := newStore(t)
	f := r.WidgetFeed(WidgetFeedConfig{MaxItems: 3, TTL: time.Hour, KeepKeys: 4})
	ctx := context.Background()
	var seqs []string
	for i := range 6 {
		seq, _, err := f.Append(ctx, visitorA, fmt.Sprint("k", i), fmt.Appendf(nil, "%d", i))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	got, err := f.Read(ctx, visitorA, "", 100)
	if err != nil || len(got) != 3 || string(got[0].Data) != "3" || string(got[2].Data) != "5" {
		t.Fatalf("Read = %v %v, want the newest 3 items", got, err)
	}
	// The latest 4 keys are remembered; older ones are forgotten, within bounds.
	if n, _ := c.HLen(ctx, r.keys.widgetKeys(visitorA)).Result(); n != 4 {
		t.Errorf("%d keys remembered, want 4", n)
	}
	if seq, added, _ := f.Append(ctx, visitorA, "k2", []byte("2")); added || seq != seqs[2] {
		t.Errorf("a remembered key was appended again (%q, added %v)", seq, added)
	}
	for _, key := range []string{r.keys.widgetFeed(visitorA), r.keys.widgetKeys(visitorA), r.keys.widgetOrder(visitorA)} {
		ttl, err := c.PTTL(ctx, key).Result()
		if err != nil || ttl <= 0 || ttl > time.Hour {
			t.Errorf("%s has TTL %s (%v), want at most an hour", key, ttl, err)
		}
	}
	// An append starts the TTL again.
	if err := c.PExpire(ctx, r.keys.widgetFeed(visitorA), time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Append(ctx, visitorA, "k9", []byte("9")); err != nil {
		t.Fatal(err)
	}
	if ttl, _ := c.PTTL(ctx, r.keys.widgetFeed(visitorA)).Result(); ttl <= time.Minute {
		t.Errorf("TTL after an append = %s, want it refreshed to about an hour", ttl)
	}
}

func TestWidgetFeed_Listen(t *testing.T) {
	t.Parallel()
	r, _ := newStore(t)
	f := r.WidgetFeed(WidgetFeedConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{}, 10)
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- f.Listen(ctx, func() { ready <- struct{}{} }, func(v string) { got <- v })
	}()
	wait := func(what string, ch <-chan string) string {
		t.Helper()
		select {
		case v := <-ch:
			return v
		case <-time.After(20 * time.Second):
			t.Fatalf("never got %s", what)
			return ""
		}
	}
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("Listen never said it was ready")
	}
	// A second store on the same Redis (another replica) appends: this one hears of it.
	other, err := New(r.c, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.WidgetFeed(WidgetFeedConfig{}).Append(context.Background(), visitorB, "k", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if v := wait("the append's notice", got); v != visitorB {
		t.Fatalf("notice for %q, want %q", v, visitorB)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Listen returned %v after ctx's end, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Listen did not return after ctx's end")
	}
}

func TestWidgetFeed_ListenKeepsToItsPrefix(t *testing.T) {
	t.Parallel()
	r1, _ := newStore(t)
	r2, _ := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{}, 1)
	got := make(chan string, 10)
	go func() {
		_ = r1.WidgetFeed(WidgetFeedConfig{}).Listen(ctx, func() { ready <- struct{}{} }, func(v string) { got <- v })
	}()
	<-ready
	// Another install's append (another prefix) is not heard; this install's is, after it.
	if _, _, err := r2.WidgetFeed(WidgetFeedConfig{}).Append(ctx, visitorA, "k", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r1.WidgetFeed(WidgetFeedConfig{}).Append(ctx, visitorB, "k", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if v != visitorB {
			t.Fatalf("heard %q first, want only this install's %q", v, visitorB)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("never heard this install's append")
	}
}
