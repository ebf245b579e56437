package store

import (
	"testing"
)

// FuzzDecodeTicket: a ticket HASH as read back from Redis (what any client of that Redis
// could have written) decodes or is refused; nothing panics.
func FuzzDecodeTicket(f *testing.F) {
	f.Add("1", `{"name":"Carol"}`, `{"channel_id":"C1","label":"S"}`, `{"id":"U1"}`, "2026-11-21T09:00:00Z", `{"synced":true}`, "a\nb", `{"field":"title"}`)
	f.Add("x", "{", "[]", "null", "yesterday", "{", "", "{")
	f.Fuzz(func(t *testing.T, number, customer, team, agent, at, sync, tags, edit string) {
		h := map[string]string{
			"id": "1-1", "number": number, "customer": customer, "team": team, "assignee": agent,
			"closed_by": agent, "created_at": at, "updated_at": at, "sync:vitally": sync, "tags": tags,
			"o:title": "agent", "cat:Product": tags, "csat": customer, "status": "pending",
		}
		_, _ = decodeTicket(h, []string{team}, map[string]string{"": team}, []string{edit})
	})
}
