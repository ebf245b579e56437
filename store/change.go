package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// changeScript puts a changed message in the transcript in place of the one at its
// index, provided that one is still as it was read, and tells the outbox.
//
// KEYS[1] -> P{N}:ticket:<id>
// KEYS[2] -> P{N}:ticket:<id>:messages
// KEYS[3] -> P{N}:ticket:<id>:held
// KEYS[4] -> P{N}:outbox-seq
// ARGV[1] -> the message's index in the transcript
// ARGV[2] -> the message as it was read, JSON
// ARGV[3] -> the message as changed, JSON
// ARGV[4] -> EventChanged, JSON
// ARGV[5] -> the change's time, RFC3339Nano (the ticket's new updated_at)
// ARGV[6] -> the groups that want EventChanged (emit)
// ARGV[7] -> the ticket id (the entry's ordering key)
// ARGV[8] -> the ticket's new opening when the message is its opening message, else ""
// ARGV[9] -> "1" when it is
// ARGV[10] -> the title as read, ARGV[11] its new value, ARGV[12] "1" when the title
// follows the opening message (tickets.TitleAfter; only while it is still as read and
// nobody set it)
//
// A held copy of the message (it waits under the card for the pick's replay) is changed
// too, so that the replay shows it as it now is.
// Returns 1 changed | 0 the transcript changed meanwhile (read it again) | -1 no ticket.
var changeScript = redis.NewScript(emitLua + `
if redis.call('EXISTS', KEYS[1]) == 0 then
	return -1
end
local i = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[2], i) ~= ARGV[2] then
	return 0
end
redis.call('LSET', KEYS[2], i, ARGV[3])
local held = redis.call('LPOS', KEYS[3], ARGV[2])
if held then
	redis.call('LSET', KEYS[3], held, ARGV[3])
end
redis.call('HSET', KEYS[1], 'updated_at', ARGV[5])
if ARGV[9] == '1' then
	redis.call('HSET', KEYS[1], 'opening', ARGV[8])
end
if ARGV[12] == '1' and (redis.call('HGET', KEYS[1], 'title') or '') == ARGV[10] and redis.call('HEXISTS', KEYS[1], 'o:title') == 0 then
	redis.call('HSET', KEYS[1], 'title', ARGV[11])
end
emit(KEYS[4], ARGV[6], 't', 'message.changed', 'k', ARGV[7], 'e', ARGV[4])
return 1
`)

// changeTries bounds how often ChangeMessage reads the transcript again because the
// message changed between the read and the write (a message added meanwhile does not
// count: the message keeps its index). Each such miss is another change written, so n
// changes of one message at once all succeed when n ≤ changeTries.
const changeTries = 16

// ChangeMessage applies c to the latest message of ticket id with c's direction and
// source id (tickets.Store). The transcript is read whole (a change is rare), the
// message found and changed in Go, and written back by changeScript if it is still as
// read.
func (r *Redis) ChangeMessage(ctx context.Context, id tickets.ID, c tickets.MessageChange, when time.Time) (tickets.ChangeApplied, error) {
	got, err := r.changeMessage(ctx, id, c, when)
	return got, wrapErr("change message", id, err)
}

func (r *Redis) changeMessage(ctx context.Context, id tickets.ID, c tickets.MessageChange, when time.Time) (tickets.ChangeApplied, error) {
	ref, err := parseID(id)
	if err != nil {
		return tickets.ChangeApplied{}, err
	}
	keys := []string{r.keys.ticket(ref), r.keys.messages(ref), r.keys.held(ref), r.keys.outboxSeq(ref.p)}
	for range changeTries {
		var (
			lr    *redis.StringSliceCmd
			title *redis.SliceCmd
		)
		_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			lr = p.LRange(ctx, r.keys.messages(ref), 0, -1)
			title = p.HMGet(ctx, r.keys.ticket(ref), "title", "o:title")
			return nil
		})
		if err != nil {
			return tickets.ChangeApplied{}, err
		}
		list := lr.Val()
		i, opening, old, err := findMessage(list, c)
		if errors.Is(err, tickets.ErrNotFound) && c.Delete && c.SourceMessageID != "" {
			// Remembered as taken, so that the message, should its event come later (Slack
			// sends it again after a connection ended), is not taken (tickets.Store).
			if serr := r.c.SetNX(ctx, r.keys.seen(ref, c.Direction, c.SourceMessageID), "1", r.cfg.DedupTTL).Err(); serr != nil {
				return tickets.ChangeApplied{}, serr
			}
		}
		if err != nil {
			return tickets.ChangeApplied{}, err
		}
		now, changed := c.Apply(old, when)
		if !changed {
			return tickets.ChangeApplied{Message: now}, nil
		}
		msg, err := marshal(now)
		if err != nil {
			return tickets.ChangeApplied{}, err
		}
		ev, groups, err := r.event(tickets.Event{Type: tickets.EventChanged, TicketID: id, At: when, Message: &now, Opening: opening})
		if err != nil {
			return tickets.ChangeApplied{}, err
		}
		newOpening, isOpening, wasTitle, newTitle, follows := "", "", "", "", ""
		if opening {
			newOpening, isOpening = tickets.OpeningOf(now), "1"
			was, _ := title.Val()[0].(string)
			origin, _ := title.Val()[1].(string)
			if t, ok := tickets.TitleAfter(was, tickets.Origin(origin), old, now); ok {
				wasTitle, newTitle, follows = was, t, "1"
			}
		}
		code, err := changeScript.Run(ctx, r.c, keys, strconv.Itoa(i), list[i], msg, ev, fmtTime(when), groups, string(id),
			newOpening, isOpening, wasTitle, newTitle, follows).Int()
		switch {
		case err != nil:
			return tickets.ChangeApplied{}, err
		case code == 1:
			return tickets.ChangeApplied{Message: now, Changed: true}, nil
		case code == -1:
			return tickets.ChangeApplied{}, tickets.ErrNotFound
		}
	}
	return tickets.ChangeApplied{}, fmt.Errorf("the transcript kept changing (%d tries)", changeTries)
}

// findMessage returns the index and the decoded message of the latest message of list
// (a transcript, JSON) with c's direction and source id, and whether it is the ticket's
// opening message (its first customer message); ErrNotFound when there is none.
func findMessage(list []string, c tickets.MessageChange) (int, bool, tickets.Message, error) {
	if c.SourceMessageID == "" {
		return 0, false, tickets.Message{}, tickets.ErrNotFound
	}
	found, first := -1, -1
	var msg tickets.Message
	for i, s := range list {
		var m tickets.Message
		if err := unmarshalJSON([]byte(s), &m); err != nil {
			return 0, false, tickets.Message{}, fmt.Errorf("corrupt message %d: %w", i, err)
		}
		if first < 0 && m.Direction == tickets.FromCustomer {
			first = i
		}
		if m.Direction == c.Direction && m.SourceMessageID == c.SourceMessageID {
			found, msg = i, m
		}
	}
	if found < 0 {
		return 0, false, tickets.Message{}, tickets.ErrNotFound
	}
	return found, found == first, msg, nil
}
