package chatra

import (
	"context"
	"strings"
	"time"
)

// Seen is the memory every Frontdesk process shares (store.Redis implements it, in
// Redis): Seen records id in scope for ttl and reports whether this was the first time
// within ttl; Known reports whether an id is recorded, recording nothing. The connector
// keeps in it the ids Chatra gave the messages Frontdesk sent, so that the webhook echo
// of such a message is recognised by its id, on any replica and after a restart.
type Seen interface {
	Seen(ctx context.Context, scope, id string, ttl time.Duration) (first bool, err error)
	Known(ctx context.Context, scope, id string) (bool, error)
}

// sentScope is the Seen scope of the ids of the messages Frontdesk sent to Chatra.
const sentScope = "chatra-sent"

// sentFor is how long an id is remembered: as long as the store remembers the source ids
// of relayed messages (store.Config.DedupTTL's default), so that a chat's transcript,
// sent when the chat ends, still finds the ids of the replies in it.
const sentFor = 7 * 24 * time.Hour

// Echoes by id. Chatra answers POST /messages/ with the new message and its id, and its
// webhooks carry each message's id (docs/chatra.md, "What is confirmed"). The Client
// notes the id of every message Chatra takes (remember); when an agent message comes back
// in a webhook without our receivedFrom marker, the Handler asks the same memory whether
// it knows the id (Known, which records nothing): an id recorded before is ours. A
// message a Chatra agent wrote stays unknown however often its webhook is delivered.

// remember notes that Chatra took a message of ours under id. Its error is only logged by
// the caller: the message was delivered, and a retry would send it twice.
func remember(ctx context.Context, seen Seen, id string) (first bool, err error) {
	return seen.Seen(ctx, sentScope, sentKey(id), sentFor)
}

// sentKey is id as remembered: trimmed, and hashed when too long (chatraID), the same on
// both sides.
func sentKey(id string) string { return chatraID(strings.TrimSpace(id)) }

// echoes answers, for one webhook, whether an agent message id is the echo of a message
// Frontdesk sent; it asks seen once per id.
type echoes struct {
	seen  Seen
	known map[string]bool // id → ours
}

func newEchoes(seen Seen) *echoes { return &echoes{seen: seen, known: map[string]bool{}} }

// ours reports whether m is the echo of a message Frontdesk sent, by its id. Only agent
// messages with an id are asked about; without a Seen nothing is.
func (e *echoes) ours(ctx context.Context, m message) (bool, error) {
	if e == nil || e.seen == nil || m.kind != typeAgent || strings.TrimSpace(m.id) == "" {
		return false, nil
	}
	key := sentKey(m.id)
	if ours, ok := e.known[key]; ok {
		return ours, nil
	}
	ours, err := e.seen.Known(ctx, sentScope, key)
	if err != nil {
		return false, err
	}
	e.known[key] = ours
	return ours, nil
}
