// Package webhook is Frontdesk's HTTP API for any chatbot: the chatbot asks for a human
// (LIVE_CHAT_REQUEST), relays its customer's messages (MESSAGE), ends the live chat (END)
// and passes on the customer's rating (CSAT) by POSTing JSON to Path (Handler); Frontdesk
// tells it when an agent accepts, writes, transfers or ends the chat by POSTing signed JSON
// events to its callback URL (Client, a tickets.Source). docs/webhook.md is the contract
// for chatbot authors.
package webhook

// Source is the name tickets of this connector carry (tickets.Ticket.Source).
const Source = "webhook"

// Path is where the Handler is mounted. Mount it without a method in the pattern, so that
// the Handler itself answers other methods with a JSON 405.
const Path = "/connectors/webhook/v1/events"
