package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"
)

const (
	// readyTimeout bounds each readiness check, so /readyz answers quickly when a
	// dependency hangs.
	readyTimeout = 2 * time.Second
	// shutdownGrace is how long requests in flight get to finish after a signal.
	shutdownGrace = 10 * time.Second
)

// readyCheck is one thing /readyz needs working: Redis now, the Slack connection later.
type readyCheck struct {
	name string
	fn   func(context.Context) error
}

// newHTTPServer returns the server for HTTP_ADDR with the health endpoints and routes
// (pattern → handler) mounted.
func newHTTPServer(log *zap.Logger, routes map[string]http.Handler, checks ...readyCheck) *http.Server {
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", readyz(checks))
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(log.Named("http")),
	}
}

// healthz answers 200 while the process is up.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 when every check passes within readyTimeout, else 503 with the
// first failing check's name and reason ("redis: ...").
func readyz(checks []readyCheck) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		for _, c := range checks {
			if err := c.fn(ctx); err != nil {
				http.Error(w, fmt.Sprintf("%s: %v", c.name, err), http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	}
}
