package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
)

// End-to-end tests of the two Gladly features of issue 17 that cross into Slack and back:
// a customer's file, which Gladly serves to API callers only, and the note a hand-off
// adds to the conversation in Gladly. The Slack simulator, a real Redis, and the fake
// Gladly (gladlytest), answering as Gladly documents ("Get Attachment" and "Add
// Note" in https://developer.gladly.com/rest/).

// customerSendsFile adds a customer chat item to conv with one attachment, as Gladly's
// item schema has it ({id, contentType, filename, fileSize}, example values of "Get
// Item": attachment-1.png, image/png, 1024), whose download Gladly's "Get Attachment"
// redirects to at. It returns the item's id.
func customerSendsFile(g *gladlytest.Server, conv, text, attID, at string) string {
	openConversation(g, conv)
	id := "item-" + conv + "-file"
	it := gladlytest.ChatItem(conv, "cust-"+conv, id, "CUSTOMER", time.Now().UTC().Format(time.RFC3339Nano), text)
	it["content"].(map[string]any)["attachments"] = []any{map[string]any{
		"id": attID, "contentType": "image/png", "filename": "attachment-1.png", "fileSize": 1024}}
	g.AddItem(conv, it)
	g.SetDownload(attID, at)
	return id
}

// fileStore is where Gladly keeps files (its 303's Location): it needs no credentials,
// and records the requests it takes.
type fileStore struct {
	srv  *httptest.Server
	mu   sync.Mutex
	auth []string // the Authorization header of each download
}

