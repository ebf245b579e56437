package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func (m *Memory) SetCard(_ context.Context, id tickets.ID, event string, c tickets.Card) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return err
	}
	c.Copies = slices.Clone(c.Copies)
	m.cards[id][event] = c
	return nil
}

func (m *Memory) CardOf(_ context.Context, id tickets.ID, event string) (tickets.Card, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return tickets.Card{}, err
	}
	c, ok := m.cards[id][event]
	if !ok {
		return tickets.Card{}, tickets.ErrNotFound
	}
	c.Copies = slices.Clone(c.Copies)
	return c, nil
}

func (m *Memory) SetInbox(_ context.Context, id tickets.ID, channelID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return err
	}
	t.Inbox = channelID
	m.inboxes[channelID] = id
	return nil
}

// LoadSettings returns a copy of the saved settings.
func (m *Memory) LoadSettings(context.Context) (*tickets.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	if m.settings == nil {
		return nil, tickets.ErrNotFound
	}
	var s tickets.Settings
	if err := json.Unmarshal(m.settings, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// SaveSettings keeps s as JSON, so that neither the caller's copy nor a loaded one shares
// anything with what is saved.
func (m *Memory) SaveSettings(_ context.Context, s *tickets.Settings) error {
	if s == nil {
		return fmt.Errorf("%w: storetest: no settings to save", tickets.ErrInvalid)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.settings = b
	return nil
}
