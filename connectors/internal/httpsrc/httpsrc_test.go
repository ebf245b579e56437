package httpsrc

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		status    int
		retry     string
		permanent bool
		after     time.Duration // 0: no RetryAfterError
		ok        bool
	}{
		{status: 200, ok: true}, {status: 204, ok: true},
		{status: 429, retry: "7", after: 7 * time.Second},
		{status: 429, after: DefaultRetryAfter},
		{status: 429, retry: "999999", after: MaxRetryAfter},
		{status: 429, retry: now.Add(30 * time.Second).Format(http.TimeFormat), after: 30 * time.Second},
		{status: 429, retry: now.Add(-time.Hour).Format(http.TimeFormat), after: DefaultRetryAfter},
		{status: 408}, {status: 500}, {status: 503},
		{status: 400, permanent: true}, {status: 401, permanent: true}, {status: 404, permanent: true},
		{status: 301, permanent: true},
	} {
		h := http.Header{}
		if tc.retry != "" {
			h.Set("Retry-After", tc.retry)
		}
		err := Classify("test", tc.status, h, now)
		if tc.ok != (err == nil) || tickets.IsPermanent(err) != tc.permanent {
			t.Errorf("%d: err = %v", tc.status, err)
		}
		if d, ok := tickets.RetryAfter(err); tc.after != 0 && (!ok || d != tc.after) || tc.after == 0 && ok {
			t.Errorf("%d Retry-After %q: pause %v (%v), want %v", tc.status, tc.retry, d, ok, tc.after)
		}
	}
}

func TestGiveUpAfter(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	down := errors.New("503")
	if err := GiveUpAfter(down, at, at.Add(59*time.Minute), time.Hour); tickets.IsPermanent(err) {
		t.Error("gave up inside the window")
	}
	if err := GiveUpAfter(down, at, at.Add(61*time.Minute), time.Hour); !tickets.IsPermanent(err) || !errors.Is(err, down) {
		t.Errorf("after the window: %v", err)
	}
	if GiveUpAfter(nil, at, at.Add(2*time.Hour), time.Hour) != nil {
		t.Error("success turned into an error")
	}
}

func TestWithoutURL(t *testing.T) {
	err := WithoutURL(&url.Error{Op: "Post", URL: "https://bot.example.com/hook?key=SECRET", Err: errors.New("refused")})
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v", err)
	}
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSON(rec, http.StatusTeapot, map[string]string{"error": "x"})
	if rec.Code != http.StatusTeapot || rec.Header().Get("Content-Type") != "application/json" || strings.TrimSpace(rec.Body.String()) != `{"error":"x"}` {
		t.Errorf("%d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

func TestErrorStatus(t *testing.T) {
	rules := []ErrorRule{
		{Err: tickets.ErrNotFound, Status: http.StatusNotFound, Code: "no_open_ticket"},
		{Err: tickets.ErrInvalid, Status: http.StatusBadRequest},
	}
	for _, tc := range []struct {
		err      error
		status   int
		msg      string
		internal bool
	}{
		{BadRequest("missing field: %s", "member"), 400, "missing field: member", false},
		{&RequestError{Status: 401, Msg: "unauthorized"}, 401, "unauthorized", false},
		{tickets.ErrNotFound, 404, "no_open_ticket", false},
		{fmt.Errorf("%w: text is empty", tickets.ErrInvalid), 400, "text is empty", false},
		{errors.New("redis: connection refused"), 500, "internal", true},
	} {
		status, msg, internal := ErrorStatus(tc.err, rules)
		if status != tc.status || msg != tc.msg || internal != tc.internal {
			t.Errorf("ErrorStatus(%v) = %d %q %v, want %d %q %v", tc.err, status, msg, internal, tc.status, tc.msg, tc.internal)
		}
	}
	if c := NoRedirects(); c.CheckRedirect == nil {
		t.Error("NoRedirects follows redirects")
	}
}

// TestNoRedirects_KeepsConnections sends two waves of concurrent requests, each held at
// the server until the whole wave has arrived (so the first wave needs that many
// connections at once): the second wave must reuse them all. net/http's default transport
// keeps 2 idle connections per host and would dial most of the second wave anew.
func TestNoRedirects_KeepsConnections(t *testing.T) {
	const wave = 16
	var (
		mu      sync.Mutex
		dialed  int
		arrived int
		release = make(chan struct{})
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		if arrived%wave == 0 {
			close(release)
			release = make(chan struct{})
			mu.Unlock()
		} else {
			ch := release
			mu.Unlock()
			<-ch
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			mu.Lock()
			dialed++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	hc := NoRedirects()
	for range 2 {
		var wg sync.WaitGroup
		for range wave {
			wg.Go(func() {
				res, err := hc.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			})
		}
		wg.Wait()
	}
	if dialed != wave {
		t.Errorf("two waves of %d concurrent requests dialed %d connections, want %d", wave, dialed, wave)
	}
	if tr, ok := hc.Transport.(*http.Transport); !ok || tr.Proxy == nil {
		t.Errorf("transport %T does not keep the default transport's proxy settings", hc.Transport)
	}
}
