package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// secretBytes is the size of a secret Secret makes.
const secretBytes = 32

// Secret returns the secret called name, shared by every process on this Redis: the
// first call anywhere makes a random one (SET NX), later ones read it.
func (r *Redis) Secret(ctx context.Context, name string) ([]byte, error) {
	key := r.keys.secret(name)
	fresh := make([]byte, secretBytes)
	_, _ = rand.Read(fresh) // crypto/rand.Read never fails (Go 1.24+)
	if err := r.c.SetNX(ctx, key, fresh, 0).Err(); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	b, err := r.c.Get(ctx, key).Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	if len(b) != secretBytes {
		return nil, fmt.Errorf("store: secret %s has %d bytes, want %d", name, len(b), secretBytes)
	}
	return b, nil
}

// Mark returns when the mark called name was first made, shared by every process on
// this Redis: the first call anywhere records now (SET NX), later ones read it.
func (r *Redis) Mark(ctx context.Context, name string, now time.Time) (time.Time, error) {
	key := r.keys.mark(name)
	if err := r.c.SetNX(ctx, key, fmtTime(now), 0).Err(); err != nil {
		return time.Time{}, fmt.Errorf("store: mark %s: %w", name, err)
	}
	s, err := r.c.Get(ctx, key).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("store: mark %s: %w", name, err)
	}
	at, err := parseTime(s)
	if err != nil || at.IsZero() {
		return time.Time{}, fmt.Errorf("store: mark %s holds %q, not a time", name, s)
	}
	return at, nil
}
