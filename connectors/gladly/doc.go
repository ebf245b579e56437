// Package gladly connects Gladly (gladly.com), a customer-service platform, to Frontdesk.
// Gladly routes the conversations Frontdesk should work to an "AI inbox"; Slack agents
// answer them, and hand them to Gladly's human "Handoff inbox" when they should go on
// there. The Handler takes Gladly's webhooks and queues them durably (Gladly wants an
// answer within 15 s); the Processor works through the queue: it opens tickets for the
// customers' messages and for conversations moved into the AI inbox, relays messages, and
// closes tickets that Gladly closed or took away. Calls to Gladly are paced under its rate
// limit (pacer).
// Customers' files Gladly keeps show in Slack as Frontdesk's own links (Deps.Files),
// which Client.Attachment resolves through Gladly's API when they are opened.
// The Client (a tickets.SLAHandBacker) sends agents' replies to the customer's channel,
// closes conversations, and hands them off, adding a note with the Slack discussion
// (note.go). Connect makes the connector from its Config (the GLADLY_* variables) and
// its Deps. docs/gladly.md explains the set-up in Gladly and which of Gladly's API facts
// are confirmed and which are assumed.
package gladly

// Source is the name tickets of this connector carry (tickets.Ticket.Source).
const Source = "gladly"

// Path is where the Handler is mounted. Mount it without a method in the pattern, so that
// the Handler itself answers other methods with a JSON 405.
const Path = "/connectors/gladly/webhook"
