package slacktest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

var png = []byte("\x89PNG\r\n\x1a\n fake image bytes")

func TestShareDeliversFileShare(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	c := startClient(t, sim, nil)

	m := alice.Share(ch, "here is the invoice", "invoice.png", "image/png", png)
	ev, _ := messageEvent(t, c.next(t))
	if ev.SubType != "file_share" || ev.User != alice.ID || ev.Text != "here is the invoice" || ev.TimeStamp != m.TS {
		t.Errorf("event %+v", ev)
	}
	if ev.Message == nil || len(ev.Message.Files) != 1 {
		t.Fatalf("ev.Message.Files: %+v", ev.Message)
	}
	f, want := ev.Message.Files[0], m.Files()[0]
	if f.ID != want.ID || !strings.HasPrefix(f.ID, "F") || f.Name != "invoice.png" || f.Title != "invoice.png" ||
		f.Mimetype != "image/png" || f.Filetype != "png" || f.Size != len(png) || f.User != alice.ID ||
		f.URLPrivate != want.URLPrivate || f.URLPrivateDownload != want.URLPrivateDownload ||
		f.Permalink == "" || f.Created == 0 || f.IsPublic {
		t.Errorf("file %+v", f)
	}
	if !strings.HasPrefix(f.URLPrivate, strings.TrimSuffix(sim.APIURL(), "/api/")+"/files-pri/"+TeamID+"-"+f.ID+"/") ||
		!strings.HasSuffix(f.URLPrivateDownload, "/download/invoice.png") {
		t.Errorf("urls %s %s", f.URLPrivate, f.URLPrivateDownload)
	}
	sim.ExpectAck(m.Envelope())

	// A file alone has no text and no blocks; in a thread it is a reply.
	r := alice.ShareReply(m, "", "notes.txt", "text/plain", []byte("hello"))
	ev, _ = messageEvent(t, c.next(t))
	if ev.SubType != "file_share" || ev.ThreadTimeStamp != m.TS || ev.Text != "" || len(ev.Message.Blocks.BlockSet) != 0 ||
		len(ev.Message.Files) != 1 || ev.Message.Files[0].Filetype != "text" || r.ThreadTS() != m.TS {
		t.Errorf("reply event %+v", ev.Message)
	}

	h, err := newAPI(sim).GetConversationHistoryContext(context.Background(), &slack.GetConversationHistoryParameters{ChannelID: ch.ID})
	must(t, err)
	if len(h.Messages) != 1 || len(h.Messages[0].Files) != 1 || h.Messages[0].Files[0].ID != want.ID {
		t.Errorf("history %+v", h.Messages)
	}
}

func TestFilesInfo(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	elsewhere := sim.AddChannel("team", false, alice)
	api := newAPI(sim)

	shared := alice.Share(ch, "", "report.pdf", "application/pdf", []byte("%PDF-1.7")).Files()[0]
	f, _, _, err := api.GetFileInfoContext(ctx, shared.ID, 0, 0)
	must(t, err)
	if f.ID != shared.ID || f.Name != "report.pdf" || f.Mimetype != "application/pdf" || f.Filetype != "pdf" ||
		f.Size != 8 || f.User != alice.ID || f.URLPrivate != shared.URLPrivate || f.URLPrivateDownload != shared.URLPrivateDownload ||
		len(f.Groups) != 1 || f.Groups[0] != ch.ID || len(f.Shares.Private[ch.ID]) != 1 {
		t.Errorf("files.info %+v", f)
	}

	_, _, _, err = api.GetFileInfoContext(ctx, "F404", 0, 0)
	wantSlackError(t, err, "file_not_found")
	hidden := alice.Share(elsewhere, "", "secret.png", "image/png", png).Files()[0]
	_, _, _, err = api.GetFileInfoContext(ctx, hidden.ID, 0, 0)
	wantSlackError(t, err, "file_not_found")
}

func TestFileDownload(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	elsewhere := sim.AddChannel("team", false, alice)
	api := newAPI(sim)
	f := alice.Share(ch, "", "photo.png", "image/png", png).Files()[0]

	var buf bytes.Buffer
	must(t, api.GetFileContext(ctx, f.URLPrivate, &buf))
	if !bytes.Equal(buf.Bytes(), png) {
		t.Errorf("downloaded %q", buf.Bytes())
	}
	req, _ := http.NewRequest(http.MethodGet, f.URLPrivateDownload, nil)
	req.Header.Set("Authorization", "Bearer "+sim.BotToken)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.ContentLength != int64(len(png)) ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || !bytes.Equal(body, png) {
		t.Errorf("download: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if n := sim.FileDownloads(f.ID); n != 2 {
		t.Errorf("FileDownloads = %d, want 2", n)
	}

	t.Run("Refused", func(t *testing.T) {
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, token := range []string{"", "xoxb-wrong", sim.AppToken} {
			req, _ := http.NewRequest(http.MethodGet, f.URLPrivate, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := noRedirect.Do(req)
			must(t, err)
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "redir=%2Ffiles-pri%2F") {
				t.Errorf("token %q: %d, Location %q", token, resp.StatusCode, loc)
			}
		}
		// Followed, the redirect ends on an HTML sign-in page, as on Slack.
		resp, err := http.Get(f.URLPrivate)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || bytes.Contains(body, png) {
			t.Errorf("sign-in page: %d %q", resp.StatusCode, body)
		}
		// slack-go notices the sign-in page; so does a file the bot cannot see.
		other := slack.New("xoxb-wrong", slack.OptionAPIURL(sim.APIURL()))
		if err := other.GetFileContext(ctx, f.URLPrivate, io.Discard); err == nil || !strings.Contains(err.Error(), "sign-in") {
			t.Errorf("wrong token: %v", err)
		}
		hidden := alice.Share(elsewhere, "", "secret.png", "image/png", png).Files()[0]
		if err := api.GetFileContext(ctx, hidden.URLPrivate, io.Discard); err == nil || !strings.Contains(err.Error(), "sign-in") {
			t.Errorf("hidden file: %v", err)
		}
		if n, m := sim.FileDownloads(f.ID), sim.FileDownloads(hidden.ID); n != 2 || m != 0 {
			t.Errorf("FileDownloads = %d, %d after refusals", n, m)
		}
	})
}
