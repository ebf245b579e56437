package aitest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Suggestion is what the fake's model answers by default: suggestions the ai sink takes.
const Suggestion = `{"title":"Emails bounce","summary":"Campaign emails bounce since Monday.",` +
	`"sentiment":"negative","urgency":"high","tags":["email"]}`

// maxBody bounds a request body the fake reads.
const maxBody = 4 << 20

// Model is what the fake's model takes of the temperature parameter.
type Model int

const (
	// Chat takes any temperature, or none (gpt-4o and the like).
	Chat Model = iota
	// DefaultTemperatureOnly takes no temperature but the default 1 (o1-mini, the GPT-5
	// family): another value is answered 400 UnsupportedValueBody.
	DefaultTemperatureOnly
	// NoTemperature takes no temperature at all (o1, o3-mini): one is answered 400
	// UnsupportedParameterBody.
	NoTemperature
)

// Reply is how the fake answers a request its model takes.
type Reply struct {
	Status     int    // 0: 200
	RetryAfter string // the Retry-After header, if any
	Body       string // the whole body, when set or for a status other than 200
	Content    string // the first choice's content, for 200
	NoChoices  bool   // 200 with "choices": []
	// Block holds the answer back this long (or until the client gives up).
	Block time.Duration
}

// Message is one message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is a request the fake's model got.
type Request struct {
	Model string
	// Temperature is as sent: "" when the request has none (or null), else the JSON
	// number ("0", "0.2").
	Temperature    string
	ResponseFormat string // response_format.type
	Messages       []Message
	Raw            string // the whole body
	// Refused: the model answered 400 to the temperature.
	Refused bool
}

// Server is a fake chat-completions endpoint listening on a local address. Its methods
// are safe for concurrent use, and the values they return are copies.
type Server struct {
	// URL is the server's root, such as http://127.0.0.1:PORT; the API is under
	// BaseURL.
	URL string

	srv *httptest.Server
	key string

	mu     sync.Mutex
	model  Model
	reply  Reply
	reqs   []Request
	strays []string
}

// New starts a fake endpoint that takes the API key key, answering Suggestion with a
// Chat model. Close it when done.
func New(key string) *Server {
	s := &Server{key: key, reply: Reply{Content: Suggestion}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// BaseURL is what the ai sink's BaseURL (AI_BASE_URL) is set to: URL + "/v1".
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Answer makes r the answer to every request from now on.
func (s *Server) Answer(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = r
}

// SetModel makes the fake play m from now on.
func (s *Server) SetModel(m Model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.model = m
}

// Requests returns the requests that reached the model, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		r.Messages = append([]Message(nil), r.Messages...)
		out[i] = r
	}
	return out
}

// Strays returns the requests refused before they reached the model ("POST /v1/x: not
// found", "bad key", ...), oldest first.
func (s *Server) Strays() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.strays...)
}

func (s *Server) stray(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.strays = append(s.strays, why)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		s.stray(r.Method + " " + r.URL.Path + ": not found")
		writeJSON(w, http.StatusNotFound, notFoundBody(r.Method, r.URL.Path))
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+s.key {
		s.stray("bad key")
		writeJSON(w, http.StatusUnauthorized, InvalidKeyBody(mask(got)))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		s.stray("unreadable body")
		return
	}
	req, ok := decode(raw)
	if !ok {
		s.stray("undecodable body")
		writeJSON(w, http.StatusBadRequest, errorBody("We could not parse the JSON body of your request.", "invalid_request_error", "", ""))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		s.stray("Content-Type " + ct)
	}

	s.mu.Lock()
	refusal := refuse(s.model, req.Temperature)
	req.Refused = refusal != ""
	s.reqs = append(s.reqs, req)
	rp := s.reply
	s.mu.Unlock()

	if refusal != "" {
		writeJSON(w, http.StatusBadRequest, refusal)
		return
	}
	if rp.Block > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(rp.Block):
		}
	}
	if rp.RetryAfter != "" {
		w.Header().Set("Retry-After", rp.RetryAfter)
	}
	status := cmp.Or(rp.Status, http.StatusOK)
	if status != http.StatusOK || rp.Body != "" {
		writeJSON(w, status, rp.Body)
		return
	}
	choices := []any{}
	if !rp.NoChoices {
		// As in the reference's "Default" example of createChatCompletion.
		choices = append(choices, map[string]any{
			"index": 0,
			"message": map[string]any{
				"role": "assistant", "content": rp.Content, "refusal": nil, "annotations": []any{},
			},
			"logprobs":      nil,
			"finish_reason": "stop",
		})
	}
	body, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(),
		"model": req.Model, "choices": choices,
		"usage":        map[string]any{"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
		"service_tier": "default",
	})
	writeJSON(w, http.StatusOK, string(body))
}

// decode reads a request body; ok is false when it is not a JSON object.
func decode(raw []byte) (Request, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return Request{}, false
	}
	var body struct {
		Model          string `json:"model"`
		ResponseFormat struct {
			Type string `json:"type"`
		} `json:"response_format"`
		Messages []Message `json:"messages"`
	}
	if json.Unmarshal(raw, &body) != nil {
		return Request{}, false
	}
	req := Request{Model: body.Model, ResponseFormat: body.ResponseFormat.Type, Messages: body.Messages, Raw: string(raw)}
	if t, ok := fields["temperature"]; ok && !bytes.Equal(bytes.TrimSpace(t), []byte("null")) {
		req.Temperature = string(bytes.TrimSpace(t))
	}
	return req, true
}

// refuse is the 400 body model answers to temperature (as sent; "" for none), or ""
// when it takes it.
func refuse(m Model, temperature string) string {
	if temperature == "" {
		return ""
	}
	switch m {
	case NoTemperature:
		return UnsupportedParameterBody()
	case DefaultTemperatureOnly:
		if v, err := strconv.ParseFloat(temperature, 64); err != nil || v != 1 {
			return UnsupportedValueBody(temperature)
		}
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