func newFileStore(t *testing.T, content []byte) *fileStore {
	s := &fileStore{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if r.URL.Path == "/huge" {
			w.Header().Set("Content-Length", strconv.Itoa(40<<20)) // announced, never sent
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(content)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// freeAddr is an address Frontdesk can listen on, known before it starts (PUBLIC_URL).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// slackLinkRE matches a link of a Slack text, <url|name>.
var slackLinkRE = regexp.MustCompile(`<(http[^|>]+)\|([^>]*)>`)

// TestGladly_CustomerFileShowsInSlack: a Gladly customer's file arrives in Slack as a
// Slack file: the desk fetches it through Frontdesk's own link (answered in process),
// which Gladly's "Get Attachment" redirects to the file, with no Gladly credential
// reaching the file's store. The link itself opens the file for anyone holding it, one
// hop away; a file too large to carry shows as a line with that link.
func TestGladly_CustomerFileShowsInSlack(t *testing.T) {
	t.Parallel()
	png := []byte("\x89PNG\r\n\x1a\n a cracked frame")
	store := newFileStore(t, png)
	g := newFakeGladly(t)
	addr := freeAddr(t)
	vars := gladlyVars(g, "0")
	vars["HTTP_ADDR"], vars["PUBLIC_URL"] = addr, "http://"+addr
	w := newWorld(t, vars)
	item := customerSendsFile(g, "conv-f", "The frame arrived cracked", "dGhpcyBpcyBhbiBhdHRhY2htZW50",
		store.srv.URL+"/files/dGhpcyBpcyBhbiBhdHRhY2htZW50?X-Amz-Signature=f00d")
	gladlyEvent(t, addr, "acct-secret-1", "conv-f", item)
	card := w.support.ExpectMessage("Ticket #1", "The frame arrived cracked")
	dm := w.priya.ExpectDM("Ticket #1")
	shared := card.ExpectReply("attachment-1.png", "sent a file")
	if fs := shared.Files(); len(fs) != 1 || string(w.sim.FileContent(fs[0].ID)) != string(png) || fs[0].Name != "attachment-1.png" {
		t.Fatalf("the shared file: %+v", fs)
	}
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("The frame arrived cracked")
	if fs := inbox.ExpectMessage("attachment-1.png", "sent a file").Files(); len(fs) != 1 || string(w.sim.FileContent(fs[0].ID)) != string(png) {
		t.Fatalf("the file in the inbox: %+v", fs)
	}
	expectCall(t, g, "GET /conversation-items/"+item+"/attachments/dGhpcyBpcyBhbiBhdHRhY2htZW50")
	store.mu.Lock()
	for _, a := range store.auth {
		if a != "" {
			t.Errorf("the file store got credentials %q", a)
		}
	}
	store.mu.Unlock()

	// A file too large to carry is a line with Frontdesk's link to it.
	big := "item-conv-f-big"
	it := gladlytest.ChatItem("conv-f", "cust-conv-f", big, "CUSTOMER", time.Now().UTC().Format(time.RFC3339Nano), "and the video")
	it["content"].(map[string]any)["attachments"] = []any{map[string]any{
		"id": "YmlnLXZpZGVv", "contentType": "video/mp4", "filename": "unboxing.mp4", "fileSize": 40 << 20}}
	g.AddItem("conv-f", it)
	g.SetDownload("YmlnLXZpZGVv", store.srv.URL+"/huge")
	gladlyEvent(t, addr, "acct-secret-1", "conv-f", big)
	inbox.ExpectMessage("and the video")
	msg := inbox.ExpectMessage("unboxing.mp4", "could not be shared here", "more than the 25 MB")
	m := slackLinkRE.FindStringSubmatch(msg.Text())
	if m == nil || !strings.HasPrefix(m[1], "http://"+addr+"/files/") {
		t.Fatalf("no link to the file in %q", msg.Text())
	}
	link := m[1]
	if strings.Contains(link, "gladly-token") || strings.Contains(link, g.URL) {
		t.Fatalf("the link %q gives Gladly away", link)
	}
	// One hop: Frontdesk answers with where Gladly says the file is.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != store.srv.URL+"/huge" {
		t.Fatalf("link = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A link someone tampered with opens nothing and asks Gladly nothing.
	if code, _ := get(t, addr, strings.TrimPrefix(link[:len(link)-3]+"abc", "http://"+addr)); code != http.StatusNotFound {
		t.Errorf("tampered link = %d, want 404", code)
	}
}

// TestGladly_HandOffAddsNote: the hand-off adds a note in Gladly with the Slack
// discussion: who handed it off, a link to the inbox channel, and the internal notes
// (thread replies), but not what the customer and the agent said to each other.
func TestGladly_HandOffAddsNote(t *testing.T) {
	t.Parallel()
	g := newFakeGladly(t)
	w := newWorld(t, gladlyVars(g, "0"))
	addr := w.d.Addr().String()
	item := customerSays(g, "conv-n", "I was charged twice")
	gladlyEvent(t, addr, "acct-secret-1", "conv-n", item)
	card := w.support.ExpectMessage("Ticket #1", "I was charged twice")
	dm := w.priya.ExpectDM("Ticket #1")
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-1-gus")
	intro := inbox.ExpectMessage("Live chat", "Active")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	first := inbox.ExpectMessage("I was charged twice")
	expectCall(t, g, "POST /conversation-items/"+item+"/reply", "You are now chatting with an agent")
	reply := w.alice.Post(inbox, "Let me look at your invoices")
	reply.ExpectReaction("white_check_mark")
	w.alice.Reply(first, "Both charges are on card ending 4242 & the second one is pending")
	w.alice.Shortcut(reply, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(v, map[string]any{"lcc_action": "Hand back to Gladly"}); len(ack.Errors()) > 0 {
		t.Fatalf("hand-off refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by", "handed back to gladly")
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("handed the chat back to Gladly")
	inbox.ExpectArchived()
	expectCall(t, g, "PATCH /conversations/conv-n", `"inboxId":"inbox-humans"`)
	call := expectCall(t, g, "POST /conversations/conv-n/notes")
	var note struct {
		Content struct {
			Body string `json:"body"`
		} `json:"content"`
	}
	if err := json.Unmarshal([]byte(call[strings.Index(call, "{"):]), &note); err != nil {
		t.Fatalf("note %q: %v", call, err)
	}
	body := note.Content.Body
	inboxLink := "https://" + slacktest.TeamDomain + ".slack.com/archives/" + inbox.ID + "/p" + strings.ReplaceAll(intro.TS, ".", "")
	for _, want := range []string{"Handed off from Slack", "ticket #1", `<a href="` + inboxLink + `">`,
		"Both charges are on card ending 4242 &amp; the second one is pending", "Internal notes from Slack</b> (1)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the note lacks %q: %s", want, body)
		}
	}
	for _, never := range []string{"I was charged twice", "Let me look at your invoices"} {
		if strings.Contains(body, never) {
			t.Errorf("the note holds the chat's %q", never)
		}
	}
}
