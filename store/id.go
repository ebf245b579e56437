package store

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Partitions is the number of partitions. A ticket, its conversation and its outbox
// entries live in one partition; each partition's outbox is worked in order.
const Partitions = 16

// PartitionOf is the partition of a source conversation: crc32(source + "\x00" +
// conversation) % Partitions. Its tickets, their outbox entries and its inbound events
// all live there, so it tells code outside the store which stream they are in.
func PartitionOf(source, conversationID string) int {
	return int(crc32.ChecksumIEEE([]byte(source+"\x00"+conversationID)) % Partitions)
}

// ref is a parsed ticket id: the id and its partition.
type ref struct {
	id tickets.ID
	p  int
}

// ticketID is the id of ticket number n in partition p: "<n>-<p>".
func ticketID(n int64, p int) tickets.ID { return tickets.ID(fmt.Sprintf("%d-%d", n, p)) }

// parseID reads the partition back from a ticket id. A malformed id is ErrNotFound: no
// ticket has it.
func parseID(id tickets.ID) (ref, error) {
	num, part, ok := strings.Cut(string(id), "-")
	if !ok {
		return ref{}, tickets.ErrNotFound
	}
	n, err1 := strconv.ParseInt(num, 10, 64)
	p, err2 := strconv.Atoi(part)
	if err1 != nil || err2 != nil || n <= 0 || p < 0 || p >= Partitions ||
		ticketID(n, p) != id { // rejects "+1-2", "01-2" and the like
		return ref{}, tickets.ErrNotFound
	}
	return ref{id: id, p: p}, nil
}

// eventID is the id of the outbox entry entryID of partition p, unique across partitions.
func eventID(p int, entryID string) string { return fmt.Sprintf("%d/%s", p, entryID) }
