// Package vitally is the Vitally sink: every ticket opened after the integration was
// switched on becomes an instance of a custom object ("Frontdesk Requests" by default)
// on the requestor's Organization and/or Account in Vitally, and is kept up to date on
// every change of its metadata (opened, picked, transferred, closed, rated), from the
// durable outbox. The sync is one way; nothing is read back.
//
// Linking follows a fixed table over the Organizations and Accounts of the requestor's
// Vitally user (link.go); a requestor unknown to Vitally is created as a user where
// others at their email domain are. Every "no sync" is recorded on the ticket with its
// reason (tickets.SyncStatus), for agents to see in Slack.
//
// Writes are keyed on the ticket (the instance's externalId is "frontdesk-<ticket id>")
// and the last event written is recorded, so a retry or a repeated event never makes a
// second instance. Requests keep within Vitally's rate limit by its RateLimit headers
// (client.go); 429s, outages and a rolled secret are retried by the outbox.
//
// Frontdesk creates the custom object and every trait it fills when they are missing
// (schema.go): at start (Prepare), when an admin saves the panel (CheckSetup) and at the
// first sync that finds something missing. Only when Vitally refuses is the admin told
// exactly what to create.
//
// Admins set Vitally up in the admin panel's Vitally section (Panel). What they save is
// Settings, kept as JSON in tickets.Settings.Sinks["vitally"], which Sink.KeepSettings
// checks and completes (the secret is never shown back, so an empty one keeps the saved
// one). The environment's URL and secret (Config) win over the panel's.
//
// docs/vitally.md is the operator's guide; vitallytest is the fake Vitally the tests run
// against, answering in the shapes of Vitally's examples.
package vitally
