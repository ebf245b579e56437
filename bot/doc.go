// Package bot is Frontdesk's Slack adapter: it keeps the Socket Mode connection, routes
// events and interactions (Pick, Live Chat Control, the admin panel) to the ticket
// service, renders cards and modals in Block Kit, and implements tickets.Desk.
//
// It imports tickets and slack-go, never store or connectors.
package bot
