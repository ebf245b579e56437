package httpsrc

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// secret stands in a configured URL in these tests: it must never be in an error.
const secret = "SECRET-in-the-url"

// TestDo_SendsAndReads: the method, URL, headers and body go out as given, Content-Type
// only with a body, and the answer's status, header and body come back.
func TestDo_SendsAndReads(t *testing.T) {
	type seen struct{ method, uri, ctype, auth, ua, body string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.Header.Get("User-Agent"), string(b)}
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	header := http.Header{"Authorization": {"Bearer k"}, "User-Agent": {"Frontdesk-Test/1"}}
	for _, tc := range []struct {
		name string
		req  Request
		want seen
	}{
		{"Body", Request{Method: http.MethodPost, Body: []byte(`{"a":1}`)},
			seen{http.MethodPost, "/x?" + secret, "application/json", "Bearer k", "Frontdesk-Test/1", `{"a":1}`}},
		{"JSON", Request{Method: http.MethodPatch, JSON: map[string]int{"b": 2}},
			seen{http.MethodPatch, "/x?" + secret, "application/json", "Bearer k", "Frontdesk-Test/1", `{"b":2}`}},
		{"NoBody", Request{Method: http.MethodGet},
			seen{http.MethodGet, "/x?" + secret, "", "Bearer k", "Frontdesk-Test/1", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.URL, tc.req.What, tc.req.Header, tc.req.MaxBody = srv.URL+"/x?"+secret, "test: call", header, 1<<10
			resp, err := Do(t.Context(), srv.Client(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if s := <-got; s != tc.want {
				t.Errorf("sent %+v, want %+v", s, tc.want)
			}
			if resp.Status != http.StatusAccepted || resp.Header.Get("X-Answer") != "yes" || string(resp.Body) != `{"ok":true}` ||
				resp.Truncated || resp.ReadErr != nil {
				t.Errorf("answer %+v", resp)
			}
		})
	}
	if len(header) != 2 {
		t.Errorf("Do changed the caller's header: %v", header)
	}
}

// TestDo_Bounds: a body of MaxBody bytes is read whole; a longer one is cut there and
// marked Truncated; an answer other than 2xx is bounded by MaxErrorBody.
func TestDo_Bounds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") != "" {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = io.WriteString(w, strings.Repeat("x", len(r.URL.Query().Get("n"))))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		n, fail        string
		max, maxErr    int64
		body           int
		truncated      bool
		wantStatusFail bool
	}{
		{n: "1234", max: 4, body: 4},
		{n: "12345", max: 4, body: 4, truncated: true},
		{n: "", max: 4, body: 0},
		{n: "1234", fail: "1", max: 4, maxErr: 2, body: 2, truncated: true},
		{n: "12", fail: "1", max: 4, maxErr: 2, body: 2},
		{n: "1234", fail: "1", max: 4, body: 4}, // MaxErrorBody 0: MaxBody
	} {
		resp, err := Do(t.Context(), srv.Client(), Request{Method: http.MethodGet, URL: srv.URL + "/?n=" + tc.n + "&fail=" + tc.fail,
			What: "test: call", MaxBody: tc.max, MaxErrorBody: tc.maxErr})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Body) != tc.body || resp.Truncated != tc.truncated || resp.ReadErr != nil {
			t.Errorf("%d bytes (fail %q) under %d/%d: %d bytes, truncated %v, %v", len(tc.n), tc.fail, tc.max, tc.maxErr,
				len(resp.Body), resp.Truncated, resp.ReadErr)
		}
	}
}

