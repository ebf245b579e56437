package webhooktest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// Path is where Frontdesk takes chatbots' events (webhook.Path; a test of the connector
// holds the two equal).
const Path = "/connectors/webhook/v1/events"

// Answer is Frontdesk's answer to an event the chatbot sent.
type Answer struct {
	Status int
	Header http.Header
	// Body is the JSON object answered (numbers are float64); nil when there is none.
	Body map[string]any
}

// Send POSTs ev, encoded as JSON, to Frontdesk's chatbot endpoint at base (its root, such
// as http://127.0.0.1:8080; Path is added) as docs/webhook.md ("Inbound") has chatbots
// do: "Authorization: Bearer <token>", "Content-Type: application/json". hc nil is
// http.DefaultClient. The error is that of a request that got no answer.
func Send(ctx context.Context, hc *http.Client, base, token string, ev any) (Answer, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return Answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+Path, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer res.Body.Close()
	a := Answer{Status: res.StatusCode, Header: res.Header}
	b, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	_ = json.Unmarshal(b, &a.Body)
	return a, nil
}
