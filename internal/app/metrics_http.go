package app

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// route counts the requests h serves under name, a fixed name for the route: never the
// request's path, which may carry a secret (Chatra's webhook token) or an id.
func (m *metrics) route(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK // nothing written: net/http answers 200
		}
		m.httpRequests.WithLabelValues(name, strconv.Itoa(code)).Inc()
	})
}

// statusWriter remembers the status code a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// pooledTransport is net/http's default transport (its proxy settings, dial and TLS
// timeouts) keeping up to 256 idle connections per host instead of 2: the bot calls
// Slack with many calls in flight, and with 2 kept most calls would dial a new connection
// (and leave one in TIME_WAIT). The connectors' clients do the same (httpsrc.Pooled).
func pooledTransport() *http.Transport {
	var t *http.Transport
	if d, ok := http.DefaultTransport.(*http.Transport); ok {
		t = d.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	t.MaxIdleConns, t.MaxIdleConnsPerHost, t.IdleConnTimeout = 512, 256, 90*time.Second
	return t
}

// slackTransport counts the Slack Web API calls that go through it by method and status
// class, and 429s apart. Requests outside the Web API (file downloads) count as method
// "other", so that no label carries a file's path.
type slackTransport struct {
	next    http.RoundTripper
	api     *url.URL // the Web API's base URL
	calls   *prometheus.CounterVec
	limited *prometheus.CounterVec
}

// slackTransport returns a RoundTripper over next (http.DefaultTransport when nil) that
// counts calls to the Web API at apiURL.
func (m *metrics) slackTransport(next http.RoundTripper, apiURL string) (http.RoundTripper, error) {
	api, err := url.Parse(apiURL)
	if err != nil {
		return nil, err
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &slackTransport{next: next, api: api, calls: m.slackCalls, limited: m.slackLimited}, nil
}

func (t *slackTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := t.method(req.URL)
	res, err := t.next.RoundTrip(req)
	if err != nil {
		t.calls.WithLabelValues(method, "error").Inc()
		return res, err
	}
	t.calls.WithLabelValues(method, strconv.Itoa(res.StatusCode/100)+"xx").Inc()
	if res.StatusCode == http.StatusTooManyRequests {
		t.limited.WithLabelValues(method).Inc()
	}
	return res, nil
}

// method is the Web API method u calls ("chat.postMessage"), or "other".
func (t *slackTransport) method(u *url.URL) string {
	rest, ok := strings.CutPrefix(u.Path, t.api.Path)
	if !ok || u.Host != t.api.Host || !isSlackMethod(rest) {
		return "other"
	}
	return rest
}

// isSlackMethod reports whether s looks like a Web API method: dotted words of letters,
// like "chat.postMessage" or "apps.connections.open".
func isSlackMethod(s string) bool {
	if len(s) > 64 || !strings.Contains(s, ".") {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// Hijack lets a websocket (the widget's) take the connection over; it counts as a 101.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	if w.code == 0 {
		w.code = http.StatusSwitchingProtocols
	}
	return h.Hijack()
}
