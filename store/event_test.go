package store

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestDecodeEntry(t *testing.T) {
	t.Parallel()
	e := `{"type":"message","ticket":"3-4","at":"2025-03-01T09:30:00Z"}`
	ev, err := decodeEntry(4, redis.XMessage{ID: "17-2", Values: map[string]any{
		"t": "message", "k": "3-4", "e": e, "place": "inbox", "replay": "1", "after_transfer": "1",
		"prev_card_event": "4/1-1", "from": `{"channel_id":"C1","label":"One"}`, "m": `{"id":"m1","direction":"customer","text":"hi","at":"2025-03-01T09:30:00Z"}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "4/17-2" || ev.TicketID != "3-4" || ev.Place != tickets.PlaceInbox || !ev.Replay || !ev.AfterTransfer ||
		ev.PrevCardEvent != "4/1-1" || ev.From.ChannelID != "C1" || ev.Message == nil || ev.Message.Text != "hi" {
		t.Errorf("decodeEntry = %+v", ev)
	}

	for name, values := range map[string]map[string]any{
		"NoFields":     {},
		"BadJSON":      {"t": "message", "k": "3-4", "e": "{"},
		"TypeMismatch": {"t": "ticket.closed", "k": "3-4", "e": e},
		"NoTicket":     {"t": "message", "e": e},
		"BadFrom":      {"t": "message", "k": "3-4", "e": e, "from": "["},
		"BadMessage":   {"t": "message", "k": "3-4", "e": e, "m": "nope"},
		"NotAString":   {"t": "message", "k": "3-4", "e": 7},
	} {
		if _, err := decodeEntry(4, redis.XMessage{ID: "1-1", Values: values}); err == nil {
			t.Errorf("%s: decodeEntry succeeded", name)
		}
	}
}
