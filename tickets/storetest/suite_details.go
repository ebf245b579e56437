package storetest

import (
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func testUpdateDetails(t *testing.T, start starter) {
	agentChanges := []tickets.FieldChange{
		{Field: tickets.FieldTitle, Value: "Login fails"},
		{Field: tickets.FieldUrgency, Value: "high"},
		{Field: tickets.FieldTags, Value: "login\nsso"},
		{Field: tickets.FieldCategoryPrefix + "Product", Value: "SSO"},
		{Field: tickets.FieldSummary, Value: "cannot log in"}, // as it is: no change
	}

	t.Run("SetsAndRecords", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		got, err := s.UpdateDetails(s.ctx, tk.ID, agentChanges, tickets.OriginAgent, alice, at(1))
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "details", []any{got.Title, got.Urgency, got.Tags, got.Categories, got.Summary},
			[]any{"Login fails", tickets.Urgency("high"), []string{"login", "sso"}, map[string]string{"Product": "SSO"}, "cannot log in"})
		equal(t, "origins", got.Origins, map[string]tickets.Origin{
			tickets.FieldTitle: tickets.OriginAgent, tickets.FieldUrgency: tickets.OriginAgent,
			tickets.FieldTags: tickets.OriginAgent, tickets.FieldCategoryPrefix + "Product": tickets.OriginAgent,
		})
		edit := func(field, value string) tickets.Edit {
			return tickets.Edit{Field: field, Value: value, Origin: tickets.OriginAgent, By: alice, At: at(1)}
		}
		equal(t, "edits", got.Edits, []tickets.Edit{edit(tickets.FieldTitle, "Login fails"), edit(tickets.FieldUrgency, "high"),
			edit(tickets.FieldTags, "login, sso"), edit(tickets.FieldCategoryPrefix+"Product", "SSO")})
		sameTime(t, "UpdatedAt", got.UpdatedAt, at(1))
		equal(t, "Get", s.get(tk.ID), got)
		evs := s.expect(tk.ID, "ticket.updated by U_ALICE fields title,urgency,tags,category:Product")
		sameTime(t, "EventUpdated.At", evs[0].At, at(1))

		// The same values again change nothing.
		if _, err := s.UpdateDetails(s.ctx, tk.ID, agentChanges, tickets.OriginAgent, bob, at(2)); err != nil {
			t.Fatal(err)
		}
		s.unchanged(got)
	})

	t.Run("AgentWinsOverAI", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		if _, err := s.UpdateDetails(s.ctx, tk.ID, agentChanges[:1], tickets.OriginAgent, alice, at(1)); err != nil {
			t.Fatal(err)
		}
		s.news(tk.ID)
		ai := []tickets.FieldChange{
			{Field: tickets.FieldTitle, Value: "AI title"},
			{Field: tickets.FieldSummary, Value: "AI summary\nin two lines"},
			{Field: tickets.FieldAITags, Value: "billing\nurgent"},
		}
		got, err := s.UpdateDetails(s.ctx, tk.ID, ai, tickets.OriginAI, tickets.Agent{}, at(2))
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "title, summary, AI tags", []any{got.Title, got.Summary, got.AITags},
			[]any{"Login fails", "AI summary\nin two lines", []string{"billing", "urgent"}})
		equal(t, "the summary's origin", got.Origins[tickets.FieldSummary], tickets.OriginAI)
		equal(t, "the latest edits", got.Edits[1:], []tickets.Edit{
			{Field: tickets.FieldSummary, Value: "AI summary\nin two lines", Origin: tickets.OriginAI, At: at(2)},
			{Field: tickets.FieldAITags, Value: "billing, urgent", Origin: tickets.OriginAI, At: at(2)},
		})
		s.expect(tk.ID, "ticket.updated fields summary,ai_tags")
		// An agent may replace what AI set.
		got, err = s.UpdateDetails(s.ctx, tk.ID, []tickets.FieldChange{{Field: tickets.FieldSummary, Value: "mine"}}, tickets.OriginAgent, bob, at(3))
		if err != nil || got.Summary != "mine" || got.Origins[tickets.FieldSummary] != tickets.OriginAgent {
			t.Errorf("the agent's summary: %+v, %v", got, err)
		}
		s.expect(tk.ID, "ticket.updated by U_BOB fields summary")
	})

	t.Run("ClearsACategory", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		cat := tickets.FieldCategoryPrefix + "Product"
		for i, v := range []string{"SSO", ""} {
			if _, err := s.UpdateDetails(s.ctx, tk.ID, []tickets.FieldChange{{Field: cat, Value: v}}, tickets.OriginAgent, alice, at(i)); err != nil {
				t.Fatal(err)
			}
		}
		got := s.get(tk.ID)
		if len(got.Categories) != 0 || len(got.Edits) != 2 || got.Edits[1].Value != "" {
			t.Errorf("categories %v, edits %+v", got.Categories, got.Edits)
		}
		s.expect(tk.ID, "ticket.updated by U_ALICE fields category:Product", "ticket.updated by U_ALICE fields category:Product")
	})

	t.Run("AnyStatus", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		s.close(tk.ID, tickets.Closing{By: alice, At: at(1)})
		s.news(tk.ID)
		got, err := s.UpdateDetails(s.ctx, tk.ID, agentChanges[:1], tickets.OriginAgent, alice, at(2))
		if err != nil || got.Title != "Login fails" || got.Status != tickets.StatusClosed {
			t.Fatalf("UpdateDetails of a closed ticket = %+v, %v", got, err)
		}
		s.expect(tk.ID, "ticket.updated by U_ALICE fields title")
	})

	t.Run("NotFound", func(t *testing.T) {
		s := start(t)
		_, err := s.UpdateDetails(s.ctx, "999999-1", agentChanges, tickets.OriginAgent, alice, t0)
		wantErr(t, "UpdateDetails", err, tickets.ErrNotFound)
	})
}

