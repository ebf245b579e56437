package store

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// A visitor's file is kept whole (any bytes), read with or without its content, gone
// when it expires, and its key lives in a slot of its own (Redis Cluster).
func TestWidgetFiles(t *testing.T) {
	t.Parallel()
	r, c := newStore(t)
	files := r.WidgetFiles()
	ctx := context.Background()
	data := []byte("\x89PNG\r\n\x1a\n\x00\xff all bytes")
	f := WidgetFile{Visitor: visitorA, Name: "router.png", MIME: "image/png", Size: int64(len(data)), Data: data}
	if err := files.Put(ctx, "id-1", f, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, found, err := files.Get(ctx, "id-1")
	if err != nil || !found || got.Visitor != visitorA || got.Name != "router.png" || got.MIME != "image/png" ||
		got.Size != int64(len(data)) || !bytes.Equal(got.Data, data) {
		t.Fatalf("Get = %+v %v %v", got, found, err)
	}
	meta, found, err := files.Meta(ctx, "id-1")
	if err != nil || !found || meta.Data != nil || meta.Size != int64(len(data)) || meta.Visitor != visitorA {
		t.Fatalf("Meta = %+v %v %v", meta, found, err)
	}
	if ttl := c.PTTL(ctx, r.keys.widgetFile("id-1")).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL %v, want up to an hour", ttl)
	}
	if _, found, err := files.Get(ctx, "id-2"); found || err != nil {
		t.Errorf("an unknown file: found %v, %v", found, err)
	}
	if err := files.Put(ctx, "id-3", f, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, found, err := files.Meta(ctx, "id-3")
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the file did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, bad := range []string{"", string(make([]byte, 65))} {
		if err := files.Put(ctx, bad, f, time.Hour); err == nil {
			t.Errorf("Put took id %q", bad)
		}
	}
	if err := files.Put(ctx, "id-4", f, 0); err == nil {
		t.Error("Put took a file that never expires")
	}
}
