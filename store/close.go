package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// closeTicketLua defines close_ticket, the one way a script closes an open ticket: k names
// the ticket's keys (ticket, conv, open, held, seq: the partition's P{N}:outbox-seq,
// lastclosed, and expire: those that expire keep ms after the close, when keep is above
// 0); ev is EventClosed's JSON and groups the groups that want it (emit). It frees the
// conversation for a new ticket, drops the held list and tells the outbox.
// closeScript and inboundScript both use it.
const closeTicketLua = `
local function close_ticket(k, id, at, by, reason, by_source, handed_back, keep, ev, groups)
	redis.call('HSET', k.ticket, 'status', 'closed', 'closed_at', at, 'closed_by', by,
		'close_reason', reason, 'by_source', by_source, 'handed_back', handed_back, 'updated_at', at)
	if redis.call('GET', k.conv) == id then
		redis.call('DEL', k.conv)
	end
	redis.call('ZREM', k.open, id)
	redis.call('DEL', k.held)
	redis.call('SET', k.lastclosed, id)
	if tonumber(keep) > 0 then
		for _, key in ipairs(k.expire) do
			redis.call('PEXPIRE', key, keep)
		end
	end
	emit(k.seq, groups, 't', 'ticket.closed', 'k', id, 'e', ev)
end
`

// closeScript closes an open ticket and frees its conversation for a new one.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:conv:<source>:<conv>
// KEYS[3] -> P{N}:open
// KEYS[4] -> P{N}:ticket:<id>:held
// KEYS[5] -> P{N}:outbox-seq
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
// ARGV[10] -> the groups that want EventClosed (emit)
// KEYS[7..10] -> the ticket's transfers, messages, cards and edits
//
// Returns 1 closed | 0 no such ticket | -2 closed already | -4 active (with ARGV[7]).
var closeScript = redis.NewScript(emitLua + closeTicketLua + `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
	return 0
elseif status == 'closed' then
	return -2
elseif ARGV[7] == '1' and status ~= 'pending' then
	return -4
end
close_ticket({ticket = KEYS[1], conv = KEYS[2], open = KEYS[3], held = KEYS[4], seq = KEYS[5],
	lastclosed = KEYS[6], expire = {KEYS[1], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]}},
	ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[8], ARGV[9], ARGV[6], ARGV[10])
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
	ev, groups, err := r.event(tickets.Event{
		Type: tickets.EventClosed, TicketID: id, At: c.At, Actor: c.By, Reason: c.Reason, BySource: c.BySource, HandedBack: c.HandBack,
	})
	if err != nil {
		return err
	}
	keys := []string{
		r.keys.ticket(ref), r.keys.conv(ref.p, source, convID), r.keys.open(ref.p),
		r.keys.held(ref), r.keys.outboxSeq(ref.p), r.keys.lastClosed(ref.p, source, convID),
		r.keys.transfers(ref), r.keys.messages(ref), r.keys.cards(ref), r.keys.edits(ref),
	}
	code, err := closeScript.Run(ctx, r.c, keys, string(id), fmtTime(c.At), agentJSON(c.By), c.Reason, flag(c.BySource), ev,
		flag(c.IfPending), flag(c.HandBack), r.cfg.Retention.Milliseconds(), groups).Int64()
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
