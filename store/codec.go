package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The ticket HASH holds one field per Ticket field. Times are RFC3339Nano strings ("" for
// zero) and the structured fields are JSON, all made here in Go: the scripts only copy
// and compare strings, never do arithmetic or build JSON.
//
//	id, number, source, conv, summary, opening, raw, status, inbox,   plain strings
//	close_reason
//	customer, team, assignee, closed_by, csat, history               JSON ("" for none)
//	team_channel     the team's channel id, for the scripts to compare
//	card_event       id of the event whose card is current ("" before the first)
//	by_source        "1" when the source closed it
//	handed_back      "1" when the chat was handed back to the source's desk
//	created_at, picked_at, closed_at, updated_at                     RFC3339Nano
//	sync:<sink>, sync_outcome:<sink>   a sink's tickets.SyncStatus (JSON) and its Outcome
//	title, urgency, sentiment            details, plain strings
//	tags, ai_tags                        tags, one per line
//	cat:<name>                           a custom category's value
//	o:<field>                            who set a detail field (tickets.Origin)
//	responded_at, awaiting_since          SLA clocks (sla.go), RFC3339Nano
//	sla, auto_wait                       "1": the ticket's SLA clocks are watched; it waits
//	                                     on the customer after each reply (sla.go)
//	status_at, status_log                the latest status change's time; every change,
//	                                     JSON, one per line (status.go)
//	alert:<name>                         the event that carried out SLA alert name
//	card_due                             what the card shows of the clocks (sla.go)

// ticketFields returns the field, value pairs of a new ticket's HASH.
func ticketFields(t *tickets.Ticket) []any {
	return []any{
		"id", string(t.ID),
		"number", strconv.FormatInt(t.Number, 10),
		"source", t.Source,
		"conv", t.ConversationID,
		"customer", mustJSON(t.Customer),
		"summary", t.Summary,
		"opening", t.Opening,
		"raw", t.Raw,
		"team", mustJSON(t.Team),
		"team_channel", t.Team.ChannelID,
		"status", string(t.Status),
		"assignee", agentJSON(t.Assignee),
		"inbox", t.Inbox,
		"created_at", fmtTime(t.CreatedAt),
		"picked_at", fmtTime(t.PickedAt),
		"closed_at", fmtTime(t.ClosedAt),
		"updated_at", fmtTime(t.UpdatedAt),
		"closed_by", agentJSON(t.ClosedBy),
		"close_reason", t.CloseReason,
		"title", t.Title,
		"history", historyJSON(t.History),
	}
}

// historyJSON is h's JSON, or "" for none.
func historyJSON(h []tickets.HistoryLine) string {
	if len(h) == 0 {
		return ""
	}
	return mustJSON(h)
}

// decodeTicket builds a ticket from its HASH, its transfers LIST, its cards HASH and its
// edits LIST.
func decodeTicket(h map[string]string, transfers []string, cards map[string]string, edits []string) (*tickets.Ticket, error) {
	t := &tickets.Ticket{
		ID:             tickets.ID(h["id"]),
		Source:         h["source"],
		ConversationID: h["conv"],
		Summary:        h["summary"],
		Opening:        h["opening"],
		Raw:            h["raw"],
		Status:         tickets.Status(h["status"]),
		Inbox:          h["inbox"],
		CloseReason:    h["close_reason"],
		BySource:       h["by_source"] == "1",
		HandedBack:     h["handed_back"] == "1",
		Watch:          tickets.Watch{Clocks: h["sla"] == "1", AutoWait: h["auto_wait"] == "1"},
		CardDue:        h["card_due"],
		Title:          h["title"],
		Urgency:        tickets.Urgency(h["urgency"]),
		Sentiment:      tickets.Sentiment(h["sentiment"]),
		Tags:           tickets.DecodeTags(h["tags"]),
		AITags:         tickets.DecodeTags(h["ai_tags"]),
	}
	var err error
	if t.Number, err = strconv.ParseInt(h["number"], 10, 64); err != nil {
		return nil, fmt.Errorf("field number: %w", err)
	}
	if h["csat"] != "" {
		t.CSAT = new(tickets.CSAT)
	}
	for _, f := range []struct {
		name string
		dst  any
	}{{"customer", &t.Customer}, {"team", &t.Team}, {"assignee", &t.Assignee}, {"closed_by", &t.ClosedBy}, {"csat", t.CSAT}, {"history", &t.History}} {
		if err := unmarshalField(h[f.name], f.dst); err != nil {
			return nil, fmt.Errorf("field %s: %w", f.name, err)
		}
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"created_at", &t.CreatedAt}, {"picked_at", &t.PickedAt}, {"closed_at", &t.ClosedAt}, {"updated_at", &t.UpdatedAt},
		{"responded_at", &t.Responded}, {"awaiting_since", &t.Awaiting}} {
		if *f.dst, err = parseTime(h[f.name]); err != nil {
			return nil, fmt.Errorf("field %s: %w", f.name, err)
		}
	}
	for i, s := range transfers {
		var tr tickets.Transfer
		if err := unmarshalJSON([]byte(s), &tr); err != nil {
			return nil, fmt.Errorf("transfer %d: %w", i, err)
		}
		t.Transfers = append(t.Transfers, tr)
	}
	for f, v := range h {
		if name, ok := strings.CutPrefix(f, "cat:"); ok && v != "" {
			if t.Categories == nil {
				t.Categories = map[string]string{}
			}
			t.Categories[name] = v
		}
		if name, ok := strings.CutPrefix(f, "alert:"); ok {
			if t.Alerted == nil {
				t.Alerted = map[string]bool{}
			}
			t.Alerted[name] = true
		}
		if field, ok := strings.CutPrefix(f, "o:"); ok {
			if t.Origins == nil {
				t.Origins = map[string]tickets.Origin{}
			}
			if name, ok := strings.CutPrefix(field, "cat:"); ok {
				field = tickets.FieldCategoryPrefix + name
			}
			t.Origins[field] = tickets.Origin(v)
		}
		sink, ok := strings.CutPrefix(f, "sync:")
		if !ok {
			continue
		}
		var st tickets.SyncStatus
		if err := unmarshalJSON([]byte(v), &st); err != nil {
			return nil, fmt.Errorf("field %s: %w", f, err)
		}
		if t.Syncs == nil {
			t.Syncs = map[string]tickets.SyncStatus{}
		}
		t.Syncs[sink] = st
	}
	for line := range strings.Lines(h["status_log"]) {
		var c tickets.StatusChange
		if err := unmarshalJSON([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("field status_log: %w", err)
		}
		t.Statuses = append(t.Statuses, c)
	}
	for i, s := range edits {
		var e tickets.Edit
		if err := unmarshalJSON([]byte(s), &e); err != nil {
			return nil, fmt.Errorf("edit %d: %w", i, err)
		}
		t.Edits = append(t.Edits, e)
	}
	if s := cards[h["card_event"]]; s != "" {
		if err := unmarshalJSON([]byte(s), &t.Card); err != nil {
			return nil, fmt.Errorf("card: %w", err)
		}
	}
	return t, nil
}

// mustJSON marshals v, which is one of our own plain types and so always marshals.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: marshal %T: %v", v, err))
	}
	return string(b)
}

