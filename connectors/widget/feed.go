package widget

import "context"

// Feed keeps each visitor's ordered log of items (their own messages, agents' replies,
// notices) for every replica: it is how a reply delivered on one replica reaches the
// visitor's websocket on another, and how history survives a reload. Implemented by
// store.WidgetFeed (through a small adapter in internal/app); every method may return an
// infrastructure error.
type Feed interface {
	// Append adds data as the newest item of visitor's feed and tells every process's
	// Listen about it, unless an item with key was appended before: then it returns that
	// item's seq with added=false and stores nothing (an outbox retry appends once).
	Append(ctx context.Context, visitor, key string, data []byte) (seq string, added bool, err error)
	// Read returns at most max items of visitor's feed that come after seq after (all
	// from the oldest kept when after is ""), oldest first. Old items may have been
	// dropped (the feed is capped and expires when left alone).
	Read(ctx context.Context, visitor, after string, max int) ([]Entry, error)
	// Listen calls onNew(visitor) whenever any process appends to visitor's feed, and
	// ready() each time it starts listening (again): notices sent while it was not may be
	// lost, so ready is the cue to look at every feed again. It returns when ctx is done
	// (nil) or on a failure it cannot recover from.
	Listen(ctx context.Context, ready func(), onNew func(visitor string)) error
}

// Entry is one item of a feed: its position and what was appended.
type Entry struct {
	Seq  string
	Data []byte
}

// validSeq reports whether s can be a feed position a visitor sends back: "" or digits
// and '-' (a Redis stream id), short.
func validSeq(s string) bool {
	if len(s) > 48 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
