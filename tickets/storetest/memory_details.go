package storetest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func (m *Memory) UpdateDetails(_ context.Context, id tickets.ID, changes []tickets.FieldChange, origin tickets.Origin, by tickets.Agent, at time.Time) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, c := range changes {
		if origin == tickets.OriginAI && t.Origins[c.Field] == tickets.OriginAgent {
			continue
		}
		if detail(t, c.Field) == c.Value {
			continue
		}
		setDetail(t, c.Field, c.Value)
		if t.Origins == nil {
			t.Origins = map[string]tickets.Origin{}
		}
		t.Origins[c.Field] = origin
		value := c.Value
		if c.Field == tickets.FieldTags || c.Field == tickets.FieldAITags {
			value = strings.Join(tickets.DecodeTags(c.Value), ", ")
		}
		t.Edits = append(t.Edits, tickets.Edit{Field: c.Field, Value: value, Origin: origin, By: by, At: at})
		changed = append(changed, c.Field)
	}
	if len(changed) > 0 {
		t.UpdatedAt = at
		m.emit(tickets.Event{Type: tickets.EventUpdated, TicketID: id, At: at, Actor: by, Fields: changed})
	}
	return m.snapshot(id), nil
}

// detail is the value of t's detail field as UpdateDetails compares it (tags one per line).
func detail(t *tickets.Ticket, field string) string {
	if name, ok := strings.CutPrefix(field, tickets.FieldCategoryPrefix); ok {
		return t.Categories[name]
	}
	switch field {
	case tickets.FieldTitle:
		return t.Title
	case tickets.FieldSummary:
		return t.Summary
	case tickets.FieldUrgency:
		return string(t.Urgency)
	case tickets.FieldSentiment:
		return string(t.Sentiment)
	case tickets.FieldTags:
		return strings.Join(t.Tags, "\n")
	case tickets.FieldAITags:
		return strings.Join(t.AITags, "\n")
	}
	return ""
}

// setDetail sets t's detail field to value; a category set to "" is removed.
func setDetail(t *tickets.Ticket, field, value string) {
	if name, ok := strings.CutPrefix(field, tickets.FieldCategoryPrefix); ok {
		if t.Categories == nil {
			t.Categories = map[string]string{}
		}
		t.Categories[name] = value
		if value == "" {
			delete(t.Categories, name)
		}
		return
	}
	switch field {
	case tickets.FieldTitle:
		t.Title = value
	case tickets.FieldSummary:
		t.Summary = value
	case tickets.FieldUrgency:
		t.Urgency = tickets.Urgency(value)
	case tickets.FieldSentiment:
		t.Sentiment = tickets.Sentiment(value)
	case tickets.FieldTags:
		t.Tags = tickets.DecodeTags(value)
	case tickets.FieldAITags:
		t.AITags = tickets.DecodeTags(value)
	}
}

func (m *Memory) SetSync(_ context.Context, id tickets.ID, sink string, st tickets.SyncStatus) error {
	if sink == "" || strings.ContainsAny(sink, ":\x00") {
		return fmt.Errorf("%w: storetest: sink name %q", tickets.ErrInvalid, sink)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.get(id)
	if err != nil {
		return err
	}
	st.Reason = tickets.Clip(st.Reason, tickets.MaxSyncReasonBytes)
	st.Where = tickets.Clip(st.Where, tickets.MaxSyncReasonBytes)
	var prev *tickets.SyncStatus
	if p, ok := t.Syncs[sink]; ok {
		prev = &p
	}
	if t.Syncs == nil {
		t.Syncs = map[string]tickets.SyncStatus{}
	}
	t.Syncs[sink] = st
	if tickets.SyncNews(prev, st) {
		m.emit(tickets.Event{Type: tickets.EventSynced, TicketID: id, At: st.At, Sink: sink, Sync: &st})
	}
	return nil
}
