package store

import (
	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Streams is one family of partitioned streams, one stream per partition, that the
// outbox workers (package store/outbox) work through: the outbox of side effects or the
// inbound queue of events sources sent. It is all the workers need of the store, so that
// the keys stay built in keys.go and the entries' layout stays known to event.go alone,
// while the workers live in a package of their own.
type Streams struct {
	r       *Redis
	c       redis.UniversalClient
	keys    keys
	group   string // the consumer group whose outbox it is; "" for the inbound queue
	inbound bool
}

// OutboxStreams is the family of consumer group group's outbox of side effects, STREAM
// P{N}:outbox:<group>, which the ticket scripts append to the events group wants (see
// emit.go).
func (r *Redis) OutboxStreams(group string) Streams {
	return Streams{r: r, c: r.c, keys: r.keys, group: group}
}

// InboundStreams is the family of the inbound queue, STREAM P{N}:inbound, which Enqueue
// appends to.
func (r *Redis) InboundStreams() Streams { return Streams{r: r, c: r.c, keys: r.keys, inbound: true} }

// Client is the Redis client of the store the family belongs to.
func (s Streams) Client() redis.UniversalClient { return s.c }

// Stream is the key of partition p's stream.
func (s Streams) Stream(p int) string {
	if s.inbound {
		return s.keys.inbound(p)
	}
	return s.keys.groupOutbox(s.group, p)
}

// Legacy is the key of partition p's outbox as versions before routing wrote it, one
// stream for every group, whose groups' entries are still to be finished after an
// upgrade; "" for the inbound queue, which has none.
func (s Streams) Legacy(p int) string {
	if s.inbound {
		return ""
	}
	return s.keys.outbox(p)
}

// Lease is the key of the lease on partition p for consumer group group (see keys.lease).
// Each group works one family only, so the key need not name the family.
func (s Streams) Lease(group string, p int) string { return s.keys.lease(group, p) }

// Dead is the key of partition p's dead stream, where entries a group gave up on are set
// aside. Every family shares it: a dead entry keeps its fields, which tell them apart.
func (s Streams) Dead(p int) string { return s.keys.dead(p) }

// Attempts is the key of the HASH where group keeps, by entry id, how many times its
// handler failed on entries of partition p it has not finished (see keys.attempts).
func (s Streams) Attempts(group string, p int) string { return s.keys.attempts(group, p) }

// Decode reads entry m of partition p's stream back into the event it carries (see
// event.go).
func (s Streams) Decode(p int, m redis.XMessage) (tickets.Event, error) { return decodeEntry(p, m) }

// OrderKey is what an event's entries are worked in order by: its ticket, or, for a
// source's queued event, its conversation. Entries with different keys may be worked
// concurrently.
func (s Streams) OrderKey(ev tickets.Event) tickets.ID { return orderKey(ev) }
