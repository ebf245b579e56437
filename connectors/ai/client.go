package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// maxBody bounds an answer read from the endpoint.
const maxBody = 1 << 20

// what names the endpoint in errors: never its URL.
const what = "ai: chat completions"

// request is a chat-completions request. Temperature is optional (OpenAI documents a
// number from 0 to 2, default 1) and left out unless configured: OpenAI's reasoning
// models refuse any value but their default.
type request struct {
	Model          string         `json:"model"`
	Temperature    *float64       `json:"temperature,omitempty"`
	ResponseFormat responseFormat `json:"response_format"`
	Messages       []chatMessage  `json:"messages"`
}

type responseFormat struct {
	Type string `json:"type"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// response is the part of a chat-completions answer the sink reads.
type response struct {
	Choices []struct {
		Message struct {
			Content json.RawMessage `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// badAnswer is a 2xx answer the sink cannot use: dropped, not retried.
type badAnswer struct{ reason string }

func (e *badAnswer) Error() string { return "ai: unusable answer: " + e.reason }

// complete sends p to the endpoint and returns the first choice's content. A 2xx answer
// without usable content is a *badAnswer; other errors follow the outbox's rules
// (httpsrc.Classify), with neither the URL nor the key in them, and a refusal of a
// parameter the model does not support is a permanent *refusedParam.
func (s *Sink) complete(ctx context.Context, p prompt) (string, error) {
	body, err := json.Marshal(request{
		Model:          s.cfg.Model,
		Temperature:    s.cfg.Temperature,
		ResponseFormat: responseFormat{Type: "json_object"},
		Messages:       []chatMessage{{Role: "system", Content: p.system}, {Role: "user", Content: p.user}},
	})
	if err != nil {
		return "", tickets.Permanent(fmt.Errorf("%s: encode request: %w", what, err))
	}
	resp, err := httpsrc.Do(ctx, s.http, httpsrc.Request{
		Method: http.MethodPost, URL: s.endpoint, What: what, Body: body, MaxBody: maxBody, Timeout: s.cfg.Timeout,
		Header: http.Header{"Authorization": {"Bearer " + s.cfg.APIKey}, "Accept": {"application/json"}},
	})
	if err != nil {
		return "", err
	}
	if resp.ReadErr != nil {
		return "", fmt.Errorf("%s: read answer: %w", what, resp.ReadErr)
	}
	if err := httpsrc.Classify(what, resp.Status, resp.Header, s.now()); err != nil {
		return "", refusal(err, resp.Body)
	}
	if resp.Truncated {
		return "", &badAnswer{fmt.Sprintf("the answer is larger than %d bytes", maxBody)}
	}
	var r response
	if err := json.Unmarshal(resp.Body, &r); err != nil {
		return "", &badAnswer{"the answer is not a chat completion (undecodable JSON)"}
	}
	if len(r.Choices) == 0 {
		return "", &badAnswer{"the answer has no choices"}
	}
	var content string
	if c := r.Choices[0].Message.Content; len(c) == 0 || json.Unmarshal(c, &content) != nil {
		return "", &badAnswer{"the first choice's content is missing or not a string"}
	}
	if content == "" {
		return "", &badAnswer{"the first choice's content is empty"}
	}
	return content, nil
}
