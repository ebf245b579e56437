package gladlytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Event is a webhook event as Gladly sends it: "Payloads" in
// https://developer.gladly.com/rest/ and https://github.com/gladly/webhook-examples (the
// connector's testdata/*.json hold the whole shapes).
type Event struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Initiator *Initiator     `json:"initiator,omitempty"`
	Content   map[string]any `json:"content"`
}

// Initiator is who caused an event.
type Initiator struct {
	ID   string `json:"id"`
	Type string `json:"type"` // CUSTOMER, AGENT, ...
}

func stamp(at time.Time) string { return at.UTC().Format(time.RFC3339Nano) }

// MessageReceived is a CONTACT/MESSAGE_RECEIVED event: customer wrote item in the chat of
// conversation conv, which is assigned to inbox.
func MessageReceived(id, conv, customer, item, inbox string, at time.Time) Event {
	return Event{ID: id, Type: "CONTACT/MESSAGE_RECEIVED", Timestamp: stamp(at),
		Initiator: &Initiator{ID: customer, Type: "CUSTOMER"},
		Content: map[string]any{"channel": "CHAT", "conversationId": conv, "customerId": customer, "messageId": item,
			"context": map[string]any{"assignee": map[string]any{"inboxId": inbox}}}}
}

// AssigneeUpdated is a CONVERSATION_ASSIGNEE/UPDATED event: agent moved conversation conv
// of customer from inbox from into inbox to (reason MANUAL).
func AssigneeUpdated(id, conv, customer, to, from, agent string, at time.Time) Event {
	return Event{ID: id, Type: "CONVERSATION_ASSIGNEE/UPDATED", Timestamp: stamp(at),
		Initiator: &Initiator{ID: agent, Type: "AGENT"},
		Content: map[string]any{"customerId": customer, "conversationId": conv, "reason": "MANUAL",
			"assignee": map[string]any{"inboxId": to},
			"context":  map[string]any{"assignee": map[string]any{"inboxId": from, "agentId": agent}}}}
}

// Webhook sends events to Frontdesk as a Gladly webhook does: a JSON POST with the
// account's X-Account-Identifier header, and Basic credentials when the webhook has
// them.
type Webhook struct {
	URL            string // Frontdesk's endpoint: its root and the connector's path
	Account        string // the X-Account-Identifier header
	User, Password string // Basic credentials; none when User is ""
	Client         *http.Client
}

// Send POSTs ev (a string or []byte is sent as is, anything else as JSON) and returns
// the status. The error is that of a request that got no answer.
func (h Webhook) Send(ctx context.Context, ev any) (int, error) {
	var body []byte
	switch v := ev.(type) {
	case string:
		body = []byte(v)
	case []byte:
		body = v
	default:
		b, err := json.Marshal(ev)
		if err != nil {
			return 0, err
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Account-Identifier", h.Account)
	if h.User != "" {
		req.SetBasicAuth(h.User, h.Password)
	}
	hc := h.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxBody))
	return res.StatusCode, nil
}
