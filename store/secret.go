package store

import (
	"context"
	"crypto/rand"
	"fmt"
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
