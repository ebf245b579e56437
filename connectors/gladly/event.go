package gladly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The webhook event types Frontdesk handles (developer.gladly.com/rest, Webhooks; see
// docs/gladly.md, "What is confirmed about Gladly's API"); every other one is
// acknowledged and ignored.
const (
	typePing = "PING"
	// typeContactMessage: a customer's message in a contact (conversation) on any channel.
	typeContactMessage = "CONTACT/MESSAGE_RECEIVED"
	// typeMessage: the older message event of Gladly's examples, absent from the
	// published enum; its content carries conversationItemId and no context.
	typeMessage  = "MESSAGE/RECEIVED"
	typeClosed   = "CONVERSATION/CLOSED"
	typeAssignee = "CONVERSATION_ASSIGNEE/UPDATED"
	typeStatus   = "CONVERSATION_STATUS/UPDATED"
	maxBodyBytes = 1 << 20
	maxIDBytes   = 256 // the longest id the store and the tickets domain take
)

// handled reports whether events of type typ are queued.
func handled(typ string) bool {
	switch typ {
	case typeContactMessage, typeMessage, typeClosed, typeAssignee, typeStatus:
		return true
	}
	return false
}

// envelope is a Gladly webhook: {id, type, timestamp, initiator?, content}. Unknown fields
// are ignored; only id and type are required (PING has no id). Content is decoded only
// for the handled types, whose shapes are known.
type envelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Raw       json.RawMessage `json:"content"`
	Content   content         `json:"-"`
}

// content is the union of the content fields of the handled events. All are optional
// here; each event's handling says what it needs.
type content struct {
	ConversationID string `json:"conversationId"`
	CustomerID     string `json:"customerId"`
	// MessageID (CONTACT/MESSAGE_RECEIVED) or ConversationItemID (MESSAGE/RECEIVED) is
	// the customer's message, a conversation item.
	MessageID          string `json:"messageId"`
	ConversationItemID string `json:"conversationItemId"`
	// Channel is the contact's channel (CONTACT/*): CHAT, EMAIL, SMS, WHATSAPP, ...
	Channel string `json:"channel"`
	// Assignee is the new assignee (CONVERSATION_ASSIGNEE/UPDATED).
	Assignee *assignee `json:"assignee"`
	// Context.Assignee is the assignee when the event happened (just before it, for
	// CONVERSATION/CLOSED).
	Context struct {
		Assignee *assignee `json:"assignee"`
	} `json:"context"`
}

// assignee is where a conversation is: an inbox, and maybe an agent in it.
type assignee struct {
	InboxID string `json:"inboxId"`
	AgentID string `json:"agentId"`
}

// parseEnvelope decodes a webhook body: one JSON object with string id and type (the id
// may be missing only on PING), and for the handled types a content object.
func parseEnvelope(body []byte) (*envelope, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var e envelope
	if err := dec.Decode(&e); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed JSON: data after the top-level value")
	}
	switch {
	case strings.TrimSpace(e.Type) == "":
		return nil, errors.New("the event has no type")
	case e.Type != typePing && strings.TrimSpace(e.ID) == "":
		return nil, errors.New("the event has no id")
	case len(e.ID) > maxIDBytes:
		return nil, fmt.Errorf("the event id is longer than %d bytes", maxIDBytes)
	}
	if !handled(e.Type) {
		return &e, nil
	}
	if len(e.Raw) == 0 || string(e.Raw) == "null" {
		return nil, fmt.Errorf("a %s event needs content", e.Type)
	}
	if err := json.Unmarshal(e.Raw, &e.Content); err != nil {
		return nil, fmt.Errorf("content: %w", jsonError(err))
	}
	if len(e.Content.ConversationID) > maxIDBytes {
		return nil, fmt.Errorf("the conversation id is longer than %d bytes", maxIDBytes)
	}
	return &e, nil
}

// jsonError says what is wrong with JSON that did not decode, without quoting it.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Errorf("field %s must be %s", te.Field, jsonKind(te.Type.Kind().String()))
		}
		return errors.New("must be a JSON object")
	}
	return errors.New("malformed JSON")
}

// jsonKind names a Go kind the way JSON would.
func jsonKind(kind string) string {
	switch kind {
	case "struct", "map", "ptr":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a " + kind
}
