// Package store keeps Frontdesk's state in Redis.
//
// The workers that deliver the events its scripts append are in package store/outbox,
// which reads the streams through Streams (streams.go); store never imports it.
package store
