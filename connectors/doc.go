// Package connectors holds one package per third-party system Frontdesk talks to: sources
// customers chat through (a generic chatbot webhook, Chatra, Gladly, and the website
// widget Frontdesk serves itself), which implement tickets.Source; sinks that receive
// ticket data (Vitally), which implement tickets.Sink; and enrichers that add to a
// ticket's details (ai), which implement tickets.Enricher.
//
// This package is their contract (connector.go): each connector package has a Config
// (its environment variables, checked by Config.Validate) and Connect(Config, Deps),
// which returns a Connector: what it adds to Frontdesk, made in two steps (its outbound
// side first, its inbound side once the ticket service exists), and its section of the
// admin panel when it has settings of its own.
//
// A connector imports tickets, internal/panel (for its admin panel section) and this
// package, never bot, store or another connector; connectors/internal holds what they
// share.
package connectors
