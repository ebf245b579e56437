package ai

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

const testKey = "sk-test-secret-42"

// Answers the fake can give as the first choice's content.
const (
	goodContent = `{"title":"Refund for a double charge","summary":"The customer was charged twice for March. The agent started a refund.",` +
		`"sentiment":"negative","urgency":"high","tags":["billing","refund"]}`
	fencedContent = "```json\n" + `{"title":"Refund for a double charge","urgency":"medium","tags":["billing"]}` + "\n```"
)

// reply is how the fake answers a request.
type reply struct {
	Status     int    // 0: 200
	RetryAfter string // the Retry-After header, if any
	Body       string // the whole body for a non-2xx status
	Content    string // the first choice's content, for 200
	NoChoices  bool   // 200 with "choices": []
	Block      time.Duration
}

// sentRequest is a request the fake got, its JSON body decoded.
type sentRequest struct {
	Model          string  `json:"model"`
	Temperature    float64 `json:"temperature"`
	ResponseFormat struct {
		Type string `json:"type"`
	} `json:"response_format"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	raw string
}

// fakeAI is an OpenAI-compatible chat-completions endpoint at /v1. It checks the
// method, the path and the Bearer key, records every request and answers as told.
type fakeAI struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	reply reply
	reqs  []sentRequest
}

func newFakeAI(t *testing.T) *fakeAI {
	t.Helper()
	f := &fakeAI{t: t, reply: reply{Content: goodContent}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// baseURL is what Config.BaseURL is set to.
func (f *fakeAI) baseURL() string { return f.srv.URL + "/v1" }

func (f *fakeAI) answer(r reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reply = r
}

func (f *fakeAI) requests() []sentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentRequest(nil), f.reqs...)
}

func (f *fakeAI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		f.t.Errorf("fake AI: %s %s, want POST /v1/chat/completions", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		f.t.Errorf("fake AI: Authorization %q", got)
		http.Error(w, `{"error":{"code":"invalid_api_key"}}`, http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("fake AI: Content-Type %q", ct)
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("fake AI: read body: %v", err)
		return
	}
	var req sentRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		f.t.Errorf("fake AI: undecodable body: %v", err)
	}
	req.raw = string(raw)
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	rp := f.reply
	f.mu.Unlock()

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
	w.Header().Set("Content-Type", "application/json")
	if rp.Status != 0 && rp.Status != http.StatusOK {
		w.WriteHeader(rp.Status)
		_, _ = io.WriteString(w, rp.Body)
		return
	}
	choices := []any{}
	if !rp.NoChoices {
		choices = append(choices, map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": rp.Content},
			"finish_reason": "stop",
		})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": req.Model, "choices": choices,
	})
}

// memTickets is an in-memory Tickets.
type memTickets struct {
	mu   sync.Mutex
	msgs map[tickets.ID][]tickets.Message
}

func (m *memTickets) Messages(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msgs, ok := m.msgs[id]
	if !ok {
		return nil, tickets.ErrNotFound
	}
	return append([]tickets.Message(nil), msgs...), nil
}

// suggestions records Suggest's calls, answering err.
type suggestions struct {
	mu    sync.Mutex
	calls []tickets.DetailsChange
	ids   []tickets.ID
	err   error
}

func (s *suggestions) suggest(_ context.Context, id tickets.ID, c tickets.DetailsChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.ids = append(s.ids, id)
	return s.err
}

func (s *suggestions) got() []tickets.DetailsChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]tickets.DetailsChange(nil), s.calls...)
}

// contains reports whether any of the strings has sub.
func contains(sub string, in ...string) bool {
	for _, s := range in {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
