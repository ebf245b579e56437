package store

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// detailField is the ticket HASH field of a detail (see codec.go): the detail's name, or
// "cat:<name>" for a custom category. Its origin is in "o:" + that field.
func detailField(field string) string {
	if name, ok := strings.CutPrefix(field, tickets.FieldCategoryPrefix); ok {
		return "cat:" + name
	}
	return field
}

// updateDetailsScript sets a ticket's details: each field whose value differs is set,
// with its origin, and its edit is appended to the edits LIST; an AI change (origin "ai")
// skips a field whose origin is "agent". When anything changed, updated_at is set and one
// EventUpdated is appended, its "fields" the changed fields' names.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:ticket:<id>:edits
// KEYS[3] -> P{N}:outbox-seq
// ARGV[1] -> ticket id
// ARGV[2] -> origin
// ARGV[3] -> when, RFC3339Nano
// ARGV[4], ARGV[5] -> EventUpdated's JSON before and after its fields array
// ARGV[6] -> the groups that want EventUpdated (emit)
// then per change: the HASH field, the value, the change's name, the edit as JSON
//
// Returns 0 no such ticket | 1 done.
var updateDetailsScript = redis.NewScript(emitLua + `
if redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
local changed = {}
for i = 7, #ARGV, 4 do
	local f, v = ARGV[i], ARGV[i + 1]
	local o = redis.call('HGET', KEYS[1], 'o:' .. f)
	local cur = redis.call('HGET', KEYS[1], f) or ''
	if not (ARGV[2] == 'ai' and o == 'agent') and cur ~= v then
		redis.call('HSET', KEYS[1], f, v, 'o:' .. f, ARGV[2])
		redis.call('RPUSH', KEYS[2], ARGV[i + 3])
		changed[#changed + 1] = ARGV[i + 2]
	end
end
if #changed > 0 then
	-- A closed ticket's keys expire together (Config.Retention): a new edits list too.
	local ttl = redis.call('PTTL', KEYS[1])
	if ttl > 0 then
		redis.call('PEXPIRE', KEYS[2], ttl)
	end
	redis.call('HSET', KEYS[1], 'updated_at', ARGV[3])
	emit(KEYS[3], ARGV[6], 't', 'ticket.updated', 'k', ARGV[1], 'e', ARGV[4] .. cjson.encode(changed) .. ARGV[5])
end
return 1
`)

// UpdateDetails sets ticket id's details. See tickets.Store.
func (r *Redis) UpdateDetails(ctx context.Context, id tickets.ID, changes []tickets.FieldChange, origin tickets.Origin,
	by tickets.Agent, at time.Time) (*tickets.Ticket, error) {
	ref, err := parseID(id)
	if err != nil {
		return nil, wrapErr("update details", id, err)
	}
	// The event's JSON, split where the script puts the changed fields.
	ev, groups, err := r.event(tickets.Event{Type: tickets.EventUpdated, TicketID: id, At: at, Actor: by, Fields: []string{"\x00"}})
	if err != nil {
		return nil, err
	}
	before, after, _ := strings.Cut(ev, `["\u0000"]`)
	args := []any{string(id), string(origin), fmtTime(at), before, after, groups}
	for _, c := range changes {
		value := c.Value
		if c.Field == tickets.FieldTags || c.Field == tickets.FieldAITags {
			value = strings.Join(tickets.DecodeTags(c.Value), ", ")
		}
		edit, err := marshal(tickets.Edit{Field: c.Field, Value: value, Origin: origin, By: by, At: at})
		if err != nil {
			return nil, err
		}
		args = append(args, detailField(c.Field), c.Value, c.Field, edit)
	}
	code, err := updateDetailsScript.Run(ctx, r.c,
		[]string{r.keys.ticket(ref), r.keys.edits(ref), r.keys.outboxSeq(ref.p)}, args...).Int64()
	if err == nil {
		err = outcome(code)
	}
	if err != nil {
		return nil, wrapErr("update details", id, err)
	}
	return r.Get(ctx, id)
}
