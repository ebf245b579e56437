package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/frontdeskhq/frontdesk/internal/app"
)

// run is the whole program: it reads the configuration through getenv, logs to stdout,
// builds Frontdesk (internal/app) and serves until ctx is done or a part of it fails. On
// ctx's end it stops taking work, lets work in flight finish, closes Redis and returns nil.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		// One problem per line, each naming its variable.
		return fmt.Errorf("bad configuration:\n\t%s", strings.ReplaceAll(err.Error(), "\n", "\n\t"))
	}
	log := newLogger(stdout, cfg.logLevel, cfg.logFormat)
	defer func() { _ = log.Sync() }() // nothing to do when stdout cannot sync
	a, err := app.Build(&cfg.Config, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx)
}
