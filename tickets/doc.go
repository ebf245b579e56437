// Package tickets is Frontdesk's domain: tickets, teams, settings and messages, the rules
// of the ticket lifecycle (pending → active → closed, with transfers back to pending), and
// the Service that carries out each use case.
//
// The package imports only the standard library. It declares the small interfaces it needs
// from the outside world in ports.go: a Store (state and the transactional outbox), a Desk
// (the agent-facing surface, Slack), Sources (where customers chat) and Sinks (where ticket
// data goes). Every side effect that crosses a network is written to the outbox in the same
// atomic step as the state change it follows from, and carried out later by Service.Handle,
// so a crash between the two loses nothing.
package tickets
