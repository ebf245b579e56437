package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// exported is one line of `frontdesk export`: a ticket and its transcript.
type exported struct {
	Ticket   *tickets.Ticket   `json:"ticket"`
	Messages []tickets.Message `json:"messages"`
}

// export writes every ticket created since --since (all when absent), with its transcript,
// to stdout as JSON lines, for archiving before RETENTION removes closed ones. It reads
// only REDIS_URL and REDIS_PREFIX, and changes nothing.
func export(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	since := fs.String("since", "", "only tickets created at or after this date (2006-01-02) or time (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export takes no arguments besides --since, got %q", fs.Args())
	}
	var from time.Time
	if *since != "" {
		var err error
		if from, err = time.Parse(time.DateOnly, *since); err != nil {
			if from, err = time.Parse(time.RFC3339, *since); err != nil {
				return fmt.Errorf("--since %q: want a date like 2026-01-31 or a time like 2026-01-31T09:00:00Z", *since)
			}
		}
	}
	rawURL := getenv("REDIS_URL")
	if rawURL == "" {
		rawURL = "redis://127.0.0.1:6379/0"
	}
	rc, err := redisConfig(rawURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	prefix := getenv("REDIS_PREFIX")
	if prefix == "" {
		prefix = "fd:"
	}
	rdb := rc.NewClient(0)
	defer rdb.Close()
	st, err := store.New(rdb, store.Config{Prefix: prefix})
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	n := 0
	err = st.Each(ctx, from, func(t *tickets.Ticket, msgs []tickets.Message) error {
		n++
		return enc.Encode(exported{Ticket: t, Messages: msgs})
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stderr, "exported %d tickets\n", n)
	return nil
}

// errUsage is returned for an unknown subcommand.
var errUsage = errors.New("usage: frontdesk [export [--since DATE] | demo [--addr HOST:PORT] [--redis auto|existing|server|embedded]]")
