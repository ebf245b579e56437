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
	saved := savedSettings{Settings: &s}
	if err := json.Unmarshal(b, &saved); err != nil {
		return nil, fmt.Errorf("store: the saved settings at %s are not valid JSON: %w", r.keys.settings(), err)
	}
	if old := saved.movedSettings; len(old.Vitally) > 0 && string(old.Vitally) != "null" {
		if _, ok := s.Sinks[vitallySink]; !ok {
			if s.Sinks == nil {
				s.Sinks = map[string]json.RawMessage{}
			}
			s.Sinks[vitallySink] = old.Vitally
		}
	}
	return &s, nil
}

// movedSettings are the parts of settings saved by earlier versions that have moved since:
// the Vitally sink's settings were a field of the settings, "vitally", before each sink's
// settings were kept apart, opaque, under "sinks" (tickets.Settings.Sinks). They are read
// as the sink's when "sinks" has none, and SaveSettings writes them in both places, so
// that during a rolling upgrade, or after a rollback, a replica of the earlier version
// still reads them, and what it saves (without "sinks") is read back by this one.
type movedSettings struct {
	Vitally json.RawMessage `json:"vitally,omitempty"`
}

// savedSettings is what SaveSettings writes and LoadSettings reads, in one decode: the
// settings, and the Vitally sink's also where earlier versions read them (movedSettings).
type savedSettings struct {
	*tickets.Settings
	movedSettings
}

// vitallySink is the name of the sink whose settings movedSettings.Vitally holds.
const vitallySink = "vitally"

// SaveSettings replaces the saved settings (see movedSettings for the one field it also
// writes where earlier versions read it).
func (r *Redis) SaveSettings(ctx context.Context, s *tickets.Settings) error {
	if s == nil {
		return fmt.Errorf("%w: store: no settings to save", tickets.ErrInvalid)
	}
	saved := savedSettings{Settings: s, movedSettings: movedSettings{Vitally: s.Sinks[vitallySink]}}
	if err := r.c.Set(ctx, r.keys.settings(), mustJSON(saved), 0).Err(); err != nil {
		return fmt.Errorf("store: save settings: %w", err)
	}
	return nil
}
