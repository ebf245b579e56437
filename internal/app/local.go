package app

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// localTransport answers requests for Frontdesk's own public URL (PUBLIC_URL) in this
// process, with Frontdesk's own handler, and sends every other request on through next.
// The desk fetches customers' files to share them in Slack, and some of those are
// Frontdesk's own links (a Gladly attachment's signed link, a widget visitor's upload):
// answering them here needs no way out to the load balancer and back, no TLS to our own
// certificate, and works whichever replica holds the link. Answers stream: the handler
// writes into a pipe the caller reads.
type localTransport struct {
	scheme, host, prefix string // PUBLIC_URL's; prefix without its trailing "/"
	h                    http.Handler
	next                 http.RoundTripper
}

// newLocalTransport answers requests for publicURL with h, others through next.
func newLocalTransport(publicURL string, h http.Handler, next http.RoundTripper) (*localTransport, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("PUBLIC_URL %q is no absolute URL", publicURL)
	}
	return &localTransport{scheme: u.Scheme, host: strings.ToLower(u.Host), prefix: strings.TrimRight(u.Path, "/"), h: h, next: next}, nil
}

// ours reports whether u is under the public URL, and the path the handler sees.
func (t *localTransport) ours(u *url.URL) (string, bool) {
	if u.Scheme != t.scheme || strings.ToLower(u.Host) != t.host || !strings.HasPrefix(u.Path, t.prefix+"/") {
		return "", false
	}
	return strings.TrimPrefix(u.Path, t.prefix), true
}

func (t *localTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, ok := t.ours(req.URL)
	if !ok {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Path, r.URL.RawPath = p, ""
	r.RequestURI = r.URL.RequestURI()
	r.RemoteAddr = "127.0.0.1:0"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, body: pw, started: make(chan struct{})}
	go func() {
		defer func() {
			if v := recover(); v != nil {
				w.start(http.StatusInternalServerError)
				pw.CloseWithError(fmt.Errorf("frontdesk's handler failed: %v", v))
				return
			}
			w.start(http.StatusOK)
			pw.Close()
		}()
		t.h.ServeHTTP(w, r)
	}()
	select {
	case <-w.started:
	case <-req.Context().Done():
		pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
	size := int64(-1)
	if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
		size = n
	}
	return &http.Response{Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: w.sent, Body: pr, ContentLength: size, Request: req}, nil
}

// pipeWriter is the http.ResponseWriter of a request answered in this process: the
// status and headers are taken at the first write (or when the handler returns), the
// body goes into the pipe.
type pipeWriter struct {
	header  http.Header
	body    *io.PipeWriter
	once    sync.Once
	started chan struct{}
	status  int
	sent    http.Header // the headers as they were at the start
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) start(status int) {
	w.once.Do(func() {
		w.status, w.sent = status, w.header.Clone()
		close(w.started)
	})
}

func (w *pipeWriter) WriteHeader(status int) { w.start(status) }

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.start(http.StatusOK)
	return w.body.Write(b)
}