func testSetSync(t *testing.T, start starter) {
	t.Run("NewsRule", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		// Each status in turn, and whether agents hear of it (tickets.SyncNews).
		for i, step := range []struct {
			st   tickets.SyncStatus
			want []string
		}{
			{tickets.SyncStatus{Synced: true, RemoteID: "r1"}, nil},                                                      // a first clean sync
			{tickets.SyncStatus{Synced: true, RemoteID: "r1", LastEvent: "ev9"}, nil},                                    // the same outcome
			{tickets.SyncStatus{Reason: "no account"}, []string{`ticket.synced sink vitally "!not synced: no account"`}}, // fails
			{tickets.SyncStatus{Reason: "no account"}, nil},                                                              // still
			{tickets.SyncStatus{Reason: "no organization"}, []string{`ticket.synced sink vitally "!not synced: no organization"`}},
			{tickets.SyncStatus{Synced: true, Reason: "no field urgency"}, []string{`ticket.synced sink vitally "!synced: no field urgency"`}},
			{tickets.SyncStatus{Synced: true, RemoteID: "r2"}, []string{`ticket.synced sink vitally "synced"`}}, // recovered
		} {
			step.st.At = at(i)
			if err := s.SetSync(s.ctx, tk.ID, "vitally", step.st); err != nil {
				t.Fatal(err)
			}
			equal(t, "the recorded status", s.get(tk.ID).Syncs["vitally"], step.st)
			evs := s.expect(tk.ID, step.want...)
			if len(evs) == 1 {
				equal(t, "the event's status", *evs[0].Sync, step.st)
			}
		}
	})

	t.Run("FirstFailureIsNews", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		if err := s.SetSync(s.ctx, tk.ID, "ai", tickets.SyncStatus{Reason: "quota", At: at(1)}); err != nil {
			t.Fatal(err)
		}
		s.expect(tk.ID, `ticket.synced sink ai "!not synced: quota"`)
		if err := s.SetSync(s.ctx, tk.ID, "vitally", tickets.SyncStatus{Synced: true, At: at(2)}); err != nil {
			t.Fatal(err)
		}
		equal(t, "sinks", len(s.get(tk.ID).Syncs), 2)
		s.expect(tk.ID)
	})

	t.Run("ClipsAndRefuses", func(t *testing.T) {
		s := start(t)
		tk, _ := s.open("c1")
		long := strings.Repeat("why ", tickets.MaxSyncReasonBytes)
		if err := s.SetSync(s.ctx, tk.ID, "vitally", tickets.SyncStatus{Reason: long, Where: long, At: at(1)}); err != nil {
			t.Fatal(err)
		}
		got := s.get(tk.ID).Syncs["vitally"]
		if len(got.Reason) > tickets.MaxSyncReasonBytes || len(got.Where) > tickets.MaxSyncReasonBytes || got.Reason == "" {
			t.Errorf("reason of %d bytes, where of %d", len(got.Reason), len(got.Where))
		}
		s.news(tk.ID)
		before := s.get(tk.ID)
		for _, sink := range []string{"", "a:b"} {
			wantErr(t, "sink "+sink, s.SetSync(s.ctx, tk.ID, sink, tickets.SyncStatus{Synced: true, At: at(2)}), tickets.ErrInvalid)
		}
		s.unchanged(before)
		wantErr(t, "no such ticket", s.SetSync(s.ctx, "999999-1", "vitally", tickets.SyncStatus{Synced: true}), tickets.ErrNotFound)
	})
}
