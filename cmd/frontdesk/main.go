// Command frontdesk runs Frontdesk, the Slack-native live chat desk: it reads its
// configuration from the environment, builds the ticket service on Redis and runs until
// SIGINT or SIGTERM. See README.md for the variables it reads. `frontdesk export
// [--since DATE]` writes the tickets and their transcripts as JSON lines instead; `frontdesk
// demo`, in a build with the demo tag (go run -tags demo ./cmd/frontdesk demo), runs it on
// this machine with a simulated Slack workspace and a demo website.
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
	var err error
	switch {
	case len(os.Args) < 2:
		err = run(ctx, os.Getenv, os.Stdout)
	case os.Args[1] == "export":
		err = export(ctx, os.Args[2:], os.Getenv, os.Stdout, os.Stderr)
	case os.Args[1] == "demo":
		err = demo(ctx, os.Args[2:], os.Getenv, os.Stdout, os.Stderr)
	default:
		err = errUsage
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "frontdesk:", err)
		os.Exit(1)
	}
}