// TestDo_ErrorsWithoutURL: whatever goes wrong, the error names the call (What), never
// the URL; one that a retry cannot cure is permanent, a failure to get an answer is not.
func TestDo_ErrorsWithoutURL(t *testing.T) {
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	for _, tc := range []struct {
		name      string
		req       Request
		permanent bool
		is        error
	}{
		{"Refused", Request{URL: goneURL + "/hook?key=" + secret}, false, nil},
		{"Timeout", Request{URL: slow.URL + "/hook?key=" + secret, Timeout: 20 * time.Millisecond}, false, context.DeadlineExceeded},
		{"BadURL", Request{URL: "http://bad host/" + secret}, true, nil},
		{"BadMethod", Request{Method: "NOT A METHOD", URL: slow.URL + "/" + secret}, true, nil},
		{"Unencodable", Request{URL: slow.URL + "/" + secret, JSON: math.NaN()}, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.What, tc.req.MaxBody = "test: call", 1<<10
			var answered atomic.Int32
			tc.req.Answered = func(resp *http.Response) {
				if resp != nil {
					t.Errorf("Answered with a response for a call that had none")
				}
				answered.Add(1)
			}
			_, err := Do(t.Context(), http.DefaultClient, tc.req)
			switch {
			case err == nil:
				t.Fatal("no error")
			case strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "/hook"):
				t.Errorf("the URL is in the error: %v", err)
			case !strings.Contains(err.Error(), "test: call: "):
				t.Errorf("the error does not name the call: %v", err)
			case tickets.IsPermanent(err) != tc.permanent:
				t.Errorf("permanent = %v, want %v: %v", tickets.IsPermanent(err), tc.permanent, err)
			case tc.is != nil && !errors.Is(err, tc.is):
				t.Errorf("err = %v, want one wrapping %v", err, tc.is)
			}
			if n := answered.Load(); n != 1 {
				t.Errorf("Answered called %d times, want once", n)
			}
		})
	}
}

// TestDo_ContextCancel: a call whose context ends gives up at once with a transient error
// wrapping context.Canceled, without the URL.
func TestDo_ContextCancel(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // so that the server sees the client go
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()
	start := time.Now()
	_, err := Do(ctx, srv.Client(), Request{Method: http.MethodPost, URL: srv.URL + "/?" + secret, What: "test: call",
		Body: []byte("{}"), MaxBody: 1 << 10, Timeout: time.Minute})
	if err == nil || !errors.Is(err, context.Canceled) || tickets.IsPermanent(err) || strings.Contains(err.Error(), secret) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to notice the cancel", d)
	}
}

// TestDo_ReadErr: an answer whose body breaks off is still an answer (status, what was
// read), with ReadErr saying why the rest is missing.
func TestDo_ReadErr(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	resp, err := Do(t.Context(), srv.Client(), Request{Method: http.MethodGet, URL: srv.URL + "/?" + secret, What: "test: call", MaxBody: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK || string(resp.Body) != "partial" || resp.ReadErr == nil || strings.Contains(resp.ReadErr.Error(), secret) {
		t.Errorf("answer %d %q, ReadErr %v", resp.Status, resp.Body, resp.ReadErr)
	}
}

// TestDo_Answered: the hook sees the answer's status and header before Do reads the body.
func TestDo_Answered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Ratelimit-Remaining-Second", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, "slow down")
	}))
	defer srv.Close()
	var calls int
	resp, err := Do(t.Context(), srv.Client(), Request{Method: http.MethodGet, URL: srv.URL, What: "test: call", MaxBody: 1 << 10,
		Answered: func(r *http.Response) {
			calls++
			if r == nil || r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Ratelimit-Remaining-Second") != "0" {
				t.Errorf("Answered with %v", r)
			}
		}})
	if err != nil || calls != 1 || string(resp.Body) != "slow down" {
		t.Errorf("err %v, %d calls, body %q", err, calls, resp.Body)
	}
}

// TestResponse_Location: a relative Location is resolved against the request's URL.
func TestResponse_Location(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/files/1")
		w.WriteHeader(http.StatusSeeOther)
	}))
	defer srv.Close()
	resp, err := Do(t.Context(), NoRedirects(), Request{Method: http.MethodGet, URL: srv.URL + "/api/x", What: "test: call", MaxBody: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if loc, err := resp.Location(); err != nil || loc.String() != srv.URL+"/files/1" {
		t.Errorf("Location() = %v, %v", loc, err)
	}
	if _, err := (Response{}).Location(); !errors.Is(err, http.ErrNoLocation) {
		t.Errorf("no answer: Location() error %v", err)
	}
}
