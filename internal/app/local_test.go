package app

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// roundTripFunc is an http.RoundTripper of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Requests for the public URL are answered by Frontdesk's own handler, in process, under
// the path the handler knows (PUBLIC_URL's path cut off); every other request goes on.
func TestLocalTransport(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{token}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("token") == "moved" {
			http.Redirect(w, r, "https://elsewhere.example.com/f", http.StatusSeeOther)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	outside := errors.New("went outside")
	var wentOut []string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		wentOut = append(wentOut, r.URL.String())
		return nil, outside
	})
	lt, err := newLocalTransport("https://Desk.example.com/frontdesk/", mux, next)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: lt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get("https://desk.example.com/frontdesk/files/abc")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "hello" || res.ContentLength != 5 || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("local answer = %d %q (length %d, type %q)", res.StatusCode, body, res.ContentLength, res.Header.Get("Content-Type"))
	}
	res, err = c.Get("https://desk.example.com/frontdesk/files/moved")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "https://elsewhere.example.com/f" {
		t.Errorf("redirect = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = c.Get("https://desk.example.com/frontdesk/nothing")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path = %d", res.StatusCode)
	}
	if res, err = c.Get("https://desk.example.com/frontdesk/boom"); err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusInternalServerError || err == nil {
			t.Errorf("a handler that panics = %d, %v", res.StatusCode, err)
		}
	}
	for _, u := range []string{"https://elsewhere.example.com/frontdesk/files/abc", "http://desk.example.com/frontdesk/files/abc",
		"https://desk.example.com/files/abc"} {
		if _, err := c.Get(u); !errors.Is(err, outside) {
			t.Errorf("%s: %v, want it sent on", u, err)
		}
	}
	if len(wentOut) != 3 || !strings.HasPrefix(wentOut[0], "https://elsewhere") {
		t.Errorf("sent on: %v", wentOut)
	}
}
