package vitallytest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSecret is the API secret the tests' servers accept.
const testSecret = "sk_test"

// clock is a time source tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock d forward.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newServer starts a server closed at the end of the test, reading the time from a
// clock the test controls.
func newServer(t *testing.T) (*Server, *clock) {
	t.Helper()
	s := New(testSecret)
	t.Cleanup(s.Close)
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s.setClock(c.Now)
	return s, c
}

// result is an answer of the server.
type result struct {
	status int
	header http.Header
	body   []byte
}

// decode decodes the answer's JSON body into v.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// message returns the message of an error answer, after checking its statusCode.
func (r result) message(t *testing.T) string {
	t.Helper()
	var e struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}
	r.decode(t, &e)
	if e.StatusCode != r.status {
		t.Errorf("statusCode %d in a %d answer", e.StatusCode, r.status)
	}
	return e.Message
}

// call sends an authorized request. body is sent as it is when it is a string and as
// JSON otherwise, unless it is nil.
func call(t *testing.T, s *Server, method, path string, body any) result {
	t.Helper()
	return callAs(t, s, s.Secret(), method, path, body)
}

// callAs is call with Basic credentials made of secret, or with none when secret is "-".
func callAs(t *testing.T, s *Server, secret, method, path string, body any) result {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(data))
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "-" {
		req.SetBasicAuth(secret, "")
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

// wantStatus fails the test when r's status is not want.
func wantStatus(t *testing.T, r result, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
}

// fixture is a seeded server: an organization with one account, a second account
// without organization, and a custom object with one field of every type.
type fixture struct {
	s        *Server
	clock    *clock
	org      Organization
	acc      Account
	loneAcc  Account
	tickets  CustomObject
	otherObj CustomObject
}

// newFixture seeds a server.
func newFixture(t *testing.T) fixture {
	t.Helper()
	s, c := newServer(t)
	f := fixture{s: s, clock: c}
	f.org = s.AddOrganization(Organization{ExternalID: "org-ext", Name: "Acme Group"})
	f.acc = s.AddAccount(Account{ExternalID: "acc-ext", Name: "Acme", OrganizationID: f.org.ID})
	f.loneAcc = s.AddAccount(Account{ExternalID: "lone-ext", Name: "Solo"})
	f.tickets = s.AddCustomObject("Tickets")
	f.otherObj = s.AddCustomObject("Projects")
	for _, fl := range []CustomField{
		{Label: "Subject"},
		{Label: "Transcript", Type: TypeTextarea},
		{Label: "Request Closed At", Type: TypeDatetime},
		{Label: "Messages", Type: TypeNumber},
		{Label: "Escalated", Type: TypeBoolean},
	} {
		fl.CustomObjectID = f.tickets.ID
		s.AddCustomField(fl)
	}
	return f
}
