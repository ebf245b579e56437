package outbox

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// bookkeeping bounds an ack or a dead-letter. It does not end with hctx: a handler call
// that succeeded just as the grace period ended or the lease was lost should still be
// acknowledged, which spares a repeat.
func bookkeeping(hctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(hctx), 5*time.Second)
}

// ack acknowledges entries of partition p for the group: the ids of each stream in one
// XACK, all of them in one round trip; or, when their handler calls asked for follow-ups
// (by entry id), the ids of each stream together with theirs (store.Streams.AckWith).
// The events kept as the group's latest (Config.Latest; their keys in fields, by id) are
// dropped instead, each unless a later one took its place, after their follow-ups are
// appended.
func (w *Worker) ack(hctx context.Context, p int, byStream map[string][]string, follow map[string][]tickets.Event, fields map[string]string) error {
	ctx, cancel := bookkeeping(hctx)
	defer cancel()
	streams := byStream
	if latest := w.s.Latest(p); latest != "" && byStream[latest] != nil {
		if err := w.dropLatest(ctx, p, byStream[latest], follow, fields); err != nil {
			return err
		}
		streams = maps.Clone(byStream) // the caller still needs byStream whole
		delete(streams, latest)
	}
	switch {
	case len(streams) == 0:
		return nil
	case len(follow) > 0:
		for stream, ids := range streams {
			if err := w.s.AckWith(ctx, p, stream, w.group, ids, follow); err != nil {
				return err
			}
		}
		return nil
	case len(streams) == 1:
		for stream, ids := range streams {
			if err := w.c.XAck(ctx, stream, w.group, ids...).Err(); err != nil {
				return fmt.Errorf("ack %d entries of partition %d from %s: %w", len(ids), p, ids[0], err)
			}
		}
		return nil
	}
	_, err := w.c.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for stream, ids := range streams {
			pipe.XAck(ctx, stream, w.group, ids...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ack entries of partition %d: %w", p, err)
	}
	return nil
}

// dropLatest appends the follow-ups of the latest events ids of partition p (their keys in
// fields) and then drops them, each unless a later event took its place.
func (w *Worker) dropLatest(ctx context.Context, p int, ids []string, follow map[string][]tickets.Event, fields map[string]string) error {
	done := make([][2]string, 0, len(ids))
	for _, id := range ids {
		for _, ev := range follow[id] {
			if err := w.s.Append(ctx, ev); err != nil {
				return fmt.Errorf("append the follow-ups of latest event %d/%s: %w", p, id, err)
			}
		}
		done = append(done, [2]string{fields[id], id})
	}
	return w.s.DropLatest(ctx, p, done)
}

// deadLetter sets entry e of partition p aside in the partition's dead stream, with the
// group, the error and the number of attempts, acknowledges it and drops its failure
// count, in one transaction.
func (w *Worker) deadLetter(hctx context.Context, p int, e entry, cause error, attempts int) error {
	m := e.msg
	values := make(map[string]any, len(m.Values)+4)
	for k, v := range m.Values {
		values[k] = v
	}
	values["group"], values["id"], values["error"], values["attempts"] = w.group, m.ID, cause.Error(), attempts
	ctx, cancel := bookkeeping(hctx)
	defer cancel()
	_, err := w.c.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		tx.XAdd(ctx, &redis.XAddArgs{Stream: w.s.Dead(p), Values: values})
		if e.field == "" {
			tx.XAck(ctx, e.stream, w.group, m.ID)
		}
		tx.HDel(ctx, w.s.Attempts(w.group, p), m.ID)
		return nil
	})
	if err == nil && e.field != "" {
		// Set aside, then dropped: a crash between the two sets it aside twice, never
		// loses it.
		err = w.s.DropLatest(ctx, p, [][2]string{{e.field, m.ID}})
	}
	if err != nil {
		return fmt.Errorf("dead-letter %d/%s: %w", p, m.ID, err)
	}
	return nil
}
