package aitest

import (
	"encoding/json"
	"fmt"
)

// The error bodies the fake answers, shaped like OpenAI's: ErrorResponse in
// https://github.com/openai/openai-openapi/blob/f85dbe223d40e1a31cba812ab2d755c7e98a92a3/openapi.yaml
// ({"error": Error}, Error's message and type strings, param and code strings or null).

// UnsupportedValueBody is OpenAI's 400 to a reasoning model sent a temperature other
// than its default, value being the number as sent ("0", "0.2"). Copied from
//   - https://github.com/johny-b/llmcomp/issues/69 (gpt-5.4, temperature 0): {'error':
//     {'message': "Unsupported value: 'temperature' does not support 0 with this model.
//     Only the default (1) value is supported.", 'type': 'invalid_request_error', 'param':
//     'temperature', 'code': 'unsupported_value'}}
//   - https://github.com/gabrii/Cursor-Azure-GPT-5/issues/33 (the same body as JSON, for 0)
//   - https://github.com/leafo/lua-openai/issues/12 (curl to api.openai.com, o1-mini,
//     temperature 0.5: the same body with 0.5)
func UnsupportedValueBody(value string) string {
	return errorBody(
		fmt.Sprintf("Unsupported value: 'temperature' does not support %s with this model. Only the default (1) value is supported.", value),
		"invalid_request_error", "temperature", "unsupported_value")
}

// UnsupportedParameterBody is OpenAI's 400 to a reasoning model that takes no
// temperature at all, sent one. Copied from
//   - https://github.com/openai/openai-python/issues/2104 (o3-mini, temperature=0):
//     {'error': {'message': "Unsupported parameter: 'temperature' is not supported with
//     this model.", 'type': 'invalid_request_error', 'param': 'temperature', 'code':
//     'unsupported_parameter'}}
//   - https://github.com/appatalks/eva-agent/issues/83 (the same body as JSON)
func UnsupportedParameterBody() string {
	return errorBody("Unsupported parameter: 'temperature' is not supported with this model.",
		"invalid_request_error", "temperature", "unsupported_parameter")
}

// UnsupportedParameterNoCodeBody is the same refusal as reported for gpt-5.2, with a
// null code: https://github.com/OpenHands/software-agent-sdk/issues/1837
// {"error": {"message": "Unsupported parameter: 'temperature' is not supported with this
// model.", "type": "invalid_request_error", "param": "temperature", "code": null}}
func UnsupportedParameterNoCodeBody() string {
	return errorBody("Unsupported parameter: 'temperature' is not supported with this model.",
		"invalid_request_error", "temperature", "")
}

// InvalidKeyBody is OpenAI's 401 to a wrong key, the key masked as masked. Copied from
// https://github.com/chatanywhere/GPT_API_free/issues/62 and
// https://github.com/continuedev/continue/issues/12778: {"error":{"message":"Incorrect API
// key provided: sk-VKMIs***...wjh3. You can find your API key at
// https://platform.openai.com/account/api-keys.","type":"invalid_request_error",
// "param":null,"code":"invalid_api_key"}}
func InvalidKeyBody(masked string) string {
	return errorBody("Incorrect API key provided: "+masked+". You can find your API key at https://platform.openai.com/account/api-keys.",
		"invalid_request_error", "", "invalid_api_key")
}

// notFoundBody answers a path or method the fake does not serve (the fake's own words).
func notFoundBody(method, path string) string {
	return errorBody(fmt.Sprintf("Invalid URL (%s %s)", method, path), "invalid_request_error", "", "")
}

// errorBody is {"error": {...}}; an empty param or code is null.
func errorBody(message, typ, param, code string) string {
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	b, err := json.Marshal(map[string]any{"error": map[string]any{
		"message": message, "type": typ, "param": orNull(param), "code": orNull(code),
	}})
	if err != nil {
		panic(err) // strings and nil always encode
	}
	return string(b)
}

// mask is key as OpenAI shows it in InvalidKeyBody: its start and end around stars.
func mask(key string) string {
	if len(key) < 8 {
		return "***"
	}
	return key[:5] + "***" + key[len(key)-2:]
}
