package slacktest

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// The external upload flow, as slack-go drives it (UploadFileContext: getUploadURLExternal,
// a multipart POST to the URL, completeUploadExternal): the file is shared in one message
// from the bot, in a thread when asked; what goes wrong fails as Slack says.
func TestFilesUploadExternal(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	inbox := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	api := newAPI(sim)
	content := "%PDF-1.4 the invoice"

	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: strings.NewReader(content), FileSize: len(content),
		Filename: "invoice.pdf", Title: "Invoice", Channel: inbox.ID})
	must(t, err)
	msg := inbox.ExpectMessage("invoice.pdf")
	files := msg.Files()
	if len(files) != 1 || files[0].ID != f.ID || files[0].Title != "Invoice" || files[0].Size != len(content) ||
		files[0].Mimetype != "application/pdf" || msg.User() != BotUserID {
		t.Errorf("message %s by %s with %+v", msg.TS, msg.User(), files)
	}
	if got := string(sim.FileContent(f.ID)); got != content {
		t.Errorf("content %q", got)
	}

	_, err = api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: strings.NewReader("png"), FileSize: 3,
		Filename: "photo.png", Channel: inbox.ID, ThreadTimestamp: msg.TS})
	must(t, err)
	msg.ExpectReply("photo.png")

	// What Slack refuses.
	if _, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "a.txt", FileSize: 0}); err == nil {
		t.Error("length 0 was taken")
	}
	u, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "a.txt", FileSize: 5})
	must(t, err)
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: u.FileID}}, Channel: inbox.ID})
	if err == nil || !strings.Contains(err.Error(), "upload_incomplete") {
		t.Errorf("completing an upload never sent: %v", err)
	}
	other := sim.AddChannel("elsewhere", false, alice)
	_, err = api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: strings.NewReader("x"), FileSize: 1, Filename: "x.txt", Channel: other.ID})
	if err == nil || !strings.Contains(err.Error(), "not_in_channel") {
		t.Errorf("sharing where the bot is not: %v", err)
	}
}
