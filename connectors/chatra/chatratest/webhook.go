package chatratest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// Webhook is a webhook body as Chatra sends it, with only the fields its sources confirm
// (see the package comment): the event's name (chatStarted, chatFragment,
// chatTranscript), the visitor, the agents in the chat and its messages.
type Webhook struct {
	EventName string           `json:"eventName"`
	Client    Client           `json:"client"`
	Agents    []Agent          `json:"agents,omitempty"`
	Messages  []WebhookMessage `json:"messages"`
}

// Client is the visitor of a webhook.
type Client struct {
	ID            string `json:"id"`
	ChatID        string `json:"chatId,omitempty"`
	DisplayedName string `json:"displayedName,omitempty"`
}

// Agent is an agent of a webhook's chat.
type Agent struct {
	ID string `json:"id"`
}

// WebhookMessage is a message of a webhook: its id, type (agent or client), text and
// createdAt in ms since the epoch; receivedFrom is the integration that sent it, when
// Chatra echoes it (not confirmed).
type WebhookMessage struct {
	ID           string `json:"id,omitempty"`
	Type         string `json:"type"`
	Text         string `json:"text"`
	CreatedAt    int64  `json:"createdAt,omitempty"`
	ReceivedFrom string `json:"receivedFrom,omitempty"`
}

// JSON is the webhook's body.
func (h Webhook) JSON() string {
	b, err := json.Marshal(h)
	if err != nil {
		panic(err) // only strings and numbers
	}
	return string(b)
}

// Echo is the chatFragment webhook in which Chatra shows the i-th message it took
// (counting from 0), with its receivedFrom when marked is set: whether Chatra echoes
// receivedFrom is not confirmed, so tests try both. It holds only confirmed fields.
func (s *Server) Echo(i int, marked bool) string {
	m := s.Taken()[i]
	msg := WebhookMessage{ID: m.ID, Type: m.Type, Text: m.Text, CreatedAt: m.CreatedAt}
	if marked {
		msg.ReceivedFrom = m.ReceivedFrom
	}
	return Webhook{EventName: "chatFragment", Client: Client{ID: m.ClientID}, Agents: []Agent{{ID: m.AgentID}},
		Messages: []WebhookMessage{msg}}.JSON()
}

// Send POSTs a webhook body to url (Frontdesk's webhook URL, the token in its path) as
// Chatra does: JSON, no credentials. hc nil is http.DefaultClient. It returns the status
// and the answer's body; the error is that of a request that got no answer.
func Send(ctx context.Context, hc *http.Client, url, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	return res.StatusCode, b, nil
}