// marshal is v as JSON, for values that hold times (which fail to marshal outside years
// 0-9999).
func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("store: encode %T: %w", v, err)
	}
	return string(b), nil
}

// agentJSON is a's JSON, or "" for the zero agent.
func agentJSON(a tickets.Agent) string {
	if a == (tickets.Agent{}) {
		return ""
	}
	return mustJSON(a)
}

// unmarshalJSON decodes what the store wrote as JSON, with github.com/goccy/go-json: the
// outbox's readers decode every entry and the ticket it carries, and it does that about
// four times faster than encoding/json. (Writing stays with encoding/json: goccy's
// encoder needs a deep stack, which every new goroutine, one per event here, would grow.)
func unmarshalJSON(data []byte, v any) error { return gojson.Unmarshal(data, v) }

// unmarshalField decodes JSON field s into dst; "" leaves dst zero.
func unmarshalField(s string, dst any) error {
	if s == "" {
		return nil
	}
	return unmarshalJSON([]byte(s), dst)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// strs reads a script's array of strings.
func strs(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// pairs reads a script's HGETALL answer (field, value, ...) into a map.
func pairs(v any) map[string]string {
	a := strs(v)
	out := make(map[string]string, len(a)/2)
	for i := 0; i+1 < len(a); i += 2 {
		out[a[i]] = a[i+1]
	}
	return out
}
