package store

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// syncField and syncOutcomeField are the ticket HASH fields holding a sink's
// tickets.SyncStatus (JSON) and its Outcome, which setSyncScript compares.
func syncField(sink string) string        { return "sync:" + sink }
func syncOutcomeField(sink string) string { return "sync_outcome:" + sink }

// setSyncScript records a sink's status for a ticket and, when agents should hear of the
// change (tickets.SyncNews: the outcome changed and the old or the new one is failing,
// i.e. starts with '!'), appends EventSynced.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> the status field, ARGV[3] the status, JSON
// ARGV[4] -> the outcome field, ARGV[5] the outcome
// ARGV[6] -> EventSynced, JSON
// ARGV[7] -> the groups that want it (emit)
//
// Returns 1 recorded | 0 no such ticket.
var setSyncScript = redis.NewScript(emitLua + `
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
local prev = redis.call('HGET', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
local failing = string.sub(ARGV[5], 1, 1) == '!'
local wasFailing = prev and string.sub(prev, 1, 1) == '!'
if prev ~= ARGV[5] and (failing or wasFailing) then
	emit(KEYS[2], ARGV[7], 't', 'ticket.synced', 'k', ARGV[1], 'e', ARGV[6])
end
return 1
`)

// SetSync records where ticket id stands with sink. See tickets.Store.
func (r *Redis) SetSync(ctx context.Context, id tickets.ID, sink string, s tickets.SyncStatus) error {
	ref, err := parseID(id)
	if err != nil {
		return wrapErr("set sync", id, err)
	}
	if sink == "" || strings.ContainsAny(sink, ":\x00") {
		return wrapErr("set sync", id, tickets.ErrInvalid)
	}
	s.Reason = tickets.Clip(s.Reason, tickets.MaxSyncReasonBytes)
	s.Where = tickets.Clip(s.Where, tickets.MaxSyncReasonBytes)
	status, err := marshal(s)
	if err != nil {
		return err
	}
	ev, groups, err := r.event(tickets.Event{Type: tickets.EventSynced, TicketID: id, At: s.At, Sink: sink, Sync: &s})
	if err != nil {
		return err
	}
	code, err := setSyncScript.Run(ctx, r.c, []string{r.keys.ticket(ref), r.keys.outboxSeq(ref.p)},
		string(id), syncField(sink), status, syncOutcomeField(sink), s.Outcome(), ev, groups).Int64()
	if err != nil {
		return wrapErr("set sync", id, err)
	}
	return wrapErr("set sync", id, outcome(code))
}
