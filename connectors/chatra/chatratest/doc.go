// Package chatratest is a fake of Chatra's REST API as far as Frontdesk uses it (POST
// messages/, PUT and DELETE messages/{id}, with the Chatra.Simple header), served by net/http/httptest, for the chatra
// connector's tests and for end-to-end tests; it also produces the webhooks Chatra sends
// (Echo, Webhook.JSON, Send).
//
// New starts a Server; point the connector's APIURL at APIURL. It records every request
// (Requests), the bodies it took (Sent) and the messages it made of them (Taken, IDs),
// answers each with the new message and its id, and answers failures on demand first
// (FailNext, FailAt); SetAnswer replaces the answer's body, for shapes the docs are
// silent on; SetDelay holds answers back. Strays lists what the fake held against a
// request: a wrong path, method or authorization, or a body Chatra would not take (all
// refused), and a body sent without Content-Type application/json (taken).
//
// The fake is shaped from what Chatra publishes; a source is named beside each fact.
// Chatra's own reference (https://chatra.com/help/api/, REST API: data format,
// authorization, errors, rate limiting, messages) could be read only as a table of
// contents, so the facts come from summaries of it and from working callers:
//
//   - POST /api/messages/ with Authorization "Chatra.Simple <public>:<secret>" and a JSON
//     body clientId, text (plain, 1 to 5000 characters), and agentEmail + agentName +
//     receivedFrom instead of agentId (an unknown email makes Chatra create an agent):
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_send_message
//   - "Returns the new message with its id": same page. A message is "type (agent or
//     client), text, visitor id, agent id, timestamp (ms) and receivedFrom", and its id
//     is what GET, PUT and DELETE /messages/{id} take:
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_get_message,
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_edit_message,
//     https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_delete_message
//   - PUT /messages/{id} changes a message's text and DELETE /messages/{id} removes it
//     (chatra_edit_message, chatra_delete_message above; the Corrections box of our
//     connector research confirms both exist). The edit's body is taken to be {text}, the
//     field POST uses, and the answer to be the message; neither is published, so the
//     client accepts any 2xx. A message the fake does not have, or deleted, is 404.
//   - The time's field name, createdAt (ms since the epoch), is the one Chatra's webhook
//     messages use (docs/chatra.md, "What is confirmed about Chatra's API", checked
//     against Chatra's pages); its name in the REST answer is not confirmed.
//   - Webhook bodies carry client.id, client.chatId, agents[].id and messages[].type and
//     .text (a working consumer's spec:
//     https://github.com/belya/support20/blob/6fc4c7deae3f9c07f0adcaabaed5ec273227a96e/spec/controllers/chatra_controller_spec.rb),
//     and each message its id, text and createdAt (Corrections box, as above).
//
// Ids look like the ones in those callers: 17 letters and digits.
//
// Some behaviour is the fake's own choice, made strict so that a client's mistakes show
// up in tests: a body field Chatra does not name, a text outside 1 to 5000 characters, and
// agentEmail, agentName and receivedFrom not sent together are answered 400; a failure on
// demand carries a Location header that a client must not follow.
package chatratest
