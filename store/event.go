package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// An outbox entry has the fields
//
//	t                 the event type
//	k                 the ticket id
//	e                 the tickets.Event as JSON, built in Go before the script runs
//
// and, where the script decides them, fields that are laid over the decoded event:
//
//	place             Event.Place ("card" or "inbox")
//	replay            "1": Event.Replay
//	after_transfer    "1": Event.AfterTransfer
//	prev_card_event   Event.PrevCardEvent
//	from              Event.From, JSON
//	m                 Event.Message, JSON (a held message replayed on pick)
//	h:<field>         Event.Ticket: the fields of the ticket's HASH that relaying a
//	                  message needs (id, number, source, conv, customer, status, inbox,
//	                  card_event: as_written in emit.go) as they were when the event was
//	                  written (a message's; see appendMessageLua)
//	card              with the h: fields, the ticket's current card, JSON
//
// The event's ID is not stored: it is "<partition>/<entry id>" (see eventID).

// decodeEntry reads outbox entry m of partition p back into the event it carries.
func decodeEntry(p int, m redis.XMessage) (tickets.Event, error) {
	field := func(name string) string {
		s, _ := m.Values[name].(string)
		return s
	}
	var ev tickets.Event
	if err := unmarshalJSON([]byte(field("e")), &ev); err != nil {
		return tickets.Event{}, fmt.Errorf("field e: %w", err)
	}
	ev.ID = eventID(p, m.ID)
	switch {
	case ev.Type == "" || string(ev.Type) != field("t"):
		return tickets.Event{}, fmt.Errorf("type %q does not match field t %q", ev.Type, field("t"))
	case orderKey(ev) == "" || string(orderKey(ev)) != field("k"):
		return tickets.Event{}, fmt.Errorf("ordering key %q does not match field k %q", orderKey(ev), field("k"))
	}
	if s := field("place"); s != "" {
		ev.Place = tickets.Place(s)
	}
	ev.Replay = ev.Replay || field("replay") == "1"
	ev.AfterTransfer = ev.AfterTransfer || field("after_transfer") == "1"
	if s := field("prev_card_event"); s != "" {
		ev.PrevCardEvent = s
	}
	if err := unmarshalField(field("from"), &ev.From); err != nil {
		return tickets.Event{}, fmt.Errorf("field from: %w", err)
	}
	if s := field("m"); s != "" {
		ev.Message = new(tickets.Message)
		if err := unmarshalJSON([]byte(s), ev.Message); err != nil {
			return tickets.Event{}, fmt.Errorf("field m: %w", err)
		}
	}
	ev.Ticket = ticketAsWritten(m.Values)
	return ev, nil
}

// ticketAsWritten is the ticket an entry carries in its h: and card fields, or nil when it
// carries none (or one that does not decode: the handlers then read the ticket).
func ticketAsWritten(values map[string]any) *tickets.Ticket {
	if _, ok := values["h:id"]; !ok {
		return nil
	}
	h := make(map[string]string, len(values))
	for k, v := range values {
		if name, ok := strings.CutPrefix(k, "h:"); ok {
			h[name], _ = v.(string)
		}
	}
	card, _ := values["card"].(string)
	t, err := decodeTicket(h, nil, map[string]string{h["card_event"]: card}, nil)
	if err != nil {
		return nil
	}
	return t
}

// Codes the scripts return; outcome maps them to the tickets errors.
const (
	codeOK            = 1
	codeNotFound      = 0
	codeAlreadyPicked = -1
	codeClosed        = -2
	codeSameTeam      = -3
	codeNotActive     = -4
	codeNotOpen       = -5 // not the conversation's open ticket (addMessageScript for a source)
	codeSameStatus    = -6
	codeStale         = -7
	codeDuplicate     = 2
)

func outcome(code int64) error {
	switch code {
	case codeOK, codeDuplicate:
		return nil
	case codeNotFound:
		return tickets.ErrNotFound
	case codeClosed:
		return tickets.ErrClosed
	case codeSameTeam:
		return tickets.ErrSameTeam
	case codeNotActive:
		return tickets.ErrNotActive
	case codeSameStatus:
		return tickets.ErrSameStatus
	case codeStale:
		return tickets.ErrStale
	}
	return fmt.Errorf("store: script returned unknown code %d", code)
}

// notFound turns redis.Nil (a missing key) into tickets.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, redis.Nil) {
		return tickets.ErrNotFound
	}
	return err
}

// wrapErr names the operation on infrastructure errors and passes the tickets outcomes
// through unchanged.
func wrapErr(op string, id tickets.ID, err error) error {
	if err == nil {
		return nil
	}
	var picked *tickets.AlreadyPickedError
	for _, e := range []error{tickets.ErrNotFound, tickets.ErrClosed, tickets.ErrSameTeam, tickets.ErrNotActive, tickets.ErrInvalid,
		tickets.ErrSameStatus, tickets.ErrStale} {
		if errors.Is(err, e) {
			return err
		}
	}
	if errors.As(err, &picked) {
		return err
	}
	return fmt.Errorf("store: %s %s: %w", op, id, err)
}
