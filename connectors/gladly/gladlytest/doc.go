// Package gladlytest is an in-memory fake of Gladly's REST API (the /api/v1 routes
// Frontdesk uses), served by net/http/httptest, for the gladly connector's tests and for
// end-to-end tests; it also produces the webhook events Gladly sends (Webhook).
//
// New starts a Server; point GLADLY_BASE_URL at URL (a client, at BaseURL when it serves
// under a prefix). Tests seed it with AddConversation, SetItems, AddItem and AddProfile
// (ChatItem, Conversation and Profile build the shapes), make customers merged with Move,
// send files elsewhere with SetDownload, and read what the client did with Calls, Called,
// Await, Conversation, Notes and TooMany. FailNext, SetRateLimit and SetLimitedData
// provoke what a client must survive. Strays lists what the fake held against a request:
// bad credentials, a path outside the prefix or of no route (all refused), a body sent
// without Content-Type application/json.
//
// The fake follows Gladly's documented behaviour (the REST API reference,
// https://developer.gladly.com/rest/; each route's comment names its operation, and
// connectors/gladly/testdata/SOURCES.md the fixtures the connector's tests hold it to):
//
//   - Authentication is HTTP Basic with the API user's email and API token; anything
//     else is answered 401.
//   - Errors are JSON bodies {"errors": [{"attr", "code", "detail", "meta"}]} ("Error
//     Handling").
//   - "Rate Limit": a limit per method and wall-clock second, with the
//     Ratelimit-Limit-Second and Ratelimit-Remaining-Second headers on every answer and
//     a 429 without Retry-After past it (off unless SetRateLimit).
//   - "List Items in Conversation" may answer Gladly-Limited-Data: true (SetLimitedData).
//   - "Get Customer" answers a merged customer 301 with errors[].meta{old,new}
//     (testdata/customer_moved.json), and a Location when one is given.
//   - "Reply to Item" takes replies to customers' messages only, with a content.type and
//     a content.body of at most MaxReplyChars characters, and answers 201.
//   - "Get Attachment" answers 303 See Other to the file, and 400 NoAttachmentsBody for an
//     item whose content has no attachments.
//   - "Add Note" answers 201 with the note's relative Location.
//
// Some behaviour is the fake's own choice: an unknown conversation or item is answered
// 404, a conversation's topics are not kept, and failures on demand answer a Location
// header that a client must not follow.
package gladlytest
