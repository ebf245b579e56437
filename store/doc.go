// Package store keeps Frontdesk's state in Redis.
package store
