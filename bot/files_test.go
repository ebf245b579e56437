package bot

import (
	"context"
	"errors"
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
