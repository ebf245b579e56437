package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// closeScript closes an open ticket and frees its conversation for a new one.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:conv:<source>:<conv>
// KEYS[3] -> P{N}:open
// KEYS[4] -> P{N}:ticket:<id>:held
// KEYS[5] -> P{N}:outbox
// KEYS[6] -> P{N}:lastclosed:<source>:<conv>
// ARGV[1] -> ticket id
// ARGV[2] -> closed at, RFC3339Nano
// ARGV[3] -> who closed it, JSON, or "" when the source did
// ARGV[4] -> the reason
// ARGV[5] -> "1" when the source closed it, else ""
// ARGV[6] -> EventClosed, JSON
// ARGV[7] -> "1": close only a pending ticket
// ARGV[8] -> "1" when the chat was handed back to the source's desk, else ""
// ARGV[9] -> retention in ms: the ticket's keys expire that long after it closes ("0": never)
// KEYS[7..10] -> the ticket's transfers, messages, cards and edits
//
// Returns 1 closed | 0 no such ticket | -2 closed already | -4 active (with ARGV[7]).
var closeScript = redis.NewScript(`
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
	return 0
elseif status == 'closed' then
	return -2
elseif ARGV[7] == '1' and status ~= 'pending' then
	return -4
end
redis.call('HSET', KEYS[1], 'status', 'closed', 'closed_at', ARGV[2], 'closed_by', ARGV[3],
	'close_reason', ARGV[4], 'by_source', ARGV[5], 'handed_back', ARGV[8], 'updated_at', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then
	redis.call('DEL', KEYS[2])
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4])
redis.call('SET', KEYS[6], ARGV[1])
local keep = tonumber(ARGV[9])
if keep > 0 then
	for _, k in ipairs({KEYS[1], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]}) do
		redis.call('PEXPIRE', k, keep)
	end
end
redis.call('XADD', KEYS[5], '*', 't', 'ticket.closed', 'k', ARGV[1], 'e', ARGV[6])
return 1
`)

// Close closes an open ticket. See tickets.Store.
func (r *Redis) Close(ctx context.Context, id tickets.ID, c tickets.Closing) (*tickets.Ticket, error) {
	if err := r.close(ctx, id, c); err != nil {
		return nil, wrapErr("close", id, err)
	}
	t, err := r.Get(ctx, id)
	if err == nil && t.Inbox != "" && r.cfg.Retention > 0 {
		// The inbox index lives outside the ticket's slot, so the script cannot touch it.
		// Best effort: the close is done; should this fail, the small key stays.
		_ = r.c.PExpire(ctx, r.keys.inbox(t.Inbox), r.cfg.Retention).Err()
	}
	return t, wrapErr("close", id, err)
}

func (r *Redis) close(ctx context.Context, id tickets.ID, c tickets.Closing) error {
	ref, err := parseID(id)
	if err != nil {
		return err
	}
	// The conversation key needs the ticket's source and conversation, which never change.
	conv, err := r.c.HMGet(ctx, r.keys.ticket(ref), "source", "conv").Result()
	if err != nil {
		return err
	}
	source, _ := conv[0].(string)
	convID, _ := conv[1].(string)
	if source == "" {
		return tickets.ErrNotFound
	}
	ev, err := marshal(tickets.Event{
		Type: tickets.EventClosed, TicketID: id, At: c.At, Actor: c.By, Reason: c.Reason, BySource: c.BySource, HandedBack: c.HandBack,
	})
	if err != nil {
		return err
	}
	keys := []string{
		r.keys.ticket(ref), r.keys.conv(ref.p, source, convID), r.keys.open(ref.p),
		r.keys.held(ref), r.keys.outbox(ref.p), r.keys.lastClosed(ref.p, source, convID),
		r.keys.transfers(ref), r.keys.messages(ref), r.keys.cards(ref), r.keys.edits(ref),
	}
	code, err := closeScript.Run(ctx, r.c, keys, string(id), fmtTime(c.At), agentJSON(c.By), c.Reason, flag(c.BySource), ev,
		flag(c.IfPending), flag(c.HandBack), r.cfg.Retention.Milliseconds()).Int64()
	if err != nil {
		return fmt.Errorf("close script: %w", err)
	}
	return outcome(code)
}

// flag is a script's boolean argument: "1" or "".
func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}
