// Package webhooktest is a fake chatbot for the generic chatbot connector
// (connectors/webhook), served by net/http/httptest, for the connector's tests, the
// end-to-end tests, the fault-injection suite and the benchmark.
//
// New starts a Chatbot; give Frontdesk its URL as the callback URL
// (WEBHOOK_CALLBACK_URL, webhook.ClientConfig.CallbackURL) and the same signing secret.
// Send posts the chatbot's own events (LIVE_CHAT_REQUEST, MESSAGE, END, CSAT) to
// Frontdesk.
//
// The fake plays a chatbot that follows docs/webhook.md:
//
//   - It checks every request before acting on it, as "Verifying the signature" says: the
//     raw body, X-Frontdesk-Timestamp within 5 minutes of its clock, and
//     X-Frontdesk-Signature equal to "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." +
//     body)), compared in constant time. A request that fails is answered 401 and counted
//     (Problems); one whose body is not a JSON object is answered 400 and counted.
//   - It answers 2xx to every other request, unless told otherwise (FailNext, FailWith),
//     and answers within SetDelay's pause. Frontdesk retries a 5xx, a 408 and a 429 with
//     the same event_id ("Delivery: what to expect").
//   - It records every attempt it checked (Events): the event's fields, its
//     Idempotency-Key (which must be its event_id: Problems counts those that are not),
//     its headers and raw body, when it came and what it was answered. Delivered lists each
//     event once, as a chatbot that deduplicates by event_id acts on it.
//
// Its methods are safe for concurrent use. It imports no testing package, so the
// benchmark (a program) runs it too; WithoutRecords keeps its memory flat there.
package webhooktest
