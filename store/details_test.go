package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestRedis_UpdateDetails(t *testing.T) {
	ctx := context.Background()
	r, _ := newStore(t)
	tk := open(t, r, "conv-details", nil)
	updated := func() []tickets.Event {
		var out []tickets.Event
		for _, ev := range events(t, r, tk.ID) {
			if ev.Type == tickets.EventUpdated {
				out = append(out, ev)
			}
		}
		return out
	}
	t1 := t0.Add(time.Minute)
	got, err := r.UpdateDetails(ctx, tk.ID, []tickets.FieldChange{
		{Field: tickets.FieldTitle, Value: "Refund"},
		{Field: tickets.FieldUrgency, Value: "high"},
		{Field: tickets.FieldTags, Value: "billing\nvip"},
		{Field: tickets.FieldCategoryPrefix + "Product", Value: "Marketing Automation"},
	}, tickets.OriginAgent, alice, t1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Refund" || got.Urgency != tickets.UrgencyHigh || !reflect.DeepEqual(got.Tags, []string{"billing", "vip"}) ||
		got.Categories["Product"] != "Marketing Automation" || !got.UpdatedAt.Equal(t1) {
		t.Fatalf("ticket = %+v", got)
	}
	if got.Origins[tickets.FieldTitle] != tickets.OriginAgent || got.Origins[tickets.FieldCategoryPrefix+"Product"] != tickets.OriginAgent {
		t.Errorf("origins = %v", got.Origins)
	}
	wantEdits := []tickets.Edit{
		{Field: "title", Value: "Refund", Origin: tickets.OriginAgent, By: alice, At: t1},
		{Field: "urgency", Value: "high", Origin: tickets.OriginAgent, By: alice, At: t1},
		{Field: "tags", Value: "billing, vip", Origin: tickets.OriginAgent, By: alice, At: t1},
		{Field: "category:Product", Value: "Marketing Automation", Origin: tickets.OriginAgent, By: alice, At: t1},
	}
	if !reflect.DeepEqual(got.Edits, wantEdits) {
		t.Errorf("edits = %+v", got.Edits)
	}
	evs := updated()
	if len(evs) != 1 || !reflect.DeepEqual(evs[0].Fields, []string{"title", "urgency", "tags", "category:Product"}) || evs[0].Actor != alice {
		t.Fatalf("events = %+v", evs)
	}

	// AI cannot replace what an agent set; it fills the rest. Unchanged values are no edit.
	got, err = r.UpdateDetails(ctx, tk.ID, []tickets.FieldChange{
		{Field: tickets.FieldTitle, Value: "AI title"},
		{Field: tickets.FieldSentiment, Value: "negative"},
		{Field: tickets.FieldAITags, Value: "refund"},
	}, tickets.OriginAI, tickets.Agent{}, t1.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Refund" || got.Sentiment != tickets.SentimentNegative || !reflect.DeepEqual(got.AITags, []string{"refund"}) {
		t.Errorf("after AI: title %q, sentiment %q, ai tags %v", got.Title, got.Sentiment, got.AITags)
	}
	if evs := updated(); len(evs) != 2 || !reflect.DeepEqual(evs[1].Fields, []string{"sentiment", "ai_tags"}) {
		t.Errorf("events = %+v", evs)
	}
	// Nothing new: no event. Clearing a category removes it.
	if _, err := r.UpdateDetails(ctx, tk.ID, []tickets.FieldChange{{Field: tickets.FieldUrgency, Value: "high"}},
		tickets.OriginAgent, alice, t1); err != nil {
		t.Fatal(err)
	}
	if n := len(updated()); n != 2 {
		t.Errorf("an unchanged value raised an event: %d", n)
	}
	got, _ = r.UpdateDetails(ctx, tk.ID, []tickets.FieldChange{{Field: tickets.FieldCategoryPrefix + "Product", Value: ""}},
		tickets.OriginAgent, alice, t1)
	if _, ok := got.Categories["Product"]; ok || len(got.Edits) != 7 {
		t.Errorf("categories %v, %d edits", got.Categories, len(got.Edits))
	}

	before := snapshot(t, r)
	if _, err := r.UpdateDetails(ctx, "404-1", []tickets.FieldChange{{Field: "title", Value: "x"}}, tickets.OriginAgent, alice, t1); !errors.Is(err, tickets.ErrNotFound) {
		t.Errorf("missing ticket: %v", err)
	}
	unchanged(t, r, before)
}
