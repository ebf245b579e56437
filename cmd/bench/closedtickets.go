package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// closedBytes opens tickets, gives each a 20-message transcript (half the customer's,
// half the agent's), ends them from the chatbot, and measures what they keep in Redis.
func (r *fdRun) closedBytes(ctx context.Context) error {
	cfg, w := r.cfg, r.w
	before, err := r.keySizes(ctx)
	if err != nil {
		return err
	}
	used0, err := infoField(ctx, r.rdb, "memory", "used_memory")
	if err != nil {
		return err
	}
	chats, err := w.openChats(ctx, r.addr, cfg.closed)
	if err != nil {
		return err
	}
	// The opening message is the first; then half of them the agent's, the rest the
	// customer's (each customer sends at most 20 at once, which the webhook allows).
	tg := &target{name: "Frontdesk", w: w, chats: chats, procs: r.tg.procs, send: r.tg.send}
	agentN := cfg.closedN / 2
	for _, part := range []struct {
		d direction
		n int
	}{{toCustomer, agentN}, {toSlack, cfg.closedN - 1 - agentN}} {
		total, dur := part.n*len(chats), 500*time.Millisecond
		st := runStep(ctx, tg, part.d, float64(total)/dur.Seconds(), dur, 0, false)
		if st.Sent != total || st.Lost+st.Refused > 0 {
			return fmt.Errorf("transcripts (%s): sent %d of %d, lost %d, refused %d", part.d, st.Sent, total, st.Lost, st.Refused)
		}
	}
	w.quiesce(10 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, len(chats))
	for _, c := range chats {
		updated := w.tail.watchUpdate(c.card.msg.Channel.ID, c.card.msg.TS, "Closed")
		wg.Go(func() {
			status, body, err := w.post(ctx, hookURL(r.addr), hookToken, map[string]any{
				"type": "END", "member": c.member, "channel": hookLine, "app": hookApp, "reason": "customer left"})
			if err != nil || status != http.StatusOK {
				errs <- fmt.Errorf("END: %d %s %v", status, body, err)
				return
			}
			select {
			case <-updated:
			case <-stopping:
			case <-time.After(30 * time.Second):
				errs <- fmt.Errorf("ticket #%d: the card never said it was closed", c.ticket)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	w.quiesce(10 * time.Second)
	after, err := r.keySizes(ctx)
	if err != nil {
		return err
	}
	used1, err := infoField(ctx, r.rdb, "memory", "used_memory")
	if err != nil {
		return err
	}
	cb := closedTickets{N: len(chats), Messages: cfg.closedN, UsedMemoryDelta: used1 - used0, ByKind: map[string]int64{}}
	for k, size := range after {
		kind := keyKind(strings.TrimPrefix(k, r.prefix))
		delta := size - before[k]
		if delta == 0 {
			continue
		}
		cb.ByKind[kind] += delta
	}
	r.rep.Closed = cb
	logf("  closed ticket with %d messages: %s per ticket in its own keys, %s of used_memory per ticket",
		cfg.closedN, kb(cb.own()/int64(cb.N)), kb(cb.UsedMemoryDelta/int64(cb.N)))
	return nil
}

// closedTickets is what closed tickets keep in Redis.
type closedTickets struct {
	N, Messages     int
	UsedMemoryDelta int64            // INFO memory used_memory after − before, for all N
	ByKind          map[string]int64 // MEMORY USAGE growth by kind of key, for all N
}

// own is the bytes of the tickets' own keys (ticket hash, transcript and the rest of
// the ticket:<id>:* keys, the conversation's lastclosed pointer), not the shared ones.
func (c closedTickets) own() int64 {
	var n int64
	for k, v := range c.ByKind {
		if strings.HasPrefix(k, "ticket") || k == "lastclosed" {
			n += v
		}
	}
	return n
}

// keyKind names a key (prefix stripped) by its kind: "ticket", "ticket:messages",
// "seen", "outbox", "open", …
func keyKind(k string) string {
	if i := strings.Index(k, "}:"); i >= 0 && strings.HasPrefix(k, "{") {
		k = k[i+2:]
	}
	parts := strings.Split(k, ":")
	switch {
	case parts[0] == "ticket" && len(parts) >= 3:
		return "ticket:" + parts[2]
	case parts[0] == "seen" && len(parts) >= 2 && parts[1] == "in":
		return "seen:in"
	}
	return parts[0]
}

// keySizes is MEMORY USAGE of every key under the prefix.
func (r *fdRun) keySizes(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	iter := r.rdb.Scan(ctx, 0, r.prefix+"*", 5000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		pipe := r.rdb.Pipeline()
		cmds := make([]*redis.IntCmd, len(batch))
		for i, k := range batch {
			cmds[i] = pipe.MemoryUsage(ctx, k, 0)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		for i, c := range cmds {
			if n, err := c.Result(); err == nil {
				out[batch[i]] = n
			}
		}
	}
	return out, nil
}
