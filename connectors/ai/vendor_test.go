package ai

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Golden tests: OpenAI's documented payloads, copied as they are (the source beside
// each), fed through the sink's real request encoder and answer decoders.

// openAPI is OpenAI's OpenAPI description of its API, the source of the API reference
// (https://platform.openai.com/docs/api-reference/chat/create), at the commit read.
const openAPI = "https://github.com/openai/openai-openapi/blob/f85dbe223d40e1a31cba812ab2d755c7e98a92a3/openapi.yaml"

// docCompletion is the "Default" example response of createChatCompletion (POST
// /chat/completions) in openAPI.
const docCompletion = `{
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "gpt-5.4",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Hello! How can I assist you today?",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 19,
    "completion_tokens": 10,
    "total_tokens": 29,
    "prompt_tokens_details": {
      "cached_tokens": 0,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 0,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default"
}`

// docUnsupportedValue is OpenAI's 400 to o1-mini sent "temperature": 0.5, from a curl to
// https://api.openai.com/v1/chat/completions in https://github.com/leafo/lua-openai/issues/12
// (the same body, for 0, with GPT-5 models: https://github.com/gabrii/Cursor-Azure-GPT-5/issues/33,
// https://github.com/johny-b/llmcomp/issues/69).
const docUnsupportedValue = `{
  "error": {
    "message": "Unsupported value: 'temperature' does not support 0.5 with this model. Only the default (1) value is supported.",
    "type": "invalid_request_error",
    "param": "temperature",
    "code": "unsupported_value"
  }
}`

// docUnsupportedValueZero is the same refusal of temperature 0, as quoted in
// https://github.com/gabrii/Cursor-Azure-GPT-5/issues/33.
const docUnsupportedValueZero = `{
  "error": {
    "message": "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.",
    "type": "invalid_request_error",
    "param": "temperature",
    "code": "unsupported_value"
  }
}`

// docUnsupportedParameter is OpenAI's 400 to o3-mini sent a temperature, from
// https://github.com/appatalks/eva-agent/issues/83 (the same body in OpenAI's own
// tracker: https://github.com/openai/openai-python/issues/2104).
const docUnsupportedParameter = `{
  "error": {
    "message": "Unsupported parameter: 'temperature' is not supported with this model.",
    "type": "invalid_request_error",
    "param": "temperature",
    "code": "unsupported_parameter"
  }
}`

// docUnsupportedParameterNoCode is the same refusal by gpt-5.2, with a null code, from
// https://github.com/OpenHands/software-agent-sdk/issues/1837.
const docUnsupportedParameterNoCode = `{
  "error": {
    "message": "Unsupported parameter: 'temperature' is not supported with this model.",
    "type": "invalid_request_error",
    "param": "temperature",
    "code": null
  }
}`

// docInvalidKey is OpenAI's 401 to a wrong key, from
// https://github.com/chatanywhere/GPT_API_free/issues/62.
const docInvalidKey = `{"error":{"message":"Incorrect API key provided: sk-VKMIs***************************************wjh3. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`

// vendor is an endpoint answering status and body as they are, recording the requests.
type vendor struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status int
	body   string
	bodies [][]byte
}

func newVendor(t *testing.T, status int, body string) *vendor {
	t.Helper()
	v := &vendor{status: status, body: body}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		v.mu.Lock()
		v.bodies = append(v.bodies, raw)
		w.Header().Set("Content-Type", "application/json")
		status, body := v.status, v.body
		v.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(v.srv.Close)
	return v
}

func (v *vendor) requests() [][]byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.bodies)
}

// TestVendor_DocumentedCompletion: the documented answer is read as a chat completion;
// its content, a greeting and not the JSON asked for, is dropped without a retry. The
// same envelope carrying suggestions is suggested.
func TestVendor_DocumentedCompletion(t *testing.T) {
	t.Logf("source: %s", openAPI)
	v := newVendor(t, http.StatusOK, docCompletion)
	w := newWorld(t, Config{BaseURL: v.srv.URL + "/v1"})
	content, err := w.sink.complete(t.Context(), prompt{system: "s", user: "u"})
	if err != nil || content != "Hello! How can I assist you today?" {
		t.Fatalf("complete = %q, %v", content, err)
	}
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Fatalf("err %v, want nil: dropped, not retried", err)
	}
	if len(w.sugg.got()) != 0 || len(w.logs.FilterMessage("AI answer dropped").All()) != 1 {
		t.Errorf("suggestions %s; logs: %s", show(w.sugg.got()...), w.logText())
	}

	suggestion, _ := json.Marshal(`{"title":"Refund for a double charge","urgency":"high","tags":["billing"]}`)
	v.mu.Lock()
	v.body = strings.Replace(docCompletion, `"Hello! How can I assist you today?"`, string(suggestion), 1)
	v.mu.Unlock()
	if err := w.changed(tickets.EventOpened); err != nil {
		t.Fatal(err)
	}
	want := tickets.DetailsChange{Title: ptr("Refund for a double charge"), Urgency: ptr(tickets.UrgencyHigh), AITags: &[]string{"billing"}}
	if got := w.sugg.got(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("Suggest got %s, want %s", show(got...), show(want))
	}
}

