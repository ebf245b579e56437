//go:build !demo

package main

import (
	"context"
	"errors"
	"io"
)

// errNoDemo is what `frontdesk demo` says in a build without the demo. The demo needs the
// Slack simulator and an embedded Redis, which production builds leave out: they are
// built in only with the demo build tag.
var errNoDemo = errors.New("this build has no demo; run it with `go run -tags demo ./cmd/frontdesk demo` or `make demo` (docs/demo.md)")

func demo(context.Context, []string, func(string) string, io.Writer, io.Writer) error {
	return errNoDemo
}
