package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// LoadSettings returns the saved settings. Returns ErrNotFound when none were saved.
func (r *Redis) LoadSettings(ctx context.Context) (*tickets.Settings, error) {
	b, err := r.c.Get(ctx, r.keys.settings()).Bytes()
	if err != nil {
		if err = notFound(err); err != tickets.ErrNotFound {
			err = fmt.Errorf("store: load settings: %w", err)
		}
		return nil, err
	}
	var s tickets.Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("store: the saved settings at %s are not valid JSON: %w", r.keys.settings(), err)
	}
	return &s, nil
}

// SaveSettings replaces the saved settings.
func (r *Redis) SaveSettings(ctx context.Context, s *tickets.Settings) error {
	if s == nil {
		return fmt.Errorf("%w: store: no settings to save", tickets.ErrInvalid)
	}
	if err := r.c.Set(ctx, r.keys.settings(), mustJSON(s), 0).Err(); err != nil {
		return fmt.Errorf("store: save settings: %w", err)
	}
	return nil
}
