package bot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

type fixedSecret []byte

func (s fixedSecret) Secret(context.Context, string) ([]byte, error) { return s, nil }

func TestFiles_Links(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	f, err := NewFiles(slack.New("xoxb-test"), fixedSecret("k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1"), "https://desk.example.com/", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.now = func() time.Time { return now }
	link, err := f.Link(ctx, "F123")
	if err != nil || !strings.HasPrefix(link, "https://desk.example.com/files/") {
		t.Fatalf("Link = %q, %v", link, err)
	}
	token := strings.TrimPrefix(link, "https://desk.example.com/files/")
	if id, err := f.verify(ctx, token); id != "F123" || err != nil {
		t.Fatalf("verify = %q, %v", id, err)
	}
	enc, sig, _ := strings.Cut(token, ".")
	other, _ := NewFiles(slack.New("xoxb-test"), fixedSecret("k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2"), "https://x", time.Hour, nil)
	otherLink, _ := other.Link(ctx, "F999")
	for name, bad := range map[string]string{
		"empty":           "",
		"no signature":    enc,
		"garbage":         "!!!.???",
		"another file":    strings.Replace(token, enc, "RjEyNC4xNzk0NDY0MDAw", 1),
		"cut signature":   enc + "." + sig[:10],
		"another key":     strings.TrimPrefix(otherLink, "https://x/files/"),
		"signature alone": "." + sig,
	} {
		if _, err := f.verify(ctx, bad); !errors.Is(err, errLink) {
			t.Errorf("%s: verify = %v, want errLink", name, err)
		}
	}
	f.now = func() time.Time { return now.Add(2 * time.Hour) }
	if _, err := f.verify(ctx, token); !errors.Is(err, errLink) {
		t.Errorf("expired link: verify = %v, want errLink", err)
	}
}

// TestFiles_Place: a link to a file kept outside Slack opens where the place's locator
// says the file is now; the place's own expiry applies; a file gone is a 404, a locator
// that fails a 502, and a Slack file's token never reaches the locator.
func TestFiles_Place(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	f, err := NewFiles(slack.New("xoxb-test"), fixedSecret("k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1"), "https://desk.example.com", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.now = func() time.Time { return now }
	var asked []string
	locate := func(_ context.Context, ref string) (string, error) {
		asked = append(asked, ref)
		switch ref {
		case "gone/a.b":
			return "", fmt.Errorf("no such attachment: %w", fs.ErrNotExist)
		case "down/a.b":
			return "", errors.New("503")
		case "odd/a.b":
			return "/relative", nil
		}
		return "https://files.example/" + ref + "?sig=x", nil
	}
	if err := f.Place("bad name", 0, locate); err == nil {
		t.Error("Place took a name with a space")
	}
	if err := f.Place("gladly", 24*time.Hour, locate); err != nil {
		t.Fatal(err)
	}
	if _, err := f.LinkTo(ctx, "other", "x"); err == nil {
		t.Error("LinkTo an unknown place made a link")
	}
	open := func(link string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, link, nil)
		r.SetPathValue("token", strings.TrimPrefix(link, "https://desk.example.com/files/"))
		w := httptest.NewRecorder()
		f.ServeHTTP(w, r)
		return w
	}
	link, err := f.LinkTo(ctx, "gladly", "item.1/att-1")
	if err != nil {
		t.Fatal(err)
	}
	w := open(link)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "https://files.example/item.1/att-1?sig=x" ||
		w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("open = %d %v", w.Code, w.Header())
	}
	for ref, want := range map[string]int{"gone/a.b": http.StatusNotFound, "down/a.b": http.StatusBadGateway, "odd/a.b": http.StatusBadGateway} {
		l, _ := f.LinkTo(ctx, "gladly", ref)
		if w := open(l); w.Code != want {
			t.Errorf("%s: open = %d, want %d", ref, w.Code, want)
		}
	}
	f.now = func() time.Time { return now.Add(2 * time.Hour) } // past the Files' hour, within the place's day
	if w := open(link); w.Code != http.StatusSeeOther {
		t.Errorf("within the place's expiry: open = %d", w.Code)
	}
	f.now = func() time.Time { return now.Add(25 * time.Hour) }
	if w := open(link); w.Code != http.StatusNotFound {
		t.Errorf("expired: open = %d, want 404", w.Code)
	}
	f.now = func() time.Time { return now }
	asked = nil
	slackLink, _ := f.Link(ctx, "F123")
	if _, err := f.verify(ctx, strings.TrimPrefix(slackLink, "https://desk.example.com/files/")); err != nil {
		t.Fatalf("Slack link: %v", err)
	}
	if len(asked) != 0 {
		t.Errorf("the locator was asked %v", asked)
	}
}
