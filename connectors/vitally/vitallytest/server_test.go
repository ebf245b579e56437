package vitallytest

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	f := newFixture(t)
	path := "/resources/accounts/" + f.acc.ID
	for _, tc := range []struct {
		name, secret string
		want         int
	}{
		{"missing", "-", http.StatusUnauthorized},
		{"wrong", "sk_other", http.StatusUnauthorized},
		{"empty", "", http.StatusUnauthorized},
		{"right", testSecret, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := callAs(t, f.s, tc.secret, http.MethodGet, path, nil)
			wantStatus(t, r, tc.want)
			if tc.want == http.StatusUnauthorized && r.message(t) != "Unauthorized" {
				t.Errorf("body %s", r.body)
			}
		})
	}
}

func TestAuthRejectsPassword(t *testing.T) {
	s, _ := newServer(t)
	req, err := http.NewRequest(http.MethodGet, s.URL+"/resources/customObjects", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(testSecret, "password")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
}

// wantRate checks the RateLimit-* headers of r.
func wantRate(t *testing.T, r result, limit, remaining, reset string) {
	t.Helper()
	for name, want := range map[string]string{"Limit": limit, "Remaining": remaining, "Reset": reset} {
		if got := r.header.Get("RateLimit-" + name); got != want {
			t.Errorf("RateLimit-%s = %q, want %q", name, got, want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s, c := newServer(t)
	s.SetRateLimit(3, 10*time.Second)
	const limit = "3, 3;window=10"
	get := func() result { return call(t, s, http.MethodGet, "/resources/customObjects", nil) }

	r := get()
	wantStatus(t, r, http.StatusOK)
	wantRate(t, r, limit, "2", "10")
	c.Advance(time.Second)
	r = callAs(t, s, "wrong", http.MethodGet, "/resources/customObjects", nil) // a 401 counts too
	wantStatus(t, r, http.StatusUnauthorized)
	wantRate(t, r, limit, "1", "9")
	c.Advance(1500 * time.Millisecond)
	r = get()
	wantStatus(t, r, http.StatusOK)
	wantRate(t, r, limit, "0", "8") // 7.5s rounded up

	r = get()
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.message(t) != "Too Many Requests" {
		t.Errorf("body %s", r.body)
	}
	wantRate(t, r, limit, "0", "8")
	if s.TooMany() != 1 {
		t.Errorf("TooMany() = %d, want 1", s.TooMany())
	}

	c.Advance(7500 * time.Millisecond) // the first request leaves the window
	r = get()
	wantStatus(t, r, http.StatusOK)
	wantRate(t, r, limit, "0", "1")
	if got := s.MaxInWindow(); got != 3 {
		t.Errorf("MaxInWindow() = %d, want 3", got)
	}
}

func TestRateLimitDefault(t *testing.T) {
	s, _ := newServer(t)
	r := call(t, s, http.MethodGet, "/resources/customObjects", nil)
	wantRate(t, r, "1000, 1000;window=60", "999", "60")
}

func TestForceTooMany(t *testing.T) {
	s, _ := newServer(t)
	s.ForceTooMany(2)
	wantStatus(t, callAs(t, s, "-", http.MethodGet, "/resources/customObjects", nil), http.StatusUnauthorized)
	for range 2 {
		r := call(t, s, http.MethodGet, "/resources/customObjects", nil)
		wantStatus(t, r, http.StatusTooManyRequests)
		wantRate(t, r, "1000, 1000;window=60", "999", "60")
	}
	wantStatus(t, call(t, s, http.MethodGet, "/resources/customObjects", nil), http.StatusOK)
	if s.TooMany() != 2 {
		t.Errorf("TooMany() = %d, want 2", s.TooMany())
	}
	if s.MaxInWindow() != 2 { // the 401 and the last request
		t.Errorf("MaxInWindow() = %d, want 2", s.MaxInWindow())
	}
}

func TestForceTooManyResetAtLeastOne(t *testing.T) {
	s, _ := newServer(t)
	s.ForceTooMany(1)
	r := call(t, s, http.MethodGet, "/resources/customObjects", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	wantRate(t, r, "1000, 1000;window=60", "1000", "1")
}

func TestSetDown(t *testing.T) {
	f := newFixture(t)
	f.s.SetDown(http.StatusServiceUnavailable)
	body := map[string]any{"externalId": "u1", "accountIds": []string{f.acc.ID}}
	for range 2 {
		r := call(t, f.s, http.MethodPost, "/resources/users", body)
		wantStatus(t, r, http.StatusServiceUnavailable)
		if r.message(t) != "Service Unavailable" {
			t.Errorf("body %s", r.body)
		}
		wantRate(t, r, "1000, 1000;window=60", "1000", "0")
	}
	if len(f.s.Users()) != 0 {
		t.Fatal("a request answered while down created a user")
	}
	f.s.SetDown(0)
	wantStatus(t, call(t, f.s, http.MethodPost, "/resources/users", body), http.StatusOK)
}

func TestFailNext(t *testing.T) {
	f := newFixture(t)
	f.s.FailNext(2, http.StatusInternalServerError)
	body := map[string]any{"externalId": "i1", "customerId": f.acc.ID}
	path := "/resources/customObjects/" + f.tickets.ID + "/instances"
	for range 2 {
		wantStatus(t, call(t, f.s, http.MethodPost, path, body), http.StatusInternalServerError)
	}
	if n := len(f.s.Instances(f.tickets.ID)); n != 0 {
		t.Fatalf("%d instances after failed requests", n)
	}
	wantStatus(t, call(t, f.s, http.MethodPost, path, body), http.StatusOK)
	if got := f.s.Writes(f.tickets.ID); got != 1 {
		t.Errorf("Writes() = %d, want 1", got)
	}
}

func TestRequestsAndCount(t *testing.T) {
	f := newFixture(t)
	call(t, f.s, http.MethodGet, "/resources/users/search?email=a@b.c", nil)
	callAs(t, f.s, "-", http.MethodGet, "/resources/users/search?externalId=x", nil)
	call(t, f.s, http.MethodPost, "/resources/users", `{"externalId":"u"}`)

	reqs := f.s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	want := []Request{
		{Method: "GET", Path: "/resources/users/search", Query: "email=a@b.c", Status: 200},
		{Method: "GET", Path: "/resources/users/search", Query: "externalId=x", Status: 401},
		{Method: "POST", Path: "/resources/users", Status: 400, Body: []byte(`{"externalId":"u"}`)},
	}
	for i, w := range want {
		g := reqs[i]
		if g.Method != w.Method || g.Path != w.Path || g.Query != w.Query || g.Status != w.Status || string(g.Body) != string(w.Body) {
			t.Errorf("request %d = %+v, want %+v", i, g, w)
		}
	}
	reqs[2].Body[0] = 'X'
	if f.s.Requests()[2].Body[0] != '{' {
		t.Error("Requests() shares bodies with the server")
	}
	for _, tc := range []struct {
		method, prefix string
		want           int
	}{
		{"GET", "/resources/users", 2},
		{"POST", "/resources/users", 1},
		{"", "/resources/", 3},
		{"PUT", "/resources/", 0},
	} {
		if got := f.s.Count(tc.method, tc.prefix); got != tc.want {
			t.Errorf("Count(%q, %q) = %d, want %d", tc.method, tc.prefix, got, tc.want)
		}
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.s, http.MethodGet, "/resources/nothing", nil)
	wantStatus(t, r, http.StatusNotFound)
	if r.message(t) != "Not Found" {
		t.Errorf("body %s", r.body)
	}
	r = call(t, f.s, http.MethodDelete, "/resources/accounts/"+f.acc.ID, nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
	if got := r.header.Get("Allow"); got != "GET" {
		t.Errorf("Allow = %q, want GET", got)
	}
	wantStatus(t, call(t, f.s, http.MethodGet, "/resources/users", nil), http.StatusMethodNotAllowed)
	wantStatus(t, call(t, f.s, http.MethodGet, "/resources/customObjects/"+f.tickets.ID+"/instances/ins_1", nil),
		http.StatusMethodNotAllowed)
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t)
	big := `{"externalId":"u","name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	wantStatus(t, call(t, f.s, http.MethodPost, "/resources/users", big), http.StatusRequestEntityTooLarge)
	if len(f.s.Users()) != 0 {
		t.Error("a too large body created a user")
	}
}

func TestConcurrentRequests(t *testing.T) {
	f := newFixture(t)
	f.s.SetRateLimit(10, time.Hour)
	var wg sync.WaitGroup
	codes := make([]int, 20)
	errs := make([]error, len(codes))
	for i := range codes {
		wg.Go(func() { codes[i], errs[i] = getStatus(f.s, "/resources/accounts/"+f.acc.ID) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ok, limited := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
		}
	}
	if ok != 10 || limited != 10 || f.s.TooMany() != 10 || f.s.MaxInWindow() != 10 {
		t.Errorf("%d ok, %d limited, TooMany() = %d, MaxInWindow() = %d; want 10 of each",
			ok, limited, f.s.TooMany(), f.s.MaxInWindow())
	}
}

// getStatus sends an authorized GET to path and returns the answer's status; unlike
// call, it may run outside the test's goroutine.
func getStatus(s *Server, path string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(s.Secret(), "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
