package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slack-go/slack"
	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A post retried by another process (after a restart, or on another replica) does not
// share its files again when the desks share their memory of uploads; without it, the
// new process would (which is why internal/app gives the desk the store).
func TestDesk_UploadsRememberedAcrossProcesses(t *testing.T) {
	w := newWorkspace(t, Config{})
	photo := []byte("\x89PNG\r\n\x1a\nthe router")
	files := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "image/png")
		_, _ = rw.Write(photo)
	}))
	t.Cleanup(files.Close)
	inbox := w.active(t, "T1", w.alice)
	tk := w.tk.ticket("T1")
	m := tickets.Message{ID: "m1", Direction: tickets.FromCustomer, Text: "here",
		Attachments: []tickets.Attachment{{URL: files.URL + "/router.png", Name: "router.png", Upload: true}}}
	newDesk := func() *Desk {
		api := slack.New(w.sim.BotToken, slack.OptionAPIURL(w.sim.APIURL()))
		d, err := NewDesk(api, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	shared := &memSeen{}
	first, second := newDesk(), newDesk()
	first.RememberUploadsIn(shared)
	second.RememberUploadsIn(shared)
	ctx := context.Background()
	if err := first.Post(ctx, &tk, m, tickets.PlaceInbox, "ev1"); err != nil {
		t.Fatal(err)
	}
	inbox.ExpectMessage("here")
	inbox.ExpectMessage("router.png", "Carol sent a file")
	retry := tickets.WithRetry(ctx) // as the outbox repeats it: the text is found, not posted again
	if err := second.Post(retry, &tk, m, tickets.PlaceInbox, "ev1"); err != nil {
		t.Fatal(err)
	}
	if n := len(w.sim.Calls("files.completeUploadExternal")); n != 1 {
		t.Fatalf("%d uploads, want 1: the retry shared the file again", n)
	}
	// A desk without the shared memory would share it again.
	if err := newDesk().Post(retry, &tk, m, tickets.PlaceInbox, "ev1"); err != nil {
		t.Fatal(err)
	}
	inbox.ExpectMessage("router.png", "Carol sent a file")
	if n := len(w.sim.Calls("files.completeUploadExternal")); n != 2 {
		t.Fatalf("%d uploads, want 2", n)
	}
}