// TestVendor_Request: what the sink sends keeps to the documented request: model and
// messages (required), response_format json_object, and no temperature unless one is
// configured (optional: a number from 0 to 2, default 1).
func TestVendor_Request(t *testing.T) {
	t.Logf("source: %s (CreateChatCompletionRequest, ModelResponseProperties, ResponseFormatJsonObject)", openAPI)
	for _, temp := range []*float64{nil, ptr(0.0), ptr(2.0)} {
		v := newVendor(t, http.StatusOK, docCompletion)
		w := newWorld(t, Config{BaseURL: v.srv.URL + "/v1", Temperature: temp})
		if err := w.changed(tickets.EventOpened); err != nil {
			t.Fatal(err)
		}
		reqs := v.requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests", len(reqs))
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(reqs[0], &body); err != nil {
			t.Fatal(err)
		}
		for k := range body {
			if !slices.Contains([]string{"model", "messages", "response_format", "temperature"}, k) {
				t.Errorf("the request has %q", k)
			}
		}
		var req struct {
			Model          string         `json:"model"`
			Messages       []chatMessage  `json:"messages"`
			ResponseFormat responseFormat `json:"response_format"`
			Temperature    *float64       `json:"temperature"`
		}
		if err := json.Unmarshal(reqs[0], &req); err != nil {
			t.Fatal(err)
		}
		if req.Model != "gpt-test" || len(req.Messages) == 0 || req.ResponseFormat.Type != "json_object" {
			t.Errorf("request %s", reqs[0])
		}
		for _, m := range req.Messages {
			if m.Role != "system" && m.Role != "user" || m.Content == "" {
				t.Errorf("message %+v", m)
			}
		}
		_, sent := body["temperature"]
		switch {
		case temp == nil && sent:
			t.Errorf("a temperature is sent without one configured: %s", reqs[0])
		case temp != nil && (req.Temperature == nil || *req.Temperature != *temp):
			t.Errorf("temperature %s, want %v", body["temperature"], *temp)
		}
	}
}

// TestVendor_DocumentedRefusals: OpenAI's reported refusals of a temperature are
// permanent refusals of the parameter temperature, recorded as the ticket's AI status;
// its wrong-key answer is a plain permanent refusal. No body's message is kept.
func TestVendor_DocumentedRefusals(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		body   string
		param  string // "": not a refusal of a parameter
		code   string
	}{
		{"unsupported value", http.StatusBadRequest, docUnsupportedValue, "temperature", "unsupported_value"},
		{"unsupported value 0", http.StatusBadRequest, docUnsupportedValueZero, "temperature", "unsupported_value"},
		{"unsupported parameter", http.StatusBadRequest, docUnsupportedParameter, "temperature", "unsupported_parameter"},
		{"unsupported parameter, null code", http.StatusBadRequest, docUnsupportedParameterNoCode, "temperature", "invalid_request_error"},
		{"invalid key", http.StatusUnauthorized, docInvalidKey, "", "invalid_api_key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := newVendor(t, c.status, c.body)
			w := newWorld(t, Config{BaseURL: v.srv.URL + "/v1", Temperature: ptr(0.0)})
			err := w.changed(tickets.EventOpened)
			if !tickets.IsPermanent(err) || !strings.Contains(err.Error(), c.code) {
				t.Fatalf("err %v, want a permanent one with %s", err, c.code)
			}
			var rp *refusedParam
			if got := errors.As(err, &rp); got != (c.param != "") || got && rp.param != c.param {
				t.Fatalf("err %v: refusal of a parameter %v, want %q", err, got, c.param)
			}
			synced := w.tickets.synced()
			if c.param == "" {
				if len(synced) != 0 {
					t.Errorf("a status was recorded: %+v", synced)
				}
			} else if len(synced) != 1 || synced[0].status.Synced ||
				!strings.Contains(synced[0].status.Reason, "refused the parameter "+c.param) ||
				!strings.Contains(synced[0].status.Reason, "unset AI_TEMPERATURE") {
				t.Errorf("status %+v", synced)
			}
			for _, bad := range []string{"Unsupported", "with this model", "sk-VKMIs", "wjh3", "platform.openai.com"} {
				if contains(bad, err.Error(), w.logText()) {
					t.Errorf("%q of the body is in the error or the logs: %v\n%s", bad, err, w.logText())
				}
			}
			if n := len(v.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}
