// Package chatra connects Chatra (chatra.com), a website live chat, to Frontdesk: the
// Handler takes Chatra's webhooks (chatStarted, chatFragment, chatTranscript) and turns
// each visitor's chat into a ticket, with the messages agents write in Chatra's own app
// mirrored into Slack; the Client (a tickets.Source) sends Slack agents' replies to the
// visitor through Chatra's REST API. Given the same Seen (the store, in Redis), the two
// recognise Chatra's webhook echo of a message Frontdesk sent by the id Chatra answered
// with (sent.go). docs/chatra.md explains the set-up in Chatra and which of Chatra's API
// facts are confirmed and which are assumed.
package chatra

// Source is the name tickets of this connector carry (tickets.Ticket.Source).
const Source = "chatra"

// PathPrefix is where the Handler is mounted, followed by the webhook token:
// PathPrefix+"{token}". Mount it without a method in the pattern, so that the Handler
// answers other methods itself.
const PathPrefix = "/connectors/chatra/webhook/"

// DefaultReceivedFrom is the default marker Frontdesk puts in the receivedFrom field of
// the messages it sends, to recognise their webhook echoes.
const DefaultReceivedFrom = "frontdesk"
