// Package aitest is a fake OpenAI-compatible chat-completions endpoint
// (POST <base>/chat/completions), served by net/http/httptest, for the ai connector's
// tests and for end-to-end tests.
//
// New starts a Server; point the ai sink at its BaseURL. Tests tell it what to answer
// with Answer, which model it plays with SetModel, and read what it was sent with
// Requests; Strays lists the requests it refused before they reached the model (a wrong
// path, method or key).
//
// The fake follows OpenAI's documented behaviour (the API reference's OpenAPI
// description, https://github.com/openai/openai-openapi/blob/f85dbe223d40e1a31cba812ab2d755c7e98a92a3/openapi.yaml,
// rendered at https://platform.openai.com/docs/api-reference/chat/create):
//
//   - Authentication is "Authorization: Bearer <key>"; anything else is answered 401.
//   - temperature is optional: a number from 0 to 2, default 1 (ModelResponseProperties);
//     model and messages are required (CreateChatCompletionRequest).
//   - A chat completion is shaped like the reference's "Default" example of
//     createChatCompletion; errors are {"error": {"message", "type", "param", "code"}}
//     (ErrorResponse, Error).
//
// and what OpenAI's reasoning models (the o-series, the GPT-5 family) are reported to
// answer to a temperature, in error bodies copied from issue threads (each cited beside
// its fixture in errors.go):
//
//   - DefaultTemperatureOnly: a temperature other than the default 1 is answered 400
//     with code "unsupported_value" and param "temperature".
//   - NoTemperature: any temperature is answered 400 with code "unsupported_parameter"
//     and param "temperature".
//
// Some behaviour is the fake's own choice: a temperature of JSON null counts as not
// sent, and a Chat model does not check the range of temperature.
package aitest
