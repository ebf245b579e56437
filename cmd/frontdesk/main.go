// Command frontdesk runs Frontdesk, the Slack-native live chat desk: it reads its
// configuration from the environment, builds the ticket service on Redis and runs until
// SIGINT or SIGTERM. See README.md for the variables it reads.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "frontdesk:", err)
		os.Exit(1)
	}
}
