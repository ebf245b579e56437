package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Each calls fn with every ticket created at or after since, and its transcript, in
// ticket number order within each partition. It reads; it changes nothing. On a Redis
// Cluster it walks every master.
func (r *Redis) Each(ctx context.Context, since time.Time, fn func(*tickets.Ticket, []tickets.Message) error) error {
	ids, err := r.ticketIDs(ctx)
	if err != nil {
		return fmt.Errorf("store: list tickets: %w", err)
	}
	for _, id := range ids {
		t, err := r.Get(ctx, id)
		if err != nil {
			if errors.Is(err, tickets.ErrNotFound) {
				continue // expired meanwhile
			}
			return err
		}
		if t.CreatedAt.Before(since) {
			continue
		}
		msgs, err := r.Messages(ctx, id)
		if err != nil && !errors.Is(err, tickets.ErrNotFound) {
			return err
		}
		if err := fn(t, msgs); err != nil {
			return err
		}
	}
	return nil
}

// ticketIDs lists every ticket id, sorted by partition then number.
func (r *Redis) ticketIDs(ctx context.Context) ([]tickets.ID, error) {
	var ids []tickets.ID
	for p := range Partitions {
		prefix := r.keys.tag(p) + "ticket:"
		keys, err := r.scan(ctx, prefix+"*")
		if err != nil {
			return nil, err
		}
		var part []tickets.ID
		for _, k := range keys {
			id := strings.TrimPrefix(k, prefix)
			if strings.Contains(id, ":") {
				continue // one of the ticket's other keys
			}
			part = append(part, tickets.ID(id))
		}
		slices.SortFunc(part, func(a, b tickets.ID) int { return number(a) - number(b) })
		ids = append(ids, part...)
	}
	return ids, nil
}

// number is the ticket number in id ("135-4" → 135), 0 when there is none.
func number(id tickets.ID) int {
	n, _ := strconv.Atoi(strings.SplitN(string(id), "-", 2)[0])
	return n
}

// scan returns every key matching pattern, on every master of a cluster.
func (r *Redis) scan(ctx context.Context, pattern string) ([]string, error) {
	var (
		mu   sync.Mutex
		keys []string
	)
	one := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	if cc, ok := r.c.(*redis.ClusterClient); ok {
		err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return one(ctx, c) })
		return keys, err
	}
	return keys, one(ctx, r.c)
}
