package aitest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const testKey = "sk-test-secret-42"

func post(t *testing.T, s *Server, path, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// The models answer a temperature as OpenAI's are reported to.
func TestServer_Models(t *testing.T) {
	s := New(testKey)
	defer s.Close()
	body := func(temp string) string {
		b := `{"model":"m","messages":[{"role":"user","content":"hi"}]`
		if temp != "" {
			b += `,"temperature":` + temp
		}
		return b + "}"
	}
	for _, c := range []struct {
		model  Model
		temp   string
		status int
		want   string // the body, for 400
	}{
		{Chat, "", 200, ""},
		{Chat, "0", 200, ""},
		{DefaultTemperatureOnly, "", 200, ""},
		{DefaultTemperatureOnly, "null", 200, ""},
		{DefaultTemperatureOnly, "1", 200, ""},
		{DefaultTemperatureOnly, "0", 400, UnsupportedValueBody("0")},
		{DefaultTemperatureOnly, "0.2", 400, UnsupportedValueBody("0.2")},
		{NoTemperature, "", 200, ""},
		{NoTemperature, "1", 400, UnsupportedParameterBody()},
	} {
		s.SetModel(c.model)
		status, got := post(t, s, "/v1/chat/completions", testKey, body(c.temp))
		if status != c.status || c.want != "" && got != c.want {
			t.Errorf("model %d, temperature %q: %d %s", c.model, c.temp, status, got)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 9 || reqs[1].Temperature != "0" || reqs[3].Temperature != "" || !reqs[5].Refused || reqs[4].Refused {
		t.Errorf("requests %+v", reqs)
	}
	if strays := s.Strays(); len(strays) != 0 {
		t.Errorf("strays %q", strays)
	}
}

// An answer is a chat completion with the content told; errors are OpenAI's shape.
func TestServer_Answers(t *testing.T) {
	s := New(testKey)
	defer s.Close()
	status, raw := post(t, s, "/v1/chat/completions", testKey, `{"model":"m","messages":[]}`)
	var c struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil || status != 200 || c.Object != "chat.completion" ||
		len(c.Choices) != 1 || c.Choices[0].Message.Content != Suggestion || c.Choices[0].Message.Role != "assistant" {
		t.Errorf("%d %s", status, raw)
	}

	status, raw = post(t, s, "/v1/chat/completions", "sk-wrong-key-99", `{}`)
	if status != 401 || !strings.Contains(raw, `"code":"invalid_api_key"`) || strings.Contains(raw, "sk-wrong-key-99") {
		t.Errorf("a wrong key: %d %s", status, raw)
	}
	if status, _ := post(t, s, "/v1/completions", testKey, `{}`); status != 404 {
		t.Errorf("another path: %d", status)
	}
	if strays := s.Strays(); len(strays) != 2 {
		t.Errorf("strays %q", strays)
	}
	var e struct {
		Error struct {
			Message string  `json:"message"`
			Type    string  `json:"type"`
			Param   *string `json:"param"`
			Code    *string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(UnsupportedParameterNoCodeBody()), &e); err != nil || e.Error.Code != nil ||
		e.Error.Param == nil || *e.Error.Param != "temperature" || e.Error.Type != "invalid_request_error" {
		t.Errorf("%+v, %v", e, err)
	}
}
