// Package connectors holds one package per third-party system Frontdesk talks to: sources
// customers chat through (a generic chatbot webhook, Chatra, Gladly), which implement
// tickets.Source, and sinks that receive ticket data (Vitally), which implement
// tickets.Sink.
//
// A connector imports tickets, never bot, store or another connector.
package connectors
