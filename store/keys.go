package store

import (
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// keys builds every Redis key the store uses; nothing else puts keys together. Keys of a
// partition start with the partition's hash tag {N}, so that all keys one script touches
// live in one Redis Cluster slot. P below is the prefix.
type keys struct{ prefix string }

// tag is the start of partition p's keys: P{N}:
func (k keys) tag(p int) string { return fmt.Sprintf("%s{%d}:", k.prefix, p) }

// conv is a STRING P{N}:conv:<source>:<conv> holding the id of the conversation's open
// ticket. Source names contain no ':' (tickets validates them).
func (k keys) conv(p int, source, conversationID string) string {
	return k.tag(p) + "conv:" + source + ":" + conversationID
}

// lastClosed is a STRING P{N}:lastclosed:<source>:<conv> holding the id of the
// conversation's latest closed ticket (the one a CSAT rating is for).
func (k keys) lastClosed(p int, source, conversationID string) string {
	return k.tag(p) + "lastclosed:" + source + ":" + conversationID
}

// ticket is a HASH P{N}:ticket:<id> of the ticket's fields (see codec.go).
func (k keys) ticket(r ref) string { return k.tag(r.p) + "ticket:" + string(r.id) }

// transfers is a LIST P{N}:ticket:<id>:transfers of JSON tickets.Transfer, oldest first.
func (k keys) transfers(r ref) string { return k.ticket(r) + ":transfers" }

// messages is a LIST P{N}:ticket:<id>:messages of JSON tickets.Message: the transcript.
func (k keys) messages(r ref) string { return k.ticket(r) + ":messages" }

// held is a LIST P{N}:ticket:<id>:held of JSON tickets.Message: customer messages taken
// while the ticket was pending, replayed into the inbox on pick.
func (k keys) held(r ref) string { return k.ticket(r) + ":held" }

// edits is a LIST P{N}:ticket:<id>:edits of JSON tickets.Edit: the details' history.
func (k keys) edits(r ref) string { return k.ticket(r) + ":edits" }

// cards is a HASH P{N}:ticket:<id>:cards of event id → JSON tickets.Card.
func (k keys) cards(r ref) string { return k.ticket(r) + ":cards" }

// seen is a STRING with a TTL, P{N}:seen:<id>:<direction>:<source message id>: that
// message was added to the ticket already.
func (k keys) seen(r ref, d tickets.Direction, sourceMessageID string) string {
	return k.tag(r.p) + "seen:" + string(r.id) + ":" + string(d) + ":" + sourceMessageID
}

// open is a ZSET P{N}:open of the partition's open ticket ids, scored by creation time
// in unix ms.
func (k keys) open(p int) string { return k.tag(p) + "open" }

// outbox is a STREAM P{N}:outbox: the partition's transactional outbox as versions before
// the outbox was routed wrote it, for every group at once. Workers finish what it holds
// (store/outbox's legacy.go); nothing is appended to it any more.
func (k keys) outbox(p int) string { return k.tag(p) + "outbox" }

// groupOutbox is a STREAM P{N}:outbox:<group>: the events of the partition's
// transactional outbox that consumer group group acts on (see emit.go and event.go).
func (k keys) groupOutbox(group string, p int) string { return k.tag(p) + "outbox:" + group }

// latest is a HASH P{N}:outbox:<group>:latest: the events group needs only the latest of
// (tickets.Latest), one per key (the field), each as "<order> <entry id> <type> <ticket
// id> <event JSON>" (see latest.go).
func (k keys) latest(group string, p int) string { return k.groupOutbox(group, p) + ":latest" }

// latestSince is a ZSET P{N}:outbox:<group>:since: for each key of latest, since when (unix
// ms, the score) an event of it has been waiting there (see latest.go).
func (k keys) latestSince(group string, p int) string { return k.groupOutbox(group, p) + ":since" }

// outboxSeq is a STRING P{N}:outbox-seq: the last outbox event id given in the partition
// (see emit.go).
func (k keys) outboxSeq(p int) string { return k.tag(p) + "outbox-seq" }

// timers is a ZSET P{N}:timers of events to append to the outbox later, scored by their
// due time in unix ms (see timers.go).
func (k keys) timers(p int) string { return k.tag(p) + "timers" }

// inbound is a STREAM P{N}:inbound: events sources sent, queued to be worked through in
// order per conversation (see enqueue.go).
func (k keys) inbound(p int) string { return k.tag(p) + "inbound" }

// seenInbound is a STRING with a TTL, P{N}:seen:in:<source>:<event id>: the source's event
// was enqueued already.
func (k keys) seenInbound(p int, source, eventID string) string {
	return k.tag(p) + "seen:in:" + source + ":" + eventID
}

// dead is a STREAM P{N}:dead of outbox entries a consumer group gave up on.
func (k keys) dead(p int) string { return k.tag(p) + "dead" }

// attempts is a HASH P{N}:attempts:<group>: for each entry of partition p the group's
// handler failed on and has not finished, by entry id, how many times it failed, so that
// the count goes on when another consumer takes the entry over. It expires a day after
// its last failure.
func (k keys) attempts(group string, p int) string { return k.tag(p) + "attempts:" + group }

// ticketSeq is a STRING P+"seq:ticket": the counter ticket numbers are taken from.
func (k keys) ticketSeq() string { return k.prefix + "seq:ticket" }

// inbox is a STRING P+"inbox:<channel>" holding the id of the channel's ticket.
func (k keys) inbox(channelID string) string { return k.prefix + "inbox:" + channelID }

// settings is a STRING P+"settings" of JSON tickets.Settings.
func (k keys) settings() string { return k.prefix + "settings" }

// seenGlobal is a STRING with a TTL, P+"seen:<scope>:<id>": id was seen in scope.
func (k keys) seenGlobal(scope, id string) string { return k.prefix + "seen:" + scope + ":" + id }

// note is a STRING with a TTL, P+"note:<scope>:<id>", holding a value Note kept.
func (k keys) note(scope, id string) string { return k.prefix + "note:" + scope + ":" + id }

// secret is a STRING P+"secret:<name>" of random bytes every process shares (e.g. the key
// that signs file links).
func (k keys) secret(name string) string { return k.prefix + "secret:" + name }

// mark is a STRING P+"mark:<name>" holding, RFC3339Nano, when the mark was first made
// (e.g. when the Vitally sync was first configured by the environment).
func (k keys) mark(name string) string { return k.prefix + "mark:" + name }

// socketEpoch is a STRING counter, P+"{socket}:epoch": raised whenever a Socket Mode
// connection of the app may have ended with events in flight (bot/gaps.go).
func (k keys) socketEpoch() string { return k.prefix + "{socket}:epoch" }

// socketMembers is a ZSET, P+"{socket}:members": each running bot (member) scored by the
// unix milliseconds of its latest heartbeat. It shares socketEpoch's hash tag.
func (k keys) socketMembers() string { return k.prefix + "{socket}:members" }

// socketRead is a HASH, P+"{socket}:read": each running bot (member) → the socket epoch
// its latest heartbeat read. It shares socketEpoch's hash tag.
func (k keys) socketRead() string { return k.prefix + "{socket}:read" }

// lease is a STRING with a TTL, P+"lease:<group>:<N>", holding the name of the consumer
// that works partition N's outbox for group.
func (k keys) lease(group string, p int) string {
	return fmt.Sprintf("%slease:%s:%d", k.prefix, group, p)
}

// widgetTag is the hash tag of a website visitor's keys, P+"widget:{<visitor>}:": the
// keys of one append live in one Redis Cluster slot.
func (k keys) widgetTag(visitor string) string { return k.prefix + "widget:{" + visitor + "}:" }

// widgetFeed is a STREAM P+"widget:{<visitor>}:feed" of the visitor's items (field d).
func (k keys) widgetFeed(visitor string) string { return k.widgetTag(visitor) + "feed" }

// widgetKeys is a HASH P+"widget:{<visitor>}:keys" of append key → the stream id it got.
func (k keys) widgetKeys(visitor string) string { return k.widgetTag(visitor) + "keys" }

// widgetOrder is a LIST P+"widget:{<visitor>}:order" of the append keys in widgetKeys,
// oldest first, so the oldest can be forgotten.
func (k keys) widgetOrder(visitor string) string { return k.widgetTag(visitor) + "order" }

// widgetChannel is the Pub/Sub channel P+"widget:new" whose messages are the visitors
// whose feeds grew.
func (k keys) widgetChannel() string { return k.prefix + "widget:new" }

// widgetFile is a HASH P+"widget:file:{<id>}" of a file a website visitor attached
// (WidgetFiles): fields visitor, name, mime, size, data; it expires.
func (k keys) widgetFile(id string) string { return k.prefix + "widget:file:{" + id + "}" }
